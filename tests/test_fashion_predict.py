"""The Fashion demo's Python API and UI handler, with the committed weights (no browser)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from demos.fashion import CLASS_NAMES, classify
from demos.fashion.predict import metrics, read_photo_file
from demos.fashion.tab import EXAMPLES, HINT, model_report, predict_for_ui
from training.export_examples import slug

pytestmark = pytest.mark.weights

SLUG_TO_CLASS = {slug(name): name for name in CLASS_NAMES}


def true_class(path: Path) -> str:
    return SLUG_TO_CLASS[path.stem.rsplit("-", 2 if path.stem.endswith("-photo") else 1)[0]]


def test_examples_are_few_small_and_cover_every_class():
    assert 10 <= len(EXAMPLES) <= 20
    assert {true_class(path) for path in EXAMPLES} == set(CLASS_NAMES)
    assert all(path.stat().st_size < 20_000 for path in EXAMPLES)


def test_examples_are_named_correctly_in_both_styles():
    correct = [max(p := classify(Image.open(path)), key=p.get) == true_class(path) for path in EXAMPLES]
    assert sum(correct) >= len(EXAMPLES) - 2, f"only {sum(correct)} of {len(EXAMPLES)} examples named correctly"


def test_raw_and_photo_style_of_the_same_item_agree():
    item = np.asarray(Image.open(next(p for p in EXAMPLES if p.stem == "trouser-2")))
    as_photo = Image.fromarray(255 - item).resize((300, 300))
    raw, photo = classify(item), classify(as_photo)
    assert max(raw, key=raw.get) == max(photo, key=photo.get) == "Trouser"


def test_probabilities_cover_the_ten_classes_and_sum_to_one():
    probabilities = classify(np.asarray(Image.open(EXAMPLES[0])))
    assert list(probabilities) == list(CLASS_NAMES)
    assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-5)


def test_blank_image_gives_no_prediction():
    assert classify(Image.new("RGB", (200, 200), "white")) == {}


def test_ui_handler(tmp_path: Path):
    assert predict_for_ui(read_photo_file, None) == (HINT, None)
    label, seen = predict_for_ui(read_photo_file, str(next(p for p in EXAMPLES if p.stem == "trouser-3-photo")))
    assert max(label, key=label.get) == "Trouser" and seen.shape == (168, 168)
    not_an_image = tmp_path / "notes.png"
    not_an_image.write_text("hello")
    label, seen = predict_for_ui(read_photo_file, str(not_an_image))
    assert label.startswith("Could not open that file") and seen is None
    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)
    label, seen = predict_for_ui(read_photo_file, str(blank))
    assert "blank" in label and seen is None


def test_model_report_quotes_the_committed_metrics():
    report = model_report(metrics(), CLASS_NAMES)
    assert model_report(None, CLASS_NAMES) == "No metrics came with this model."
    assert "Accuracy on the 10,000 Fashion-MNIST test images" in report
    assert all(name in report for name in CLASS_NAMES)
