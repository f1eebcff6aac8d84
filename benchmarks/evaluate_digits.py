"""Accuracy of `demos.digits.classify` on the official 10,000-image MNIST test set.

    python -m benchmarks.evaluate_digits [--data-dir ../shared/data] [--save-mistakes 24]

Each test digit is handed over as a person's scan would be: dark ink on white
paper, a 28x28 uint8 array, so it goes through the full serving path (polarity
detection, crop, MNIST framing, model). Prints accuracy and the digits refused (blank, speck,
scribble, or "not a digit"; a refusal counts as wrong). With ``--save-mistakes N`` it also saves the
first N digits it gets wrong (in test-set order), as the model saw them, next to the weights: the
gallery of the Digits tab's "Under the hood" panel (`demos.inside.save_gallery`).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torchvision

from demos import inside, runtime
from demos.digits import read_drawing
from demos.digits import inside as digits_inside
from training.common import DEFAULT_DATA_DIR


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--save-mistakes", type=int, default=0, metavar="N",
                        help="save the first N misread digits next to the weights (the panel's gallery)")
    args = parser.parse_args(argv)
    if args.save_mistakes < 0:
        parser.error("--save-mistakes must be 0 or more")
    runtime.configure_threads()
    test = torchvision.datasets.MNIST(root=str(args.data_dir), train=False, download=True)
    images, labels = 255 - test.data.numpy(), test.targets.numpy()
    started = time.perf_counter()
    correct = refused = 0
    confusion = np.zeros((10, 10), dtype=int)
    mistakes: list[inside.Mistake] = []
    for image, label in zip(images, labels):
        reading = read_drawing(image)  # what `classify` returns, with the model's input
        probabilities = reading.probabilities
        right = bool(probabilities) and int(max(probabilities, key=probabilities.get)) == label
        if not right and len(mistakes) < args.save_mistakes and reading.model_input is not None:
            mistakes.append(mistake(image, reading.model_input, str(label)))
        if not probabilities:
            refused += 1
            continue
        predicted = int(max(probabilities, key=probabilities.get))
        confusion[label, predicted] += 1
        correct += right
    accuracy = correct / len(labels)
    print(f"demos.digits.classify on the MNIST test set ({len(labels):,} digits, model trained on the 10k offline subset)")
    print(f"accuracy {accuracy:.2%}   refused {refused} ({refused / len(labels):.2%})   "
          f"({time.perf_counter() - started:.0f} s)")
    errors = [(confusion[t, p], t, p) for t in range(10) for p in range(10) if t != p and confusion[t, p]]
    print("most common confusions (true -> predicted):", ", ".join(f"{t}->{p} x{n}" for n, t, p in sorted(errors, reverse=True)[:5]))
    if mistakes:
        folder = digits_inside.CLASSIFIER.folder()
        inside.save_gallery(folder, mistakes, "MNIST test digits it gets wrong (the first "
                                              f"{len(mistakes)} in test-set order; refusals included)")
        print(f"saved {len(mistakes)} mistakes to {folder / inside.GALLERY_PICTURE}")
    return accuracy


def mistake(image: np.ndarray, model_input: np.ndarray, truth: str) -> inside.Mistake:
    """A misread digit for the gallery: the model's input and its top label over all eleven."""
    probabilities = digits_inside.probabilities(image)
    said = max(probabilities, key=probabilities.get)
    return inside.Mistake((model_input * 255.0 + 0.5).astype(np.uint8), truth, said, probabilities[said])


if __name__ == "__main__":
    main()
