"""Accuracy of `demos.digits.classify` on the official 10,000-image MNIST test set.

    python -m benchmarks.evaluate_digits [--data-dir ../shared/data]

Each test digit is handed over as a person's scan would be: dark ink on white
paper, a 28x28 uint8 array, so it goes through the full serving path (polarity
detection, crop, MNIST framing, model). Prints accuracy and the digits refused (blank, speck,
scribble, or "not a digit"; a refusal counts as wrong).
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


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    runtime.configure_threads()
    test = torchvision.datasets.MNIST(root=str(args.data_dir), train=False, download=True)
    images, labels = 255 - test.data.numpy(), test.targets.numpy()
    started = time.perf_counter()
    correct = refused = 0
    confusion = np.zeros((10, 10), dtype=int)
    for image, label in zip(images, labels):
        probabilities = classify(image)
        if not probabilities:
            refused += 1
            continue
        predicted = int(max(probabilities, key=probabilities.get))
        confusion[label, predicted] += 1
        correct += predicted == label
    accuracy = correct / len(labels)
    print(f"demos.digits.classify on the MNIST test set ({len(labels):,} digits, model trained on the 10k offline subset)")
    print(f"accuracy {accuracy:.2%}   refused {refused} ({refused / len(labels):.2%})   "
          f"({time.perf_counter() - started:.0f} s)")
    errors = [(confusion[t, p], t, p) for t in range(10) for p in range(10) if t != p and confusion[t, p]]
    print("most common confusions (true -> predicted):", ", ".join(f"{t}->{p} x{n}" for n, t, p in sorted(errors, reverse=True)[:5]))
    return accuracy


if __name__ == "__main__":
    main()
