"""Turn a photo of a garment into the 28x28 input the Fashion-MNIST classifier expects.

Fashion-MNIST items are product photos turned grey, trimmed to the item, resized so
the longer side is 28 px, centred, and negated: a light item on black. A typical
upload is the opposite, a darker item on a light background, at any size. So:
find the background from the border, invert when it is light, crop to the item,
pad to a square, resize, centre. An image already in Fashion-MNIST style (28x28,
dark background) passes through unchanged.
"""

from __future__ import annotations

import numpy as np
from demos import imaging

SIZE = 28
ITEM_THRESHOLD = 0.06  # foreground level that counts as part of the item when cropping
MIN_ITEM_FRACTION = 0.08  # an item smaller than this share of the image side is no item
MIN_CONTRAST = 0.04  # images whose whole range is below this are blank or uniform


class PhotoError(ValueError):
    """Why an image cannot be read as a garment (blank, uniform, nothing in it)."""


def preprocess_photo(image: object) -> np.ndarray:
    """Any image -> (28, 28) float32 in [0, 1], light item on black, Fashion-MNIST framing.

    ``image``: a PIL image (any mode, EXIF orientation honoured) or a numpy array.
    Raises `PhotoError` (a ``ValueError``) with a message for people when there is nothing to see.
    """
    gray = imaging.to_grayscale(image)
    if gray is None:
        raise PhotoError("Upload a photo of one piece of clothing")
    if float(gray.max() - gray.min()) < MIN_CONTRAST:
        raise PhotoError("This image is blank (one flat colour): upload a photo of one piece of clothing")
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
