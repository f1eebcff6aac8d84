"""The Fashion demo's Python API and UI handler, with the committed weights (no browser)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from demos import imaging
from demos.fashion import CLASS_NAMES, classify
from demos.fashion.predict import metrics, read_photo_file
from demos.fashion.predict import PHOTOS, photo_metrics, read_photo, with_article
from demos.fashion.tab import EXAMPLES, HINT, ITEM_EXAMPLES, PHOTO_EXAMPLES, model_report, photo_report, predict_for_ui
from tests.conftest import file_reference, nothing_in_particular
from training.clothing_photos import ACCEPTED
from training.export_examples import slug

PHOTO_SIDE = PHOTOS.load().image_size  # the committed photo network's input side

pytestmark = pytest.mark.weights

SLUG_TO_CLASS = {slug(name): name for name in CLASS_NAMES}


def true_class(path: Path) -> str:
    return SLUG_TO_CLASS[path.stem.rsplit("-", 2 if path.stem.endswith("-photo") else 1)[0]]


def photo_class(path: Path) -> str:
    """'photo-t-shirt-2.jpg' -> 't-shirt'."""
    return path.stem.removeprefix("photo-").rsplit("-", 1)[0]


def test_examples_are_few_small_and_cover_every_class():
    assert 10 <= len(ITEM_EXAMPLES) <= 20 and EXAMPLES == PHOTO_EXAMPLES + ITEM_EXAMPLES
    assert {true_class(path) for path in ITEM_EXAMPLES} == set(CLASS_NAMES)
    assert all(path.stat().st_size < 20_000 for path in ITEM_EXAMPLES)
    # real phone photos: one per photo class, small copies
    assert sorted(photo_class(path) for path in PHOTO_EXAMPLES) == sorted(ACCEPTED)
    assert all(path.stat().st_size <= 150_000 for path in PHOTO_EXAMPLES)


def test_examples_are_named_correctly_in_both_styles():
    correct = [max(p := classify(Image.open(path)), key=p.get) == true_class(path) for path in ITEM_EXAMPLES]
    assert sum(correct) >= len(ITEM_EXAMPLES) - 2, f"only {sum(correct)} of {len(ITEM_EXAMPLES)} items named correctly"


def test_photo_examples_go_to_the_photo_network_and_are_named_right():
    for path in PHOTO_EXAMPLES:
        reading = read_photo(Image.open(path))
        assert reading.model_input.shape == (PHOTO_SIDE, PHOTO_SIDE, 3)  # the photo network's input
        answer = max(reading.probabilities, key=reading.probabilities.get)
        assert answer in ACCEPTED[photo_class(path)], f"{path.name} read as {answer}"


def test_grey_items_go_to_the_fashion_mnist_network():
    for path in ITEM_EXAMPLES:
        assert read_photo(Image.open(path)).model_input.shape == (28, 28)


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
    """Through what the event gets from Gradio (preprocess=False): the uploaded file's reference."""
    assert predict_for_ui(read_photo, None) == (HINT, None, "", None)
    item = file_reference(next(p for p in EXAMPLES if p.stem == "trouser-3-photo"))
    label, seen, note, kept = predict_for_ui(read_photo, item)
    assert max(label, key=label.get) == "Trouser" and np.asarray(Image.open(seen)).shape == (168, 168) and note == ""
    assert kept.shape == (28, 28)  # the model input, kept for the "Under the hood" panel
    label, seen, note, kept = predict_for_ui(read_photo, file_reference(next(p for p in PHOTO_EXAMPLES if "pants" in p.stem)))
    assert max(label, key=label.get) == "Trouser" and np.asarray(Image.open(seen)).shape == (PHOTO_SIDE, PHOTO_SIDE, 3)
    assert kept.shape == (PHOTO_SIDE, PHOTO_SIDE, 3)
    not_an_image, empty, cut_short = tmp_path / "notes.png", tmp_path / "empty.jpg", tmp_path / "cut.jpg"
    not_an_image.write_text("hello")
    empty.write_bytes(b"")
    cut_short.write_bytes(next(p for p in PHOTO_EXAMPLES if "pants" in p.stem).read_bytes()[:3000])
    for bad in (not_an_image, empty, cut_short):
        label, seen, note, kept = predict_for_ui(read_photo, file_reference(bad))
        assert label == "Could not read that image: " + imaging.UNREADABLE and seen is None and note == "" and kept is None
        assert read_photo_file(str(bad)).message == label  # the Python API says the same
    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)
    label, seen, note, kept = predict_for_ui(read_photo, file_reference(blank))
    assert "blank" in label and seen is None and kept is None


def test_model_report_quotes_the_committed_metrics():
    report = model_report(metrics(), CLASS_NAMES)
    assert model_report(None, CLASS_NAMES) == "No metrics came with this model."
    assert "Accuracy on the 10,000 Fashion-MNIST test images" in report
    assert all(name in report for name in CLASS_NAMES)


def test_an_unsure_photo_says_so_in_words_and_keeps_its_answer():
    reading = read_photo(nothing_in_particular())
    first, second = sorted(reading.probabilities, key=reading.probabilities.get, reverse=True)[:2]
    assert reading.probabilities[first] < photo_metrics()["unsure_below"]
    assert reading.note == f"Not sure: maybe {with_article(first)} or {with_article(second)}"
    assert classify(nothing_in_particular()) == reading.probabilities  # the API still answers
    # a clear photo gets no note
    assert read_photo(Image.open(next(p for p in PHOTO_EXAMPLES if "pants" in p.stem))).note is None


def test_photo_report_quotes_the_committed_photo_metrics():
    metrics = photo_metrics()
    report = photo_report(metrics)
    assert photo_report(None) == "No metrics came with the photo model."
    assert f"**{metrics['validation']['strict_accuracy']:.1%}**" in report
    assert all(photo_class in report for photo_class in ACCEPTED)


def test_odd_uploads_keep_their_answers_and_messages(tmp_path: Path):
    jacket = Image.open(next(p for p in PHOTO_EXAMPLES if "outwear" in p.stem))
    # CMYK and a huge JPEG: colour photos, read by the photo network like the original
    original = classify(jacket)
    assert max(original, key=original.get) == "Coat"
    cmyk = classify(jacket.convert("CMYK"))
    assert max(cmyk, key=cmyk.get) == "Coat"
    huge = tmp_path / "huge.jpg"
    jacket.resize((6000, 8000)).save(huge, quality=80)
    reading = read_photo_file(str(huge))
    assert max(reading.probabilities, key=reading.probabilities.get) == "Coat"
    # 16-bit grey and transparent product shots: grey, read by the Fashion-MNIST network
    item = np.asarray(Image.open(next(p for p in EXAMPLES if p.stem == "trouser-2")).resize((112, 112)))
    sixteen = Image.fromarray((255 - item).astype(np.uint16) * 257)  # mode I;16
    reading = read_photo(sixteen)
    assert reading.model_input.shape == (28, 28) and max(reading.probabilities, key=reading.probabilities.get) == "Trouser"
    silhouette = Image.fromarray(np.dstack([np.zeros_like(item)] * 3 + [np.where(item > 20, 255, 0).astype(np.uint8)]))
    reading = read_photo(silhouette)
    assert reading.model_input.shape == (28, 28) and max(reading.probabilities, key=reading.probabilities.get) == "Trouser"
    # blank ones, in any mode, get the sentence
    for blank in (Image.new("CMYK", (300, 200), (0, 0, 0, 0)), Image.new("RGBA", (50, 50), (0, 0, 0, 0)),
                  Image.new("I;16", (40, 40), 3000)):
        reading = read_photo(blank)
        assert reading.probabilities == {} and "blank" in reading.message
