"""`demos.completion.complete` on the official 10,000-image MNIST test set: MSE and readability.

    python -m benchmarks.evaluate_completion [--data-dir ../shared/data]

Feeds each test digit's left half (uint8, columns 14-27 zeroed) to `complete`, one at a
time as the API is called, and prints the mean squared error over the full 28x28 image
(pixels in [0, 1]) and how often `demos.digits.digit_probabilities` reads the true digit in
the half input, the completion and the original.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
import torchvision

from demos import runtime
from demos.completion import complete
from demos.completion.model import HALF, completion_mse
from demos.digits import digit_probabilities
from training.common import DEFAULT_DATA_DIR


def read_rate(images: np.ndarray, labels: np.ndarray) -> float:
    predictions = np.concatenate([digit_probabilities(chunk).argmax(axis=1) for chunk in np.array_split(images, 10)])
    return float((predictions == labels).mean())


def evaluate(originals: np.ndarray, labels: np.ndarray) -> dict:
    """(N, 28, 28) uint8 digits: their left halves through `complete`, one at a time as the API is called."""
    halves = originals.copy()
    halves[:, :, HALF:] = 0
    completed = np.stack([complete(half) for half in halves])
    truth = originals.astype(np.float32) / 255.0
    return {
        "mse": completion_mse(torch.from_numpy(completed), torch.from_numpy(truth)),  # the training script's metric
        "half_input": read_rate(halves.astype(np.float32) / 255.0, labels),
        "completion": read_rate(completed, labels),
        "original": read_rate(truth, labels),
    }


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    runtime.configure_threads()
    test = torchvision.datasets.MNIST(root=str(args.data_dir), train=False, download=True)
    originals, labels = test.data.numpy(), test.targets.numpy()
    started = time.perf_counter()
    results = evaluate(originals, labels)
    seconds = time.perf_counter() - started
    print(f"demos.completion.complete on the MNIST test set ({len(labels):,} digits, {seconds:.0f} s)")
    print(f"MSE over the full 28x28 image: {results['mse']:.4f}")
    print(f"read correctly by the digits model: half input {results['half_input']:.1%}, "
          f"completion {results['completion']:.1%}, original {results['original']:.1%}")
    return results


if __name__ == "__main__":
    main()
