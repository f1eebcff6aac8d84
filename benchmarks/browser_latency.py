"""Mouse-up to label latency of the Digits tab in headless Chromium (median over strokes).

    python -m benchmarks.browser_latency [--strokes 12]

Starts `python app.py` on a free 127.0.0.1 port, draws digits with the mouse, and
times from mouse-up until the label's heading shows the digit (checked every frame).
Most of the time is the browser exporting the canvas, then the request round trip.
"""

from __future__ import annotations

import argparse
import statistics

from tests.browser import chromium, draw_strokes, open_page, running_app, seconds_until_heading
from tests.conftest import DIGIT_STROKES

PAD, LABEL = "#digits-sketchpad", "#digits-label"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=12)
    args = parser.parse_args(argv)
    if args.strokes < 1:
        parser.error("--strokes must be at least 1")
    digits = [("7", "1", "0")[i % 3] for i in range(args.strokes)]
    with running_app() as url, chromium() as browser:
        page = open_page(browser, url)
        page.locator(f"{PAD} canvas").first.wait_for(timeout=30_000)
        seconds_until_heading(page, LABEL, "Draw a digit")
        latencies = []
        for digit in digits:
            draw_strokes(page, PAD, DIGIT_STROKES[digit])
            latencies.append(seconds_until_heading(page, LABEL, digit))
            page.locator("#digits-clear").click()
            seconds_until_heading(page, LABEL, "Draw a digit")
    print(f"mouse-up to label over {len(latencies)} strokes (280x280 canvas, headless Chromium): "
          f"median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s")


if __name__ == "__main__":
    main()
