"""Export the few small example images the tabs show, once, from ../shared/data.

    python -m training.export_examples [--data-dir ../shared/data]

Fashion: for each class, one test-set item as it is (28x28, light on black) and one
test-set item turned into a product-photo look (dark item on white, 224 px), so the
examples exercise both paths of `preprocess_item`.

Half-digit completion: a few MNIST *training* digits, left half only, drawn in black
on the tab's guide canvas (so an example goes through the same path as a drawing).

Only these small PNGs are committed, never the data sets.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torchvision
from PIL import Image

from demos.completion.model import HALF
from demos.completion.preprocess import CANVAS, guide_image
from demos.fashion.model import CLASS_NAMES
from training.common import DEFAULT_DATA_DIR, REPO_ROOT

FASHION_EXAMPLES = REPO_ROOT / "demos" / "fashion" / "examples"
COMPLETION_EXAMPLES = REPO_ROOT / "demos" / "completion" / "examples"
COMPLETION_DIGITS = (2, 3, 4, 5, 7, 9)


def slug(name: str) -> str:
    return name.lower().replace("/", "-").replace(" ", "-")


def export_fashion(data_dir: Path, out: Path = FASHION_EXAMPLES) -> list[Path]:
    test = torchvision.datasets.FashionMNIST(root=str(data_dir), train=False, download=True)
    images, labels = test.data.numpy(), test.targets.numpy()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for label, name in enumerate(CLASS_NAMES):
        first, second = np.flatnonzero(labels == label)[:2]
        raw = out / f"{slug(name)}-{first}.png"
        Image.fromarray(images[first]).save(raw, optimize=True)
        photo = out / f"{slug(name)}-{second}-photo.png"
        Image.fromarray(255 - images[second]).resize((224, 224), Image.Resampling.LANCZOS).save(photo, optimize=True)
        written += [raw, photo]
    return written


def export_completion(data_dir: Path, out: Path = COMPLETION_EXAMPLES) -> list[Path]:
    train = torchvision.datasets.MNIST(root=str(data_dir), train=True, download=True)
    images, labels = train.data.numpy(), train.targets.numpy()
    guide = guide_image().astype(np.float32)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for digit in COMPLETION_DIGITS:
        index = int(np.flatnonzero(labels == digit)[0])
        half = images[index].copy()
        half[:, HALF:] = 0
        ink = np.asarray(Image.fromarray(half).resize((CANVAS, CANVAS), Image.Resampling.BILINEAR), np.float32) / 255
        picture = (guide * (1.0 - ink[:, :, None])).round().astype(np.uint8)  # black ink over the guides
        path = out / f"left-half-{digit}-train{index}.png"
        Image.fromarray(picture).save(path, optimize=True)
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    for path in export_fashion(args.data_dir) + export_completion(args.data_dir):
        print(f"wrote {path.relative_to(REPO_ROOT)} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
