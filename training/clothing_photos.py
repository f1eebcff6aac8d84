"""The real phone photos of clothes (../shared/data/clothing-small): how their classes map onto
Fashion-MNIST's, and a fixed validation split, shared by the Fashion benchmark (and by training
on photos, when it comes).

    >>> from training.clothing_photos import split_photos, is_right
    >>> train, validation = split_photos(Path("../shared/data/clothing-small/train"))
    >>> is_right("shoes", "Sneaker")   # True: a pair of shoes may be any of the three footwear classes

Only the seven photo classes that have a Fashion-MNIST counterpart are used (hat, shorts and skirt
have none). The split is by file, per class, with a fixed seed; validation photos are never
trained on.
"""

from __future__ import annotations

import random
from pathlib import Path

# photo class -> the Fashion-MNIST answers that count as right (several: a partial label)
ACCEPTED: dict[str, tuple[str, ...]] = {
    "t-shirt": ("T-shirt/top",),
    "pants": ("Trouser",),
    "dress": ("Dress",),
    "outwear": ("Coat",),
    "shirt": ("Shirt",),
    "longsleeve": ("Pullover", "Shirt", "T-shirt/top"),
    "shoes": ("Sneaker", "Sandal", "Ankle boot"),
}
# Fashion-MNIST class -> group; a photo's group is that of any of its accepted answers
GROUPS: dict[str, str] = {
    "T-shirt/top": "top", "Pullover": "top", "Coat": "top", "Shirt": "top",
    "Trouser": "bottom", "Dress": "dress", "Sneaker": "footwear", "Sandal": "footwear", "Ankle boot": "footwear",
    "Bag": "bag",
}
VALIDATION_FRACTION = 0.2
SPLIT_SEED = 0
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")


def is_right(photo_class: str, answer: str) -> bool:
    """Whether ``answer`` (a Fashion-MNIST class name) is right for a photo of ``photo_class``."""
    return answer in ACCEPTED[photo_class]


def is_right_group(photo_class: str, answer: str) -> bool:
    """Whether ``answer`` is at least in the right group (top / bottom / dress / footwear)."""
    return GROUPS.get(answer) == GROUPS[ACCEPTED[photo_class][0]]


def split_photos(
    root: Path, validation_fraction: float = VALIDATION_FRACTION, seed: int = SPLIT_SEED
) -> tuple[list[tuple[Path, str]], list[tuple[Path, str]]]:
    """(training, validation) lists of (photo path, photo class) for the mapped classes under ``root``
    (one folder per class): per class, the files in name order, shuffled with ``seed``, and the first
    ``validation_fraction`` of them held out. Raises ``ValueError`` when ``root`` has none of them."""
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must be between 0 and 1, got {validation_fraction}")
    training, validation = [], []
    for photo_class in ACCEPTED:
        files = sorted(path for path in (root / photo_class).glob("*") if path.suffix.lower() in PHOTO_SUFFIXES)
        random.Random(f"{seed}:{photo_class}").shuffle(files)
        held_out = round(len(files) * validation_fraction)
        validation += [(path, photo_class) for path in files[:held_out]]
        training += [(path, photo_class) for path in files[held_out:]]
    if not training and not validation:
        raise ValueError(f"{root} holds no photos of {', '.join(ACCEPTED)}")
    return training, validation
