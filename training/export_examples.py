"""Export the few small example images the tabs show, once, from ../shared/data.

    python -m training.export_examples [--data-dir ../shared/data]

Fashion: for each class, one test-set item as it is (28x28, light on black) and one
test-set item turned into a product-photo look (dark item on white, 224 px), so the
examples exercise both paths of `preprocess_photo`. Only these tiny PNGs are
committed, never the data sets.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torchvision
from PIL import Image

from demos.fashion.model import CLASS_NAMES
from training.common import DEFAULT_DATA_DIR, REPO_ROOT

FASHION_EXAMPLES = REPO_ROOT / "demos" / "fashion" / "examples"


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


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    for path in export_fashion(args.data_dir):
        print(f"wrote {path.relative_to(REPO_ROOT)} ({path.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
