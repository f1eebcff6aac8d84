"""How fast the Digits tab answers a pen in headless Chromium: readings while drawing, and mouse-up
to the final label, with the readings while drawing (demos.ui.LivePad) and without them (the pad's
own export, ``?live=off``), side by side in one run.

    python -m benchmarks.browser_latency [--strokes 12] [--slow-strokes 5]

Starts `python app.py` on a free 127.0.0.1 port. Mouse-up to label: digits drawn with the mouse,
timed from mouse-up until the label's heading shows the digit (checked every frame), median over
``--strokes``. While drawing: ``--slow-strokes`` 2-second strokes of a 7, the pointer moved 60 times a
second as a hand does; counted are the readings shown during the stroke (per second) and their age
when shown (from the moment the page took the drawing to the moment its answer was on screen,
`ui.js`'s own log). In this headless browser without a GPU, Gradio's sketch-pad renders each stroke
step in software, which takes most of the page's time while drawing.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time

import numpy as np
from playwright.async_api import Page, async_playwright

from tests.browser import CHROMIUM, CHROMIUM_ARGS
from tests.app_process import running_app
from tests.conftest import DIGIT_STROKES

PAD, LABEL, PAD_ID = "#digits-sketchpad", "#digits-label", "digits-sketchpad"
EXTENT = 0.85  # the digit fills this much of the paper


async def open_digits(browser, url: str) -> Page:
    context = await browser.new_context(viewport={"width": 1200, "height": 1000})
    page = await context.new_page()
    await page.route(lambda address: not address.startswith("http://127.0.0.1"), lambda route: route.abort())
    await page.goto(url)
    await page.locator(f"{PAD} .pad-paper").wait_for(state="attached", timeout=30_000)
    await heading_is(page, "Draw a digit")
    await page.wait_for_timeout(1000)
    return page


async def heading_is(page: Page, text: str, timeout_ms: float = 15_000) -> float:
    """Seconds until the label's heading reads ``text`` (checked every frame)."""
    started = time.perf_counter()
    await page.wait_for_function("([selector, text]) => document.querySelector(selector)?.innerText.trim() === text",
                                 arg=[f"{LABEL} h2", text], polling="raf", timeout=timeout_ms)
    return time.perf_counter() - started


async def stroke_path(page: Page, stroke: list[tuple[float, float]], points: int) -> list[tuple[float, float]]:
    """``points`` client positions evenly along a polyline given in fractions of the paper's centre part."""
    box = await page.locator(f"{PAD} .pad-paper").bounding_box()
    side = box["width"] * EXTENT
    left, top = box["x"] + (box["width"] - side) / 2, box["y"] + (box["height"] - side) / 2
    corners = np.array([(left + x * side, top + y * side) for x, y in stroke])
    lengths = np.r_[0, np.cumsum(np.linalg.norm(np.diff(corners, axis=0), axis=1))]
    along = np.linspace(0, lengths[-1], points)
    return list(zip(np.interp(along, lengths, corners[:, 0]), np.interp(along, lengths, corners[:, 1])))


async def clear(page: Page) -> None:
    await page.locator("#digits-clear").click()
    await heading_is(page, "Draw a digit")
    await page.wait_for_timeout(300)


async def mouse_up_to_label(page: Page, strokes: int) -> list[float]:
    """Seconds from mouse-up to the digit on the label, for ``strokes`` digits (7, 1, 0, ...)."""
    latencies = []
    for index in range(strokes):
        digit = ("7", "1", "0")[index % 3]
        for stroke in DIGIT_STROKES[digit]:
            path = await stroke_path(page, stroke, 16)
            await page.mouse.move(*path[0])
            await page.mouse.down()
            for point in path[1:]:
                await page.mouse.move(*point)
            await page.mouse.up()
        latencies.append(await heading_is(page, digit))
        await clear(page)
    return latencies


async def while_drawing(page: Page, seconds: float = 2.0, rate: float = 60.0) -> tuple[float, list[float]]:
    """One slow 7: (readings shown per second during the stroke, their ages in seconds)."""
    path = await stroke_path(page, DIGIT_STROKES["7"][0], int(seconds * rate))
    await page.mouse.move(*path[0])
    await page.mouse.down()
    began = await page.evaluate("() => performance.now()")
    started, moves = time.perf_counter(), []
    for index, point in enumerate(path[1:], 1):  # on the clock, not after each move's handling: a hand does not wait
        moves.append(asyncio.create_task(page.mouse.move(*point)))
        await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
    await asyncio.gather(*moves)
    ended = await page.evaluate("() => performance.now()")
    await page.mouse.up()
    await heading_is(page, "7")
    shown = [reading for reading in await page.evaluate("(padId) => window.demoLiveStats[padId]", PAD_ID)
             if began <= reading["shownAt"] <= ended]
    await clear(page)
    return len(shown) / ((ended - began) / 1000), [(reading["shownAt"] - reading["sentAt"]) / 1000 for reading in shown]


async def measure(url: str, strokes: int, slow_strokes: int) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        live = await open_digits(browser, url)
        rates, ages = [], []
        for _ in range(slow_strokes):  # alone in the browser: another page's sketch-pad costs this one frames
            rate, stroke_ages = await while_drawing(live)
            rates.append(rate)
            ages += stroke_ages
        export = await open_digits(browser, url + "?live=off")
        # the two paths take turns, so that both meet the machine as it is
        live_latencies, export_latencies = [], []
        for _ in range(strokes):
            live_latencies += await mouse_up_to_label(live, 1)
            export_latencies += await mouse_up_to_label(export, 1)
        await browser.close()
    if slow_strokes:
        print(f"while drawing ({slow_strokes} strokes of 2 s, 280x280 canvas, headless Chromium): "
              f"{statistics.median(rates):.1f} readings shown per second (median stroke; lowest {min(rates):.1f}); "
              f"age when shown median {statistics.median(ages):.2f} s, p90 {np.percentile(ages, 90):.2f} s, "
              f"max {max(ages):.2f} s")
    for name, latencies in (("readings while drawing", live_latencies), ("the pad's own export (?live=off)",
                                                                         export_latencies)):
        print(f"mouse-up to label, {name}, over {len(latencies)} strokes: "
              f"median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s")
    print(f"mouse-up to label: readings while drawing take {statistics.median(live_latencies) / statistics.median(export_latencies):.0%} "
          f"of the export's median")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strokes", type=int, default=12, help="digits drawn per path for mouse-up to label")
    parser.add_argument("--slow-strokes", type=int, default=5, help="2-second strokes for the readings while drawing")
    args = parser.parse_args(argv)
    if args.strokes < 1 or args.slow_strokes < 0:
        parser.error("--strokes must be at least 1 and --slow-strokes at least 0")
    with running_app() as url:
        asyncio.run(measure(url, args.strokes, args.slow_strokes))


if __name__ == "__main__":
    main()
