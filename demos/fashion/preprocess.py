"""Turn an upload into what one of the two garment networks reads.

Grey images (Fashion-MNIST items, grey product shots) go to the Fashion-MNIST network as a
28x28 item: Fashion-MNIST items are product photos turned grey, trimmed to the item,
resized so the longer side is 28 px, centred, and negated: a light item on black. A grey
upload is usually the opposite, a darker item on a light background, at any size. So:
find the background from the border, invert when it is light, crop to the item, pad to a
square, resize, centre (`preprocess_item`). An image already in Fashion-MNIST style (28x28,
dark background) passes through unchanged.

Colour images are photos: they go whole, squeezed to 128x128 colour pixels, to the photo
network (`photo_input`), which learned from real phone photos where garments lie on beds,
floors and hangers. Whole rather than cut out: segmenting the garment from such
backgrounds first and reading the cut-out lost more than it gained (see the README).
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from demos import imaging
from demos.fashion.model import PHOTO_SIZE

SIZE = 28
ITEM_THRESHOLD = 0.06  # foreground level that counts as part of the item when cropping
MIN_ITEM_FRACTION = 0.08  # an item smaller than this share of the image side is no item
MIN_CONTRAST = 0.04  # images whose whole range is below this are blank or uniform
PHOTO_WORKING_SIDE = 256  # photos are decoded and shrunk to at most this before anything else
GREY_TOLERANCE = 6  # 0-255 levels: a pixel whose channels differ by no more than this is grey
MIN_COLOUR_SHARE = 0.01  # an image with a smaller share of coloured pixels is grey (phone photos: >= 3.6%)
NO_IMAGE = "Upload a photo of one piece of clothing"
BLANK = "This image is blank (one flat colour): upload a photo of one piece of clothing"


class PhotoError(ValueError):
    """Why an image cannot be read as a garment (blank, uniform, nothing in it)."""


def decode(image: object) -> np.ndarray:
    """Any image -> (H, W, 3) uint8 colour, longer side at most PHOTO_WORKING_SIDE (a large JPEG is
    decoded at a reduced size), EXIF orientation honoured, transparency over white.

    Raises `PhotoError` for an empty sketch and a blank (one flat colour) image.
    """
    rgb = imaging.to_rgb(image, max_side=PHOTO_WORKING_SIDE)
    if rgb is None:
        raise PhotoError(NO_IMAGE)
    pixels = rgb.reshape(-1, 3)
    if int((pixels.max(axis=0).astype(np.int16) - pixels.min(axis=0)).max()) < MIN_CONTRAST * 255:
        raise PhotoError(BLANK)
    return rgb


def is_grey(rgb: np.ndarray) -> bool:
    """Whether an (H, W, 3) uint8 image has no colour (all but a few pixels' channels agree)."""
    spread = rgb.max(axis=2).astype(np.int16) - rgb.min(axis=2)
    return float(np.mean(spread > GREY_TOLERANCE)) < MIN_COLOUR_SHARE


def photo_input(rgb: np.ndarray, size: int = PHOTO_SIZE) -> np.ndarray:
    """A decoded colour photo (see `decode`) -> (size, size, 3) float32 in [0, 1]: the whole photo,
    squeezed to a square, as the photo network was trained (area averaging)."""
    square = Image.fromarray(rgb).resize((size, size), Image.Resampling.BOX)
    return np.asarray(square, dtype=np.float32) / np.float32(255.0)


def preprocess_item(image: object) -> np.ndarray:
    """Any image -> (28, 28) float32 in [0, 1], light item on black, Fashion-MNIST framing.

    ``image``: a PIL image (any mode, EXIF orientation honoured) or a numpy array; colour is
    ignored (see `decode` and `is_grey` for how the Fashion tab picks this path).
    Raises `PhotoError` (a ``ValueError``) with a message for people when there is nothing to see.
    """
    gray = imaging.to_grayscale(image)
    if gray is None:
        raise PhotoError(NO_IMAGE)
    if float(gray.max() - gray.min()) < MIN_CONTRAST:
        raise PhotoError(BLANK)
    item, inverted = imaging.foreground(gray)
    if gray.shape == (SIZE, SIZE) and not inverted:
        return gray  # already Fashion-MNIST style: exactly what the model was trained on
    box = imaging.bounding_box(item > ITEM_THRESHOLD)
    if box is None:
        raise PhotoError("Nothing stands out from the background: upload a photo of one piece of clothing")
    top, bottom, left, right = box
    height, width = bottom - top, right - left
    if max(height, width) < max(2, MIN_ITEM_FRACTION * min(gray.shape)):
        raise PhotoError("The item is too small to see: crop the photo to the piece of clothing")
    crop = item[top:bottom, left:right]
    # longer side -> 28 px, keeping the aspect ratio; then centred on black
    scale = SIZE / max(height, width)
    new_h, new_w = max(1, round(height * scale)), max(1, round(width * scale))
    resized = np.clip(imaging.resize(crop, new_h, new_w), 0.0, 1.0)
    field = np.zeros((SIZE, SIZE), dtype=np.float32)
    y, x = (SIZE - new_h) // 2, (SIZE - new_w) // 2
    field[y : y + new_h, x : x + new_w] = resized
    return field
