"""Half-digit completion: masking, the tab's framing, the UNet round trip, and `complete`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from demos.completion import complete
from demos.completion.model import CompletionUNet, mask_right_half
from demos.completion.predict import as_half_digit, complete_drawing
from demos.completion.preprocess import (
    CANVAS, HalfDrawingError, drawing_to_field, guide_image, guide_overlay, half_digit_from_drawing, ink_on_paper,
)
from demos.completion.tab import EXAMPLES, complete_for_ui, completion_picture, example_for_ui


def drawing_on_guides(strokes: list[tuple[float, float, float, float]], width: int = 24) -> dict:
    """Black strokes (x0, y0, x1, y1 in MNIST pixels) over the guide canvas, as the sketch-pad's composite."""
    image = Image.fromarray(guide_image()).convert("RGBA")
    draw = ImageDraw.Draw(image)
    for x0, y0, x1, y1 in strokes:
        draw.line((x0 * 10, y0 * 10, x1 * 10, y1 * 10), fill=(0, 0, 0, 255), width=width)
    return {"background": guide_image(), "layers": [], "composite": np.asarray(image)}


def test_mask_zeroes_columns_14_to_27_only():
    images = torch.rand(3, 1, 28, 28)
    masked = mask_right_half(images)
    assert torch.all(masked[..., 14:] == 0) and torch.equal(masked[..., :14], images[..., :14])
    assert torch.all(images[..., 14:] > 0) or images[..., 14:].sum() > 0  # the input is left alone


def test_guides_are_not_ink_and_the_canvas_is_the_mnist_field():
    assert guide_image().shape == (CANVAS, CANVAS, 3)
    assert drawing_to_field(guide_image()).max() == 0.0
    with pytest.raises(HalfDrawingError, match="left half"):
        half_digit_from_drawing({"background": guide_image(), "layers": [], "composite": guide_image()})
    # a vertical stroke at MNIST column 10, rows 6-22, lands there in the 28x28 field
    field = half_digit_from_drawing(drawing_on_guides([(10, 6, 10, 22)]))
    rows, cols = np.nonzero(field > 0.5)
    assert set(cols.tolist()) <= {8, 9, 10, 11} and rows.min() >= 4 and rows.max() <= 23


@pytest.mark.weights
def test_ink_right_of_the_midline_is_ignored():
    with pytest.raises(HalfDrawingError):  # ink on the right alone is no left half
        half_digit_from_drawing(drawing_on_guides([(18, 6, 18, 22)]))
    field = half_digit_from_drawing(drawing_on_guides([(6, 14, 24, 14)]))  # a bar across the midline
    assert field[:, 14:].max() > 0.5  # the field is the drawing; the model masks the right half, once
    left_only = field.copy()
    left_only[:, 14:] = 0
    np.testing.assert_array_equal(complete(field), complete(left_only))
    np.testing.assert_array_equal(complete_drawing(drawing_on_guides([(6, 14, 24, 14)])).whole, complete(left_only))


@pytest.mark.parametrize("bad", [np.zeros((28, 27)), np.full((28, 28), 2.0), np.full((28, 28), np.nan), np.zeros((28, 28), bool)])
def test_complete_rejects_bad_input(bad):
    with pytest.raises(ValueError):
        as_half_digit(bad)


def test_unet_save_load_round_trip(tmp_path: Path):
    torch.manual_seed(0)
    model = CompletionUNet(base_channels=4, depth=1).eval()
    model.save_pretrained(tmp_path)
    assert json.loads((tmp_path / "config.json").read_text()) == {"base_channels": 4, "depth": 1, "image_size": 28,
                                                                 "visible_columns": 14}
    loaded = CompletionUNet.from_pretrained(tmp_path, strict=True)
    images = torch.rand(2, 1, 28, 28)
    with torch.inference_mode():
        assert torch.allclose(model(images), loaded(images))
    with pytest.raises(ValueError, match="depth"):
        CompletionUNet(depth=3)


@pytest.mark.weights
def test_complete_returns_a_whole_digit_keeping_the_given_half():
    half = np.zeros((28, 28), np.uint8)
    half[6:22, 9:12] = 255  # the left stroke of a 0, say
    half[20:26, 20:24] = 255  # ink in the ignored half must not matter
    whole = complete(half)
    assert whole.shape == (28, 28) and whole.dtype == np.float32
    assert 0.0 <= whole.min() and whole.max() <= 1.0
    expected_left = half.astype(np.float32) / 255
    np.testing.assert_array_equal(whole[:, :14], expected_left[:, :14])
    assert whole[:, 14:].sum() > 5  # the network drew something on the right
    np.testing.assert_array_equal(complete(half.astype(np.float32) / 255), whole)


@pytest.mark.weights
def test_tab_function_hint_picture_and_reading():
    picture, label, whole = complete_for_ui(complete_drawing, None)
    assert picture is None and "left half" in label and whole is None
    picture, label, whole = complete_for_ui(complete_drawing, {"background": guide_image(), "layers": [], "composite": guide_image()})
    assert picture is None and "left half" in label and whole is None
    # left half of a 0: an arc
    picture, label, whole = complete_for_ui(complete_drawing, drawing_on_guides([(13, 5, 9, 8), (9, 8, 7, 14), (7, 14, 9, 20), (9, 20, 13, 23)]))
    assert np.asarray(Image.open(picture)).shape == (280, 280, 3)  # a file of the picture
    assert whole.shape == (28, 28)  # kept for the "Under the hood" panel
    assert set(label) == {str(d) for d in range(10)} and 0.5 < sum(label.values()) <= 1 + 1e-5


def test_completion_picture_marks_the_boundary_and_colours_the_halves():
    picture = completion_picture(np.ones((28, 28), np.float32))
    assert tuple(picture[5, 50]) == (255, 255, 255)  # drawn half
    assert tuple(picture[5, 250]) == (255, 170, 40)  # generated half
    assert tuple(picture[0, 140]) == (90, 140, 255)  # dashed boundary


def test_guide_overlay_is_transparent_paper_with_the_guides():
    overlay = guide_overlay()
    assert overlay.shape == (CANVAS, CANVAS, 4) and overlay.dtype == np.uint8
    assert overlay[20, 20, 3] == 0  # the left half's paper shows through (top-left corner, outside the box)
    assert overlay[20, 200, 3] > 0 and overlay[40, 40, 3] == 255  # the tinted right half; the box's corner
    assert drawing_to_field(overlay).max() == 0.0  # the guides are never ink


@pytest.mark.weights
def test_an_example_goes_onto_the_pad_as_ink_on_white_paper_without_its_guides():
    picture = np.asarray(Image.open(EXAMPLES[0]).convert("RGB"))
    paper = ink_on_paper(picture)
    assert paper.shape == (CANVAS, CANVAS, 4) and (paper[:, :, 3] == 255).all()
    assert (paper[:, :, 0] == paper[:, :, 1]).all() and (paper[:, :, 1] == paper[:, :, 2]).all()  # grey: no blue guides
    np.testing.assert_allclose(drawing_to_field(paper), drawing_to_field(picture), atol=1 / 255)
    pad, shown, label, whole = example_for_ui(complete_drawing, ink_on_paper, picture)
    assert pad["layers"] == [] and pad["composite"] is None and pad["background"] is not None
    expected_picture, expected_label, expected_whole = complete_for_ui(complete_drawing, picture)
    np.testing.assert_array_equal(shown, expected_picture)
    np.testing.assert_array_equal(whole, expected_whole)
    assert label == expected_label and max(label, key=label.get) == EXAMPLES[0].stem.split("-")[2]
    assert example_for_ui(complete_drawing, ink_on_paper, None) == (None, None, "Draw the left half of a digit", None)


def test_a_huge_upload_is_read_like_the_pad_size_picture():
    """A 6000x6000 upload is decoded small first (imaging.to_rgb), and reads as the same field."""
    pad = drawing_on_guides([(13, 5, 9, 8), (9, 8, 7, 14), (7, 14, 9, 20), (9, 20, 13, 23)])["composite"]
    huge = Image.fromarray(pad).resize((6000, 6000), Image.Resampling.NEAREST)
    assert np.abs(drawing_to_field(huge) - drawing_to_field(pad)).max() < 0.05
