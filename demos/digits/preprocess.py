"""Turn any drawing of a digit into the 28x28 input the classifier was trained on.

MNIST digits were made by scaling each digit's bounding box so its longer side is
20 px (keeping the aspect ratio) and centring the centre of mass in a 28x28 field,
white ink on black. `preprocess_drawing` does the same to a sketch-pad drawing, a
photo or scan, or an array; serving, the tests and the robustness checks all use it.
"""

from __future__ import annotations

import numpy as np
from demos import imaging

SIZE = 28  # model input side
BOX = 20  # longer side of the digit inside the field, as in MNIST
CENTER = (14.0, 14.0)  # mean centre of mass of MNIST training digits, (row, col)

INK_THRESHOLD = 0.2  # foreground level that counts as ink when cropping
MIN_INK_FRACTION = 0.1  # ink whose extent is below this share of the image side is a speck
MAX_INK_PIXELS = 320  # 28x28 pixels over 0.5; MNIST's densest digit has 275: more is a scribble
# Strokes are measured at 4x the final scale (MNIST's median width is ~11 px there). Thin pen
# strokes (a fine brush on a large canvas) nearly vanish when shrunk to 20 px: they are thickened
# to at least MIN_STROKE. Fat ones (a small digit drawn with the pad's brush, scaled up with its
# stroke) become blobs: they are eroded to at most MAX_STROKE, and the digit framed again.
WORK_SCALE = 4
MIN_STROKE = 8.0
MAX_STROKE = 16.0


class DrawingError(ValueError):
    """Why a drawing cannot be read as a digit (blank, a speck, a scribble)."""


def _stroke_width(mask: np.ndarray) -> float:
    """Mean stroke width of a binary mask: 2 x area / boundary length."""
    padded = np.pad(mask, 1)
    interior = (
        padded[1:-1, 1:-1] & padded[:-2, 1:-1] & padded[2:, 1:-1] & padded[1:-1, :-2] & padded[1:-1, 2:]
    )
    boundary = int((mask & ~interior).sum())
    return 2.0 * float(mask.sum()) / boundary if boundary else 0.0


def _dilate(array: np.ndarray) -> np.ndarray:
    """3x3 grey-level dilation: each stroke grows by a pixel on every side."""
    padded = np.pad(array, 1)
    height, width = array.shape
    return np.max(
        [padded[r : r + height, c : c + width] for r in range(3) for c in range(3)],
        axis=0,
    )


def _erode(array: np.ndarray, steps: int) -> np.ndarray:
    """Grey-level erosion by ``steps`` pixels, alternating 3x3 squares and crosses (a rounder pen)."""
    height, width = array.shape
    for step in range(steps):
        padded = np.pad(array, 1)
        offsets = [(r, c) for r in range(3) for c in range(3) if step % 2 == 0 or r == 1 or c == 1]
        array = np.min([padded[r : r + height, c : c + width] for r, c in offsets], axis=0)
    return array


def _normalise_strokes(ink: np.ndarray) -> np.ndarray:
    """Stretch faint strokes to full strength and thicken thin ones (at the working scale)."""
    visible = ink[ink > 0.02]
    if visible.size:
        peak = float(np.percentile(visible, 90))
        if peak < 1.0:
            ink = np.clip(ink / max(peak, 1e-3), 0.0, 1.0)
    for _ in range(4):
        if _stroke_width(ink > 0.5) >= MIN_STROKE:
            break
        ink = _dilate(ink)
    return ink


def _thin_fat_strokes(ink: np.ndarray) -> np.ndarray:
    """Erode strokes wider than MAX_STROKE (at the working scale) and crop to what is left, so the
    digit fills MNIST's box again; other drawings pass unchanged."""
    width = _stroke_width(ink > 0.5)
    if width <= MAX_STROKE:
        return ink
    thinner = _erode(ink, int(np.ceil((width - MAX_STROKE) / 2)))
    if not (thinner > 0.5).any():  # a solid blob has no stroke to keep: leave it
        return ink
    top, bottom, left, right = imaging.bounding_box(thinner > INK_THRESHOLD)
    return thinner[top:bottom, left:right]


def crop_to_ink(image: object) -> np.ndarray:
    """The ink of a drawing cropped to its bounding box: float (h, w), 1 = ink.

    Raises `DrawingError` for a blank drawing or a speck.
    """
    gray = imaging.to_grayscale(image)
    if gray is None:
        raise DrawingError("Draw a digit")
    ink, _ = imaging.foreground(gray)
    box = imaging.bounding_box(ink > INK_THRESHOLD)
    if box is None:
        raise DrawingError("Draw a digit")
    top, bottom, left, right = box
    if max(bottom - top, right - left) < max(3, MIN_INK_FRACTION * min(gray.shape)):
        raise DrawingError("Draw a digit — bigger, please: that is only a speck")
    return ink[top:bottom, left:right]


def _fitted(height: int, width: int) -> tuple[int, int]:
    """The size of a ``height`` x ``width`` drawing scaled so its longer side is BOX."""
    scale = BOX / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


def fit_digit(ink: np.ndarray) -> np.ndarray:
    """Cropped ink -> MNIST framing: longer side 20 px, centre of mass at the field's centre."""
    final_h, final_w = _fitted(*ink.shape)
    work = imaging.resize(ink, final_h * WORK_SCALE, final_w * WORK_SCALE)
    work = _thin_fat_strokes(_normalise_strokes(work))
    digit = imaging.resize(work, *_fitted(*work.shape))
    return imaging.place_by_center_of_mass(digit, SIZE, CENTER)


def preprocess_drawing(image: object) -> np.ndarray:
    """Any drawing -> (28, 28) float32 in [0, 1], white digit on black, MNIST-framed.

    ``image``: a Gradio sketch value, a PIL image, or a numpy array (H x W, H x W x 3
    or H x W x 4; uint8 or float) of dark ink on a light or transparent background
    (light ink on a dark background works too). Raises `DrawingError` (a
    ``ValueError``) with a message for people when there is no digit to read.
    """
    digit = fit_digit(crop_to_ink(image))
    if int((digit > 0.5).sum()) > MAX_INK_PIXELS:
        raise DrawingError("That looks like a scribble, not a digit: clear and draw one digit")
    return digit
