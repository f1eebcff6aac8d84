"""How well does the Digits tab read pen-drawn digits? Sweeps over stroke width, size, position.

    python -m benchmarks.digits_robustness [--per-setting 1000] [--data-dir ../shared/data]

MNIST test digits are re-drawn the way the sketch-pad delivers a drawing (see
`training/pen.py`): thinned to a centre line, drawn again with a round pen of a chosen
width as black strokes on a transparent RGBA canvas, at a chosen size and place; the
canvas goes through `demos.digits.classify` as a Gradio sketch value. The shapes are MNIST's, the strokes are a pen's: constant
width, hard anti-aliased edges, no MNIST framing. Prints accuracy per setting.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torchvision

from demos import runtime
from demos.digits import classify
from training.common import DEFAULT_DATA_DIR
from training.pen import centre_lines, pen_drawing


def sketch(line: np.ndarray, canvas: int, height: float, pen: float, centre: tuple[float, float],
           background: str) -> dict:
    """A Gradio sketch value holding the pen drawing of ``line``."""
    return {"background": None, "layers": [], "composite": pen_drawing(line, canvas, height, pen, centre, background)}


SETTINGS = {
    # name: (canvas px, digit height / canvas, pen width / digit height, centre (x, y), background)
    "app canvas 280, brush 20 px, digit 70%": (280, 0.70, 20 / 196, (0.5, 0.5), "transparent"),
    "default 800 canvas, 50 px brush, 60%": (800, 0.60, 50 / 480, (0.5, 0.5), "transparent"),
    "thin pen (4% of height)": (400, 0.70, 0.04, (0.5, 0.5), "transparent"),
    "medium pen (8%)": (400, 0.70, 0.08, (0.5, 0.5), "transparent"),
    "thick pen (16%)": (400, 0.70, 0.16, (0.5, 0.5), "transparent"),
    "very thick pen (22%)": (400, 0.70, 0.22, (0.5, 0.5), "transparent"),
    "small digit (25%), top-left": (400, 0.25, 0.10, (0.25, 0.25), "transparent"),
    "app pad, small digit (25%) with its 20 px brush": (280, 0.25, 20 / 70, (0.25, 0.25), "transparent"),
    "large digit (92%)": (400, 0.92, 0.10, (0.5, 0.5), "transparent"),
    "off-centre, bottom-right": (400, 0.45, 0.10, (0.7, 0.72), "transparent"),
    "white background": (400, 0.70, 0.10, (0.5, 0.5), "white"),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--per-setting", type=int, default=1000, help="test digits drawn per setting")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.per_setting < 1:
        parser.error("--per-setting must be at least 1")
    runtime.configure_threads()
    test = torchvision.datasets.MNIST(root=str(args.data_dir), train=False, download=True)
    rng = np.random.default_rng(args.seed)
    index = rng.choice(len(test), size=min(args.per_setting, len(test)), replace=False)
    digits = test.data.numpy()[index].astype(np.float32) / 255.0
    labels = test.targets.numpy()[index]
    lines = centre_lines(digits)
    print(f"{len(index)} MNIST test digits per setting, redrawn with a pen, read by demos.digits.classify")
    overall = []
    for name, (canvas, height, pen, centre, background) in SETTINGS.items():
        started = time.perf_counter()
        correct = blank = 0
        for line, label in zip(lines, labels):
            probabilities = classify(sketch(line, canvas, height * canvas, pen * height * canvas, centre, background))
            if not probabilities:
                blank += 1
            elif max(probabilities, key=probabilities.get) == str(label):
                correct += 1
        accuracy = correct / len(labels)
        overall.append(accuracy)
        print(f"{name:42s} accuracy {accuracy:7.2%}  refused {blank:4d}  ({time.perf_counter() - started:.0f} s)")
    print(f"{'mean over settings':42s} accuracy {np.mean(overall):7.2%}")


if __name__ == "__main__":
    main()
