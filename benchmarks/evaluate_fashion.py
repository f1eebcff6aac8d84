"""Accuracy of `demos.fashion.classify` on the official 10,000-image Fashion-MNIST test set,
or on real phone photos of clothes.

    python -m benchmarks.evaluate_fashion [--data-dir ../shared/data] [--as-photos] [--save-mistakes 24]
    python -m benchmarks.evaluate_fashion --real-photos [--data-dir ../shared/data] [--save-mistakes 24]

Each test item goes through the full serving path, one image at a time. By default as
it is (28x28 uint8, light on black: passes through unchanged); with ``--as-photos``
turned into a product photo first (negated: dark item on white, enlarged to 112 px,
shifted off centre), which exercises inversion, cropping and resizing.

With ``--real-photos``: the validation split of clothing-small (`training.clothing_photos`:
20% of each of the seven mapped photo classes, by file, fixed seed), each JPEG opened with
PIL: strict accuracy (an accepted class is the top answer), group accuracy (top / bottom /
dress / footwear), per photo class, the share answered "not sure" (the answer still counts,
as the tab still shows it) and the share refused (no answer, counted wrong).

``--save-mistakes N`` saves the first N images read wrong (in the set's order), as the network saw
them, next to its weights: the galleries of the Fashion tab's "Under the hood" panel.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torchvision
from PIL import Image

from demos import inside, runtime
from demos.fashion import CLASS_NAMES, read_photo
from demos.fashion.predict import ITEMS, PHOTOS
from training.clothing_photos import is_right, is_right_group, split_photos
from training.common import DEFAULT_DATA_DIR


def as_photo(item: np.ndarray) -> Image.Image:
    """A Fashion-MNIST item as a product photo: dark on white, 112 px, in a 160 x 140 frame."""
    photo = Image.new("L", (160, 140), 255)
    photo.paste(Image.fromarray(255 - item).resize((112, 112), Image.Resampling.BICUBIC), (30, 10))
    return photo.convert("RGB")


def as_mistake(model_input: np.ndarray, truth: str, probabilities: dict[str, float]) -> inside.Mistake:
    """A wrong answer for the gallery: the network's input, what the image is, what it said."""
    said = max(probabilities, key=probabilities.get)
    return inside.Mistake((model_input * 255.0 + 0.5).astype(np.uint8), truth, said, probabilities[said])


def save_mistakes(mistakes: list[inside.Mistake], folder: Path, source: str) -> None:
    if mistakes:
        inside.save_gallery(folder, mistakes, f"{source} (the first {len(mistakes)} it gets wrong)")
        print(f"saved {len(mistakes)} mistakes to {folder / inside.GALLERY_PICTURE}")


def evaluate_real_photos(photos: list[tuple[Path, str]], keep_mistakes: int = 0) -> dict:
    """Strict and group accuracy, per photo class, "not sure" answers and refusals over (path, photo
    class) pairs, through `read_photo` (what `classify` returns, plus the tab's note); and the
    first ``keep_mistakes`` photos it names wrong."""
    per_class: dict[str, list[int]] = {}
    mistakes: list[inside.Mistake] = []
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
        if not is_right(photo_class, answer) and len(mistakes) < keep_mistakes:
            mistakes.append(as_mistake(reading.model_input, photo_class, probabilities))
        strict += is_right(photo_class, answer)
        group += is_right_group(photo_class, answer)
        counts[0] += is_right(photo_class, answer)
    return {"strict": strict / len(photos), "group": group / len(photos), "refused": refused / len(photos),
            "unsure": unsure / len(photos),
            "per_class": {name: right / total for name, (right, total) in per_class.items()}, "photos": len(photos),
            "mistakes": mistakes}


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--as-photos", action="store_true", help="hand each item over as a product photo")
    parser.add_argument("--real-photos", action="store_true", help="the validation split of clothing-small instead")
    parser.add_argument("--save-mistakes", type=int, default=0, metavar="N",
                        help="save the first N images read wrong next to the network's weights (the panel's gallery)")
    args = parser.parse_args(argv)
    if args.as_photos and args.real_photos:
        parser.error("--as-photos and --real-photos are two different test sets: choose one")
    if args.save_mistakes < 0 or (args.save_mistakes and args.as_photos):
        parser.error("--save-mistakes takes a count of 0 or more, with the items as they are or --real-photos")
    runtime.configure_threads()
    if args.real_photos:
        started = time.perf_counter()
        _, validation = split_photos(args.data_dir / "clothing-small" / "train")
        results = evaluate_real_photos(validation, args.save_mistakes)
        print(f"demos.fashion.classify on {results['photos']} real phone photos (clothing-small validation split, "
              f"{time.perf_counter() - started:.0f} s)")
        print(f"strict {results['strict']:.1%}   group {results['group']:.1%}   "
              f"not sure {results['unsure']:.1%}   refused {results['refused']:.1%}")
        print("per photo class: " + ", ".join(f"{name} {value:.1%}" for name, value in results["per_class"].items()))
        save_mistakes(results["mistakes"], PHOTOS.folder(), "Validation phone photos of clothing-small, as the network "
                                                            "saw them; 'is' gives the photo's class")
        return results["strict"]
    test = torchvision.datasets.FashionMNIST(root=str(args.data_dir), train=False, download=True)
    images, labels = test.data.numpy(), test.targets.numpy()
    started = time.perf_counter()
    correct = refused = 0
    mistakes: list[inside.Mistake] = []
    for image, label in zip(images, labels):
        reading = read_photo(as_photo(image) if args.as_photos else image)  # what `classify` returns, and more
        probabilities = reading.probabilities
        if not probabilities:
            refused += 1
        elif max(probabilities, key=probabilities.get) == CLASS_NAMES[label]:
            correct += 1
        elif len(mistakes) < args.save_mistakes:
            mistakes.append(as_mistake(reading.model_input, CLASS_NAMES[label], probabilities))
    accuracy = correct / len(labels)
    style = "as product photos" if args.as_photos else "as they are"
    print(f"demos.fashion.classify on the Fashion-MNIST test set ({len(labels):,} items, {style})")
    print(f"accuracy {accuracy:.2%}   refused {refused}   ({time.perf_counter() - started:.0f} s)")
    save_mistakes(mistakes, ITEMS.folder(), "Fashion-MNIST test items")
    return accuracy


if __name__ == "__main__":
    main()
