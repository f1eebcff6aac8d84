"""From a sketch-pad drawing to the half digit the UNet completes, and the canvas guides.

Half a digit cannot be framed by its own centre of mass, so the sketch-pad itself is
the 28x28 MNIST field, 10 canvas pixels per MNIST pixel: a box marks where MNIST puts
a digit (rows and columns 4-24) and a midline marks column 14. People draw the left
half inside the box; the canvas is shrunk to 28x28 as it is, and the model zeroes
columns 14-27, exactly as the training inputs were made.

The guides are drawn in colours whose brightest channel is full (light blue), and ink
is measured as darkness of the brightest channel, so the guides never count as ink.
"""

from __future__ import annotations

import functools

import numpy as np
from PIL import Image, ImageDraw

from demos import imaging
from demos.completion.model import HALF, SIZE

CANVAS = SIZE * 10  # 280 px: 10 canvas pixels per MNIST pixel
BRUSH = 12  # px radius of the pad's brush: ~2.4 MNIST pixels wide, like MNIST strokes
BOX = (4, 24)  # MNIST's 20x20 digit box, in MNIST pixels
MIN_INK = 3.0  # summed intensity (in 28x28 pixels) below which the left half is blank
MAX_INK = 160.0  # ... above which it is a scribble or a dark pad (MNIST's densest left half: 129)

GUIDE_LINE = (90, 140, 255)
RIGHT_HALF_TINT = GUIDE_LINE + (47,)  # on white: (225, 234, 255)


class HalfDrawingError(ValueError):
    """Why a drawing cannot be completed (nothing drawn in the left half)."""


@functools.cache
def guide_overlay() -> np.ndarray:
    """The guides as a transparent layer over the paper: tinted right half, digit box, midline.

    (280, 280, 4) uint8 RGBA. The tab lays it over the sketch-pad (it is not part of the pad's
    value, so clearing the pad never has to put it back). Made once and read-only.
    """
    image = Image.new("RGBA", (CANVAS, CANVAS), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    middle = HALF * 10
    draw.rectangle((middle, 0, CANVAS, CANVAS), fill=RIGHT_HALF_TINT)
    low, high = BOX[0] * 10, BOX[1] * 10
    draw.rectangle((low, low, high, high), outline=GUIDE_LINE + (255,), width=2)
    for y in range(0, CANVAS, 12):  # dashed midline
        draw.line((middle, y, middle, y + 6), fill=GUIDE_LINE + (255,), width=2)
    draw.multiline_text((middle + 10, CANVAS - 32), "ignored: the network\ndraws this half", fill=GUIDE_LINE + (255,))
    guides = np.asarray(image).copy()
    guides.flags.writeable = False
    return guides


@functools.cache
def guide_image() -> np.ndarray:
    """The guides on white paper, as the examples show them. (280, 280, 3) uint8, read-only."""
    paper = Image.new("RGBA", (CANVAS, CANVAS), (255, 255, 255, 255))
    image = np.asarray(Image.alpha_composite(paper, Image.fromarray(guide_overlay())).convert("RGB")).copy()
    image.flags.writeable = False
    return image


def ink_on_paper(image: object) -> np.ndarray:
    """A picture in the tab's framing (guides or not) -> the ink alone on white paper, (280, 280, 4) uint8.

    This is what an example puts on the pad: the guides are the pad's overlay already.
    """
    rgb = imaging.to_rgb(image)
    if rgb is None:
        raise ValueError("expected a picture, got an empty sketch")
    darkness = 255 - np.asarray(Image.fromarray(rgb).resize((CANVAS, CANVAS), Image.Resampling.BILINEAR)).max(axis=2)
    paper = np.full((CANVAS, CANVAS, 4), 255, np.uint8)
    paper[:, :, :3] = (255 - darkness)[:, :, None]
    return paper


def drawing_to_field(image: object) -> np.ndarray:
    """A drawing on the guide canvas (or any image of that framing) -> (28, 28) float32 ink in [0, 1].
    A large upload is decoded small first (`imaging.to_rgb`), so it costs no more than a drawing."""
    rgb = imaging.to_rgb(image)  # transparent counts as white paper
    if rgb is None:  # an empty sketch value
        return np.zeros((SIZE, SIZE), dtype=np.float32)
    brightest = rgb.max(axis=2)
    darkness = Image.fromarray(255 - brightest)
    field = np.asarray(darkness.resize((SIZE, SIZE), Image.Resampling.BOX), dtype=np.float32) / 255.0
    return np.clip(field, 0.0, 1.0)


def half_digit_from_drawing(image: object) -> np.ndarray:
    """The drawing as the network's (28, 28) float32 input; only its left half is read (the model masks
    the rest, see `CompletionUNet.complete`).

    Raises `HalfDrawingError` when the left half holds (almost) no ink, or far more than any digit's.
    """
    field = drawing_to_field(image)
    ink = float(field[:, :HALF].sum())
    if ink < MIN_INK:
        raise HalfDrawingError("Draw the left half of a digit inside the box (left of the dashed line)")
    if ink > MAX_INK:
        raise HalfDrawingError("That is far too much ink for half a digit: clear the pad and draw the left half "
                               "of one digit")
    return field
