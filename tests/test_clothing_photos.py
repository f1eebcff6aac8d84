"""The real-photo classes (clothing-small) against Fashion-MNIST's, and the fixed validation split."""

from __future__ import annotations

from pathlib import Path

import pytest

from training.clothing_photos import ACCEPTED, is_right, is_right_group, split_photos


def make_photos(root: Path, counts: dict[str, int]) -> None:
    for photo_class, count in counts.items():
        (root / photo_class).mkdir(parents=True)
        for index in range(count):
            (root / photo_class / f"{index:03d}.jpg").write_bytes(b"")  # the split only looks at names


def test_partial_labels_and_groups():
    assert is_right("shoes", "Sneaker") and is_right("shoes", "Ankle boot") and not is_right("shoes", "Bag")
    assert is_right("longsleeve", "Shirt") and not is_right("shirt", "T-shirt/top")
    assert is_right_group("shirt", "Coat") and is_right_group("outwear", "Pullover")
    assert not is_right_group("pants", "Dress") and not is_right_group("shoes", "Bag")
    assert set(ACCEPTED) == {"t-shirt", "pants", "dress", "outwear", "shirt", "longsleeve", "shoes"}


def test_split_is_by_file_per_class_fixed_and_disjoint(tmp_path: Path):
    make_photos(tmp_path, {"t-shirt": 50, "shoes": 20, "hat": 10})  # hat has no counterpart: left out
    training, validation = split_photos(tmp_path)
    assert len(validation) == 10 + 4 and len(training) == 40 + 16
    assert not {path for path, _ in training} & {path for path, _ in validation}
    assert {photo_class for _, photo_class in training + validation} == {"t-shirt", "shoes"}
    assert split_photos(tmp_path) == (training, validation)  # the same split every time
    assert split_photos(tmp_path, seed=1)[1] != validation
    with pytest.raises(ValueError, match="between 0 and 1"):
        split_photos(tmp_path, validation_fraction=1.0)
    with pytest.raises(ValueError, match="no photos"):
        split_photos(tmp_path / "missing")
