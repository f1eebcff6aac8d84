"""Image helpers shared by the image demos (digits, fashion, half-digit completion).

Every demo receives "whatever a person or a script hands over": a Gradio sketch
value (dict with ``composite``/``layers``/``background``), a PIL image in any mode,
or a numpy array. `to_grayscale` turns all of them into one thing, a float32 (H, W)
array in [0, 1] with transparency composited onto white (`to_rgb`: the same in colour,
for photos); `foreground` then finds
what stands out from the background, whichever way round the contrast is.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops, ImageOps

# Larger uploads are shrunk first so a request stays fast and bounded in memory.
MAX_WORKING_SIDE = 512
# what a visitor is told about a file that is no picture (random bytes, an empty or cut-short file)
UNREADABLE = "that file is not a picture that can be opened (PNG, JPEG, WebP, GIF, BMP or TIFF), or it is damaged"


class UnreadableImageError(ValueError):
    """A file that does not decode as an image; the message is a sentence for the visitor."""


def open_file(path: str) -> Image.Image:
    """An uploaded file, opened (decoded lazily, so a large JPEG can still be decoded small);
    `UnreadableImageError` when it is not an image."""
    try:
        return Image.open(path)
    except (OSError, Image.DecompressionBombError) as error:  # not an image, empty, or absurdly many pixels
        raise UnreadableImageError(UNREADABLE) from error


def _array_to_pil(array: np.ndarray) -> Image.Image:
    array = np.asarray(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ValueError(f"expected an image array of shape (H, W), (H, W, 3) or (H, W, 4), got {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"the image is empty (shape {array.shape})")
    if array.dtype == np.bool_:
        array = array.astype(np.uint8) * 255
    elif np.issubdtype(array.dtype, np.floating):
        if not np.isfinite(array).all():
            raise ValueError("the image contains NaN or infinite values")
        # floats are read as [0, 1]; values above 1 mean the caller used a 0-255 scale
        scale = 255.0 if array.max() <= 1.0 else 1.0
        array = np.clip(array * scale + 0.5, 0, 255).astype(np.uint8)
    elif array.dtype == np.uint16:
        array = (array >> 8).astype(np.uint8)
    elif np.issubdtype(array.dtype, np.integer):
        if array.dtype != np.uint8:
            array = np.clip(array, 0, 255).astype(np.uint8)
    else:
        raise ValueError(f"unsupported image dtype {array.dtype}")
    return Image.fromarray(np.ascontiguousarray(array))  # uint8: L, RGB or RGBA by shape


def _sketch_to_pil(sketch: Mapping) -> Image.Image | None:
    """A Gradio ImageEditor/Sketchpad value: its composite, else background and layers stacked;
    cropped to the uploaded photo when one sits letterboxed on the canvas (see `_photo_box`)."""
    composite = sketch.get("composite")
    if composite is not None:
        image = to_pil(composite)
    else:
        parts = [sketch.get("background"), *(sketch.get("layers") or [])]
        parts = [to_pil(part).convert("RGBA") for part in parts if part is not None]
        if not parts:
            return None
        image = parts[0]
        for layer in parts[1:]:
            image = Image.alpha_composite(image, layer.resize(image.size))
    box = _photo_box(sketch.get("background"), image.size)
    return image.crop(box) if box else image


def _photo_box(background: object, size: tuple[int, int]) -> tuple[int, int, int, int] | None:
    """A pad with a fixed canvas fits an uploaded photo into it, leaving transparent margins, which
    would otherwise pass for white paper around a dark photo. The box (in ``size`` pixels) of the
    background's opaque part when it has such margins; None for a plain drawing (opaque paper)."""
    if background is None:
        return None
    layer = to_pil(background)
    if layer.mode != "RGBA":
        return None
    box = layer.getchannel("A").getbbox()
    if box is None or box == (0, 0, *layer.size):
        return None
    scale_x, scale_y = size[0] / layer.size[0], size[1] / layer.size[1]
    return (round(box[0] * scale_x), round(box[1] * scale_y), round(box[2] * scale_x), round(box[3] * scale_y))


def to_pil(image: object) -> Image.Image | None:
    """A PIL image from a PIL image, numpy array or sketch dict; None for an empty sketch."""
    if isinstance(image, Mapping):
        return _sketch_to_pil(image)
    if isinstance(image, Image.Image):
        return image
    if isinstance(image, np.ndarray):
        return _array_to_pil(image)
    raise ValueError(f"expected a PIL image, a numpy array or a sketch dict, got {type(image).__name__}")


def to_8bit(image: Image.Image) -> Image.Image:
    """Any PIL mode -> L, RGB or RGBA, 8 bits per channel."""
    if image.mode in ("L", "RGB", "RGBA"):
        return image
    if image.mode.startswith("I;16"):
        return _array_to_pil(np.asarray(image).astype(np.uint16))  # 16-bit: keep the top 8 bits
    if image.mode in ("I", "F"):
        return _array_to_pil(np.asarray(image).astype(np.float64 if image.mode == "F" else np.int64))
    if image.mode in ("1", "LA", "La", "PA", "RGBa") or image.mode == "P" and "transparency" in image.info:
        return image.convert("RGBA")
    return image.convert("RGB")  # P, CMYK, YCbCr, LAB, HSV


def _decoded(image: object, max_side: int) -> Image.Image | None:
    """The image as an 8-bit PIL image (L, RGB or RGBA), upright (EXIF orientation), large JPEGs
    decoded at a reduced size; None for an empty sketch."""
    pil = to_pil(image)
    if pil is None:
        return None
    if pil.width == 0 or pil.height == 0:
        raise ValueError("the image is empty (0 pixels)")
    try:
        if pil.format == "JPEG" and max(pil.size) > max_side:
            pil.draft(pil.mode, (max_side, max_side))  # decode a large JPEG at a reduced size
        pil.load()  # a file opened lazily (`open_file`) is decoded here
        if pil.getexif().get(0x0112, 1) != 1:  # EXIF orientation tag
            pil = ImageOps.exif_transpose(pil)
        return to_8bit(pil)
    except (OSError, Image.DecompressionBombError) as error:  # a truncated or corrupt file
        raise UnreadableImageError(UNREADABLE) from error


def _shrunk(pil: Image.Image, max_side: int) -> Image.Image:
    factor = -(-max(pil.size) // max_side)  # ceil
    return pil.reduce(factor) if factor > 1 else pil  # area average


def to_grayscale(image: object, max_side: int = MAX_WORKING_SIDE) -> np.ndarray | None:
    """(H, W) float32 in [0, 1]; transparent pixels count as white. None for an empty sketch.

    Honours EXIF orientation and shrinks images whose longer side exceeds ``max_side``.
    """
    pil = _decoded(image, max_side)
    if pil is None:
        return None
    if pil.mode == "RGBA":
        # over white: darkness (255 - L) scaled by alpha; on one channel, ~10x faster than alpha_composite
        darkness = ImageChops.multiply(ImageOps.invert(pil.convert("RGB").convert("L")), pil.getchannel("A"))
        pil = ImageOps.invert(darkness)
    else:
        pil = pil.convert("L")
    gray = np.asarray(_shrunk(pil, max_side), dtype=np.float32)
    return gray / np.float32(255.0)


def to_rgb(image: object, max_side: int = MAX_WORKING_SIDE) -> np.ndarray | None:
    """(H, W, 3) uint8 colour; transparent pixels composited onto white. None for an empty sketch.

    Honours EXIF orientation and shrinks images whose longer side exceeds ``max_side``.
    """
    pil = _decoded(image, max_side)
    if pil is None:
        return None
    if pil.mode == "RGBA":
        pil = Image.alpha_composite(Image.new("RGBA", pil.size, (255, 255, 255, 255)), pil)
    return np.asarray(_shrunk(pil.convert("RGB"), max_side))


def border_pixels(gray: np.ndarray, width: int = 1) -> np.ndarray:
    """The pixels of the outermost ``width`` rows and columns, flattened."""
    width = max(1, min(width, min(gray.shape) // 2 or 1))
    return np.concatenate(
        [gray[:width].ravel(), gray[-width:].ravel(), gray[:, :width].ravel(), gray[:, -width:].ravel()]
    )


def foreground(gray: np.ndarray) -> tuple[np.ndarray, bool]:
    """How far each pixel stands out from the background, in [0, 1]; and whether it was inverted.

    The background is the median of the image border. On a light background
    (paper, a product photo, a sketch-pad) dark pixels are foreground and the
    result is inverted; on a dark one (MNIST style) it is not. Border noise is
    treated as background, so paper texture does not count as ink, while strokes
    that run off the edge do not make the border look noisy.
    """
    border = border_pixels(gray, width=max(1, min(gray.shape) // 50))
    background = float(np.median(border))
    inverted = background >= 0.5
    contrast = (background - gray) if inverted else (gray - background)
    # a robust noise level: ink or an object touching the border must not count as noise
    noise = min(0.5, 2.0 * float(np.percentile(np.abs(border - background), 75)))
    span = (background if inverted else 1.0 - background) - noise
    if span <= 1e-6:
        return np.zeros_like(gray), inverted
    return np.clip((contrast - noise) / span, 0.0, 1.0).astype(np.float32), inverted


def bounding_box(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, bottom, left, right), bottom/right exclusive, of the True pixels; None if there are none."""
    rows = np.flatnonzero(mask.any(axis=1))
    if rows.size == 0:
        return None
    cols = np.flatnonzero(mask.any(axis=0))
    return int(rows[0]), int(rows[-1]) + 1, int(cols[0]), int(cols[-1]) + 1


def resize(array: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize a float (H, W) array: area averaging when shrinking (thin strokes keep their mass)."""
    shrinking = height <= array.shape[0] and width <= array.shape[1]
    method = Image.Resampling.BOX if shrinking else Image.Resampling.BILINEAR
    image = Image.fromarray(np.ascontiguousarray(array, dtype=np.float32), mode="F")
    return np.asarray(image.resize((width, height), method), dtype=np.float32)


def center_of_mass(array: np.ndarray) -> tuple[float, float]:
    """(row, col) centre of mass of a non-negative (H, W) array; ``ValueError`` for an empty one."""
    total = float(array.sum())
    if not total > 0:
        raise ValueError("an empty image has no centre of mass")
    rows = np.arange(array.shape[0], dtype=np.float64)
    cols = np.arange(array.shape[1], dtype=np.float64)
    return float(array.sum(axis=1) @ rows / total), float(array.sum(axis=0) @ cols / total)


def place_by_center_of_mass(array: np.ndarray, size: int, center: tuple[float, float]) -> np.ndarray:
    """Paste ``array`` into a ``size`` x ``size`` black field, its centre of mass at ``center``.

    Integer shifts, as in MNIST; whatever falls outside the field is cut off.
    """
    row, col = center_of_mass(array)
    top = int(round(center[0] - row))
    left = int(round(center[1] - col))
    field = np.zeros((size, size), dtype=np.float32)
    src_top, src_left = max(0, -top), max(0, -left)
    dst_top, dst_left = max(0, top), max(0, left)
    height = min(array.shape[0] - src_top, size - dst_top)
    width = min(array.shape[1] - src_left, size - dst_left)
    if height > 0 and width > 0:
        field[dst_top : dst_top + height, dst_left : dst_left + width] = array[
            src_top : src_top + height, src_left : src_left + width
        ]
    return field


def save_small_png(image: Image.Image, path: Path | str) -> None:
    """Save ``image`` as a PNG; one of more than 256 colours (a photo, a screenshot) as a palette of 256:
    screenshots and galleries of photos stay small and look the same at the size they are shown.
    Fewer colours (grey digits, drawings) are kept exactly."""
    rgb = image.convert("RGB")
    if rgb.getcolors(maxcolors=256) is None:  # None: more than 256 colours
        rgb = rgb.quantize(256, method=Image.Quantize.MEDIANCUT)
    rgb.save(path, "PNG", optimize=True)


PNG_DATA_URL = "data:image/png;base64,"


def pixels_of_png_data_url(text: str, side: int) -> np.ndarray:
    """A ``side`` x ``side`` PNG as a data URL (what a page's canvas.toDataURL() gives) -> its (side,
    side, 4) uint8 RGBA pixels; `ValueError` with a sentence for anything else. Decoded in full
    only after its header says the size is right, so no text can make it decode a huge picture."""
    if not isinstance(text, str) or not text.startswith(PNG_DATA_URL):
        raise ValueError(f"a drawing is sent as a PNG data URL ({PNG_DATA_URL}...)")
    if len(text) > 4 * side * side + 1024:  # 3 bytes of PNG a pixel: far more than a drawing needs (a few KB)
        raise ValueError(f"that drawing is larger than a {side}x{side} PNG can be")
    try:
        data = base64.b64decode(text[len(PNG_DATA_URL):], validate=True)
        image = Image.open(io.BytesIO(data), formats=["PNG"])
        if image.size != (side, side):
            raise ValueError(f"a drawing is {side}x{side} pixels, not {image.size[0]}x{image.size[1]}")
        return np.asarray(image.convert("RGBA"))
    except (OSError, binascii.Error, Image.DecompressionBombError) as error:
        raise ValueError("that drawing is not a PNG picture that can be opened, or it is damaged") from error
