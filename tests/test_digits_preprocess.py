"""preprocess_drawing on synthetic drawings: position, size, thickness, backgrounds, modes, dtypes."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from demos import imaging
from demos.digits.preprocess import BOX, CENTER, DrawingError, preprocess_drawing
from tests.conftest import draw_sketch, sketch_value


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine similarity after a 3x3 blur, so a one-pixel shift of a thin stroke is not a mismatch."""
    def blur(x: np.ndarray) -> np.ndarray:
        padded = np.pad(x, 1)
        return sum(padded[r : r + 28, c : c + 28] for r in range(3) for c in range(3))
    a, b = blur(a), blur(b)
    return float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum()))


def test_output_is_mnist_framed():
    digit = preprocess_drawing(sketch_value(draw_sketch("7")))
    assert digit.shape == (28, 28) and digit.dtype == np.float32
    assert 0.0 <= digit.min() and digit.max() <= 1.0 and digit.max() > 0.9
    rows, cols = np.nonzero(digit > 0.05)
    assert max(rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) in (BOX, BOX + 1)
    row, col = imaging.center_of_mass(digit)
    assert abs(row - CENTER[0]) <= 0.5 and abs(col - CENTER[1]) <= 0.5
    assert digit[0].max() == 0 and digit[:, 0].max() == 0  # white on black, background stays black


@pytest.mark.parametrize("box", [(0.0, 0.0, 0.4, 0.4), (0.55, 0.5, 0.95, 0.95), (0.3, 0.05, 0.7, 0.5)])
def test_position_does_not_matter(box):
    reference = preprocess_drawing(sketch_value(draw_sketch("7")))
    moved = preprocess_drawing(sketch_value(draw_sketch("7", box=box, width=12)))
    assert similarity(reference, moved) > 0.9


@pytest.mark.parametrize("canvas,width", [(280, 20), (800, 50), (800, 20), (400, 3)])
def test_canvas_size_and_stroke_width_are_normalised(canvas, width):
    reference = preprocess_drawing(sketch_value(draw_sketch("0")))
    other = preprocess_drawing(sketch_value(draw_sketch("0", canvas=canvas, width=width)))
    assert similarity(reference, other) > 0.85
    # thin pen strokes are thickened: the digit keeps an MNIST-like amount of ink
    assert 40 < other.sum() < 200


def test_white_and_transparent_backgrounds_agree():
    transparent = preprocess_drawing(sketch_value(draw_sketch("7")))
    white = preprocess_drawing(sketch_value(draw_sketch("7", background="white")))
    np.testing.assert_allclose(transparent, white, atol=1e-5)


@pytest.mark.parametrize("convert", [
    lambda rgba: Image.fromarray(rgba),  # PIL RGBA
    lambda rgba: Image.fromarray(rgba).convert("RGB"),  # transparent -> black! handled below
    lambda rgba: Image.alpha_composite(Image.new("RGBA", (280, 280), "white"), Image.fromarray(rgba)).convert("L"),
    lambda rgba: Image.alpha_composite(Image.new("RGBA", (280, 280), "white"), Image.fromarray(rgba)).convert("RGB"),
    lambda rgba: np.asarray(Image.alpha_composite(Image.new("RGBA", (280, 280), "white"), Image.fromarray(rgba)).convert("L")),
    lambda rgba: np.asarray(Image.alpha_composite(Image.new("RGBA", (280, 280), "white"), Image.fromarray(rgba)).convert("L")) / 255.0,
    lambda rgba: np.asarray(Image.alpha_composite(Image.new("RGBA", (280, 280), "white"), Image.fromarray(rgba)).convert("RGB")).astype(np.float32) / 255,
    lambda rgba: rgba.astype(np.float64) / 255.0,  # float RGBA
    lambda rgba: rgba,  # uint8 RGBA
])
def test_modes_and_dtypes(convert):
    rgba = draw_sketch("7")
    reference = preprocess_drawing(sketch_value(rgba))
    image = convert(rgba)
    if isinstance(image, Image.Image) and image.mode == "RGB" and np.asarray(image)[0, 0].sum() == 0:
        # RGBA -> RGB drops alpha: black ink on black. Nothing to see, and it must say so.
        with pytest.raises(DrawingError):
            preprocess_drawing(image)
        return
    assert similarity(reference, preprocess_drawing(image)) > 0.98


def test_light_ink_on_dark_background_is_read_as_is():
    rgba = draw_sketch("7", background="white")
    dark = 255 - np.asarray(Image.fromarray(rgba).convert("L"))  # MNIST style: white on black
    assert similarity(preprocess_drawing(rgba), preprocess_drawing(dark)) > 0.98


def test_mnist_style_digit_passes_through_almost_unchanged():
    framed = preprocess_drawing(sketch_value(draw_sketch("0")))
    again = preprocess_drawing(framed)
    assert similarity(framed, again) > 0.97


def test_sketch_without_composite_uses_layers():
    rgba = draw_sketch("7")
    value = {"background": np.zeros_like(rgba), "layers": [rgba], "composite": None}
    np.testing.assert_allclose(preprocess_drawing(value), preprocess_drawing(sketch_value(rgba)), atol=1e-5)


@pytest.mark.parametrize("value", [
    sketch_value(None),
    sketch_value(np.zeros((280, 280, 4), np.uint8)),  # untouched canvas: transparent
    np.full((280, 280), 255, np.uint8),  # white page
    np.full((50, 60, 3), 0.5),  # uniform grey
])
def test_blank_drawings_say_draw_a_digit(value):
    with pytest.raises(DrawingError, match="Draw a digit"):
        preprocess_drawing(value)


def test_a_speck_is_not_a_digit():
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[100:110, 120:130] = (0, 0, 0, 255)
    with pytest.raises(DrawingError, match="speck"):
        preprocess_drawing(sketch_value(canvas))


def test_a_dense_scribble_is_not_a_digit():
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[40:240, 40:240] = (0, 0, 0, 255)  # the whole box painted over
    with pytest.raises(DrawingError, match="scribble"):
        preprocess_drawing(sketch_value(canvas))


def test_huge_image_is_shrunk_early_and_still_read():
    big = np.asarray(Image.fromarray(draw_sketch("1", background="white")).resize((6000, 6000)))
    assert imaging.to_grayscale(big).shape == (500, 500)
    digit = preprocess_drawing(big)
    assert digit.shape == (28, 28) and digit.max() > 0.9


@pytest.mark.parametrize("bad,match", [
    ("not an image", "expected a PIL image"),
    (np.zeros((10, 10, 2), np.uint8), "shape"),
    (np.zeros((0, 10), np.uint8), "empty"),
    (np.full((10, 10), np.nan), "NaN"),
])
def test_things_that_are_not_images_raise_value_error(bad, match):
    with pytest.raises(ValueError, match=match):
        preprocess_drawing(bad)
