"""The Digits demo's Python API and UI handler, with the committed weights (no browser)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

import app
from demos.digits import classify, read_drawing
from demos.digits.tab import HINT, predict_for_ui
from tests.conftest import draw_sketch, sketch_value

pytestmark = pytest.mark.weights


@pytest.mark.parametrize("digit", ["0", "1", "7"])
def test_classify_reads_drawn_digits(digit):
    probabilities = classify(sketch_value(draw_sketch(digit)))
    assert set(probabilities) == {str(d) for d in range(10)}
    # what the digits leave to 1 is the model's "not a digit" share: small for a clear digit
    assert 0.9 < sum(probabilities.values()) <= 1.0 + 1e-5
    assert max(probabilities, key=probabilities.get) == digit
    assert probabilities[digit] > 0.8


@pytest.mark.parametrize("as_input", [
    lambda rgba: Image.fromarray(rgba),
    lambda rgba: np.asarray(Image.alpha_composite(Image.new("RGBA", (280, 280), "white"), Image.fromarray(rgba)).convert("L")),
    lambda rgba: rgba.astype(np.float32) / 255.0,
])
def test_classify_accepts_pil_and_arrays(as_input):
    probabilities = classify(as_input(draw_sketch("7")))
    assert max(probabilities, key=probabilities.get) == "7"


def test_blank_drawing_gives_no_prediction():
    assert classify(sketch_value(np.zeros((280, 280, 4), np.uint8))) == {}
    assert classify(sketch_value(None)) == {}
    reading = read_drawing(sketch_value(None))
    assert reading.model_input is None and reading.message == "Draw a digit"


def test_ui_handler_hint_prediction_and_bad_upload():
    assert predict_for_ui(read_drawing, None) == (HINT, None, None)
    label, seen, kept = predict_for_ui(read_drawing, sketch_value(np.zeros((280, 280, 4), np.uint8)))
    assert label == HINT and seen is None and kept is None
    label, seen, kept = predict_for_ui(read_drawing, sketch_value(draw_sketch("1")))
    assert max(label, key=label.get) == "1"
    assert np.asarray(Image.open(seen)).shape == (168, 168)  # a file of the enlarged 28x28 input
    assert kept.shape == (28, 28)  # the model input, kept for the "Under the hood" panel
    label, seen, kept = predict_for_ui(read_drawing, sketch_value(np.zeros((5, 5, 2), np.uint8)))
    assert label.startswith("Could not read that image") and seen is None and kept is None


def test_app_builds_without_launching():
    demo = app.build_app()
    assert [tab.title for tab in app.TABS] == ["Digits", "Fashion", "Half-digit completion", "Shakespeare"]
    api_names = {dependency.api_name for dependency in demo.fns.values()}
    assert {"classify_digit", "classify_garment", "complete_digit"} <= api_names


def test_a_photo_of_a_digit_on_grey_paper_is_read():
    rng = np.random.default_rng(0)
    paper = 190 + np.linspace(-20, 20, 320)[None, :] + rng.normal(0, 5, (240, 320))  # uneven light, grain
    ink = np.asarray(Image.fromarray(draw_sketch("7", canvas=240)).getchannel("A").resize((240, 240))) / 255.0
    photo = paper.copy()
    photo[:, 40:280] = photo[:, 40:280] * (1 - 0.8 * ink)  # pencil-dark strokes
    rgb = np.repeat(np.clip(photo, 0, 255).astype(np.uint8)[:, :, None], 3, axis=2)
    probabilities = classify(Image.fromarray(rgb))
    assert max(probabilities, key=probabilities.get) == "7"


def test_a_dark_photo_uploaded_onto_the_fixed_canvas_is_read():
    """The pad fits an upload into its square canvas with transparent margins; they must not pass
    for white paper around a photo of light ink on a dark board."""
    photo = Image.new("RGB", (400, 300), (30, 30, 35))
    ImageDraw.Draw(photo).line([(150, 60), (250, 60), (190, 240)], fill=(235, 235, 235), width=16)
    canvas = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    canvas.paste(photo.resize((280, 210)), (0, 35))
    value = np.asarray(canvas)
    probabilities = classify({"background": value, "layers": [], "composite": value})
    assert max(probabilities, key=probabilities.get) == "7"
