"""Accuracy of `demos.fashion.classify` on the official 10,000-image Fashion-MNIST test set,
or on real phone photos of clothes.

    python -m benchmarks.evaluate_fashion [--data-dir ../shared/data] [--as-photos]
    python -m benchmarks.evaluate_fashion --real-photos [--data-dir ../shared/data]

Each test item goes through the full serving path, one image at a time. By default as
it is (28x28 uint8, light on black: passes through unchanged); with ``--as-photos``
turned into a product photo first (negated: dark item on white, enlarged to 112 px,
shifted off centre), which exercises inversion, cropping and resizing.

With ``--real-photos``: the validation split of clothing-small (`training.clothing_photos`:
20% of each of the seven mapped photo classes, by file, fixed seed), each JPEG opened with
PIL: strict accuracy (an accepted class is the top answer), group accuracy (top / bottom /
dress / footwear), per photo class, the share answered "not sure" (the answer still counts,
as the tab still shows it) and the share refused (no answer, counted wrong).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torchvision
from PIL import Image

from demos import runtime
from demos.fashion import CLASS_NAMES, classify, read_photo
from training.clothing_photos import is_right, is_right_group, split_photos
from training.common import DEFAULT_DATA_DIR


def as_photo(item: np.ndarray) -> Image.Image:
    """A Fashion-MNIST item as a product photo: dark on white, 112 px, in a 160 x 140 frame."""
    photo = Image.new("L", (160, 140), 255)
    photo.paste(Image.fromarray(255 - item).resize((112, 112), Image.Resampling.BICUBIC), (30, 10))
    return photo.convert("RGB")


def evaluate_real_photos(photos: list[tuple[Path, str]]) -> dict:
    """Strict and group accuracy, per photo class, "not sure" answers and refusals over (path, photo
    class) pairs, through `read_photo` (what `classify` returns, plus the tab's note)."""
    per_class: dict[str, list[int]] = {}
    strict = group = refused = unsure = 0
    for path, photo_class in photos:
        with Image.open(path) as photo:
            reading = read_photo(photo)
        probabilities = reading.probabilities
        unsure += reading.note is not None
        counts = per_class.setdefault(photo_class, [0, 0])
        counts[1] += 1
        if not probabilities:
            refused += 1
            continue
        answer = max(probabilities, key=probabilities.get)
        strict += is_right(photo_class, answer)
        group += is_right_group(photo_class, answer)
        counts[0] += is_right(photo_class, answer)
    return {"strict": strict / len(photos), "group": group / len(photos), "refused": refused / len(photos),
            "unsure": unsure / len(photos),
            "per_class": {name: right / total for name, (right, total) in per_class.items()}, "photos": len(photos)}


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--as-photos", action="store_true", help="hand each item over as a product photo")
    parser.add_argument("--real-photos", action="store_true", help="the validation split of clothing-small instead")
    args = parser.parse_args(argv)
    if args.as_photos and args.real_photos:
        parser.error("--as-photos and --real-photos are two different test sets: choose one")
    runtime.configure_threads()
    if args.real_photos:
        started = time.perf_counter()
        _, validation = split_photos(args.data_dir / "clothing-small" / "train")
        results = evaluate_real_photos(validation)
        print(f"demos.fashion.classify on {results['photos']} real phone photos (clothing-small validation split, "
              f"{time.perf_counter() - started:.0f} s)")
        print(f"strict {results['strict']:.1%}   group {results['group']:.1%}   "
              f"not sure {results['unsure']:.1%}   refused {results['refused']:.1%}")
        print("per photo class: " + ", ".join(f"{name} {value:.1%}" for name, value in results["per_class"].items()))
        return results["strict"]
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
