"""Accuracy of `demos.fashion.classify` on the official 10,000-image Fashion-MNIST test set.

    python -m benchmarks.evaluate_fashion [--data-dir ../shared/data] [--as-photos]

Each test item goes through the full serving path, one image at a time. By default as
it is (28x28 uint8, light on black: passes through unchanged); with ``--as-photos``
turned into a product photo first (negated: dark item on white, enlarged to 112 px,
shifted off centre), which exercises inversion, cropping and resizing.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torchvision
from PIL import Image

from demos import runtime
from demos.fashion import CLASS_NAMES, classify
from training.common import DEFAULT_DATA_DIR


def as_photo(item: np.ndarray) -> Image.Image:
    """A Fashion-MNIST item as a product photo: dark on white, 112 px, in a 160 x 140 frame."""
    photo = Image.new("L", (160, 140), 255)
    photo.paste(Image.fromarray(255 - item).resize((112, 112), Image.Resampling.BICUBIC), (30, 10))
    return photo.convert("RGB")


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--as-photos", action="store_true", help="hand each item over as a product photo")
    args = parser.parse_args(argv)
    runtime.configure_threads()
    test = torchvision.datasets.FashionMNIST(root=str(args.data_dir), train=False, download=True)
    images, labels = test.data.numpy(), test.targets.numpy()
    started = time.perf_counter()
    correct = refused = 0
    for image, label in zip(images, labels):
        probabilities = classify(as_photo(image) if args.as_photos else image)
        if not probabilities:
            refused += 1
        elif max(probabilities, key=probabilities.get) == CLASS_NAMES[label]:
            correct += 1
    accuracy = correct / len(labels)
    style = "as product photos" if args.as_photos else "as they are"
    print(f"demos.fashion.classify on the Fashion-MNIST test set ({len(labels):,} items, {style})")
    print(f"accuracy {accuracy:.2%}   refused {refused}   ({time.perf_counter() - started:.0f} s)")
    return accuracy


if __name__ == "__main__":
    main()
