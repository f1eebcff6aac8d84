"""Latency of `demos.digits.classify` on an 800x800 sketch value (Gradio's default canvas).

    python -m benchmarks.speed_digits [--repeats 300]

Runs with the serving thread setting (DEMOS_TORCH_THREADS, default 1). Prints the
median and 90th percentile over repeats, for the full call and its preprocessing alone.
Measure on a quiet machine: another busy process skews CPU timings badly.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch
from PIL import Image, ImageDraw

from demos import runtime
from demos.digits import classify, load_classifier
from demos.digits.preprocess import preprocess_drawing


def sketch_of_a_seven(canvas: int = 800) -> dict:
    image = Image.new("RGBA", (canvas, canvas), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    scale = canvas / 800
    points = [(x * scale, y * scale) for x, y in ((220, 150), (580, 150), (360, 660))]
    draw.line(points, fill=(0, 0, 0, 255), width=int(50 * scale), joint="curve")
    return {"background": None, "layers": [], "composite": np.asarray(image)}


def time_call(func, argument, repeats: int) -> list[float]:
    for _ in range(10):  # warm-up
        func(argument)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func(argument)
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    p90 = statistics.quantiles(times, n=10)[-1]
    print(f"{name:38s} median {statistics.median(times):6.2f} ms   p90 {p90:6.2f} ms   ({len(times)} calls)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args(argv)
    if args.repeats < 10:
        parser.error("--repeats must be at least 10")
    threads = runtime.configure_threads()
    load_classifier()
    sketch = sketch_of_a_seven()
    assert max(classify(sketch), key=classify(sketch).get) == "7"
    print(f"torch {torch.__version__}, {threads} thread(s), device {runtime.get_device()}")
    report("classify(800x800 sketch)", time_call(classify, sketch, args.repeats))
    report("  of which preprocess_drawing", time_call(preprocess_drawing, sketch, args.repeats))


if __name__ == "__main__":
    main()
