"""preprocess_item: the inversion decision, cropping, modes, EXIF, huge and blank images."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from demos.fashion.preprocess import SIZE, PhotoError, preprocess_item


def product_photo(size: tuple[int, int] = (400, 300), item: tuple[int, int, int, int] = (150, 40, 250, 260),
                  shade: int = 60, paper: int = 245) -> Image.Image:
    """A darker, tall item (think trousers) on a light background, as an RGB photo."""
    image = Image.new("RGB", size, (paper, paper, paper))
    draw = ImageDraw.Draw(image)
    draw.rectangle(item, fill=(shade, shade, shade + 20))
    return image


def test_a_light_background_is_inverted_and_the_item_cropped_and_centred():
    out = preprocess_item(product_photo())
    assert out.shape == (SIZE, SIZE) and out.dtype == np.float32
    assert out[0, 0] == 0.0 and out[14, 14] > 0.6  # black background, light item
    rows, cols = np.nonzero(out > 0.3)
    assert rows.min() == 0 and rows.max() == SIZE - 1  # the longer side fills 28 px
    assert abs((cols.min() + cols.max()) / 2 - 13.5) <= 1  # centred
    assert 11 <= cols.max() - cols.min() + 1 <= 15  # aspect ratio kept (100 x 220 -> ~13 x 28)


def test_a_dark_background_is_not_inverted():
    photo = product_photo(shade=200, paper=20)  # light item on a dark background
    out = preprocess_item(photo)
    assert out[0, 0] == 0.0 and out[14, 14] > 0.6


def test_fashion_mnist_style_passes_through_unchanged():
    rng = np.random.default_rng(0)
    item = np.zeros((SIZE, SIZE), np.uint8)
    item[2:26, 6:22] = rng.integers(80, 255, (24, 16))
    np.testing.assert_array_equal(preprocess_item(item), item.astype(np.float32) / 255)
    np.testing.assert_array_equal(preprocess_item(Image.fromarray(item)), item.astype(np.float32) / 255)


@pytest.mark.parametrize("convert", [
    lambda im: im.convert("L"),
    lambda im: im.convert("P", palette=Image.Palette.ADAPTIVE),
    lambda im: im.convert("CMYK"),
    lambda im: Image.fromarray(np.asarray(im.convert("L")).astype(np.uint16) * 257),  # 16-bit grey
    lambda im: Image.fromarray(np.asarray(im.convert("L")).astype(np.float32) / 255.0),  # float array
    lambda im: np.asarray(im),  # RGB uint8 array
])
def test_modes(convert):
    reference = preprocess_item(product_photo())
    converted = convert(product_photo())
    out = preprocess_item(converted)
    assert np.abs(out - reference).max() < 0.08


def test_transparent_background_counts_as_light():
    photo = Image.new("RGBA", (300, 300), (0, 0, 0, 0))  # transparent *black* pixels
    ImageDraw.Draw(photo).ellipse((60, 60, 240, 240), fill=(40, 40, 40, 255))
    out = preprocess_item(photo)
    assert out[0, 0] == 0.0 and out[14, 14] > 0.7


def test_exif_orientation_is_honoured():
    upright = product_photo()  # tall item
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 degrees clockwise to view"
    upright.transpose(Image.Transpose.ROTATE_90).save(buffer, format="JPEG", exif=exif, quality=95)
    stored_sideways = Image.open(io.BytesIO(buffer.getvalue()))
    out = preprocess_item(stored_sideways)
    rows, cols = np.nonzero(out > 0.3)
    assert rows.max() - rows.min() > cols.max() - cols.min()  # tall again
    assert np.abs(out - preprocess_item(upright)).max() < 0.15


def test_huge_upload_is_shrunk_early():
    huge = product_photo(size=(8000, 8000), item=(3000, 500, 5000, 7500))
    out = preprocess_item(huge)
    assert out.shape == (SIZE, SIZE) and out[14, 14] > 0.6


@pytest.mark.parametrize("blank", [
    Image.new("RGB", (640, 480), (255, 255, 255)),
    Image.new("RGB", (640, 480), (30, 90, 200)),  # one flat colour
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)),
    np.zeros((SIZE, SIZE), np.uint8),
])
def test_blank_or_uniform_images_are_refused_with_a_message(blank):
    with pytest.raises(PhotoError, match="blank"):
        preprocess_item(blank)


def test_a_tiny_speck_is_not_a_garment():
    photo = Image.new("RGB", (1000, 1000), (255, 255, 255))
    ImageDraw.Draw(photo).rectangle((500, 500, 510, 510), fill=(0, 0, 0))
    with pytest.raises(PhotoError, match="too small"):
        preprocess_item(photo)
