"""Shared test helpers: synthetic drawings and tiny data sets in torchvision's layout."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

# Stroke paths of digits in a unit box (x, y in [0, 1], y down), drawn as a person would.
DIGIT_STROKES = {
    "0": [[(0.5, 0.0), (0.15, 0.2), (0.1, 0.5), (0.15, 0.8), (0.5, 1.0), (0.85, 0.8), (0.9, 0.5), (0.85, 0.2), (0.5, 0.0)]],
    "1": [[(0.55, 0.0), (0.45, 1.0)]],
    "7": [[(0.1, 0.05), (0.9, 0.05), (0.4, 1.0)]],
}
# All ten, for the tests that need many different drawings (a few points each: a browser draws them slowly)
TEN_DIGIT_STROKES = {
    **DIGIT_STROKES,
    "2": [[(0.15, 0.25), (0.4, 0.0), (0.75, 0.05), (0.85, 0.3), (0.15, 1.0), (0.9, 1.0)]],
    "3": [[(0.15, 0.1), (0.55, 0.0), (0.8, 0.2), (0.45, 0.5), (0.85, 0.7), (0.55, 1.0), (0.15, 0.9)]],
    "4": [[(0.6, 0.0), (0.1, 0.65), (0.9, 0.65)], [(0.65, 0.3), (0.65, 1.0)]],
    "5": [[(0.85, 0.0), (0.25, 0.0), (0.2, 0.45), (0.7, 0.45), (0.85, 0.75), (0.5, 1.0), (0.15, 0.9)]],
    "6": [[(0.7, 0.0), (0.25, 0.4), (0.25, 0.9), (0.6, 1.0), (0.8, 0.7), (0.55, 0.5), (0.25, 0.65)]],
    "8": [[(0.5, 0.5), (0.2, 0.25), (0.5, 0.0), (0.8, 0.25), (0.5, 0.5), (0.15, 0.75), (0.5, 1.0), (0.85, 0.75),
           (0.5, 0.5)]],
    "9": [[(0.8, 0.3), (0.5, 0.0), (0.2, 0.25), (0.5, 0.5), (0.8, 0.3), (0.75, 1.0)]],
}


def varied_strokes(strokes: list[list[tuple[float, float]]], rng: np.random.Generator,
                   wobble: float = 0.03) -> list[list[tuple[float, float]]]:
    """``strokes`` as another hand draws them: shifted, scaled, each point moved a little (unit box)."""
    scale, (dx, dy) = rng.uniform(0.8, 1.0), rng.uniform(-0.08, 0.08, 2)
    return [[(float(np.clip(0.5 + (x - 0.5) * scale + dx + rng.uniform(-wobble, wobble), 0, 1)),
              float(np.clip(0.5 + (y - 0.5) * scale + dy + rng.uniform(-wobble, wobble), 0, 1)))
             for x, y in stroke] for stroke in strokes]


def draw_sketch(
    digit: str = "7",
    canvas: int = 280,
    box: tuple[float, float, float, float] = (0.2, 0.15, 0.8, 0.85),
    width: int = 20,
    background: str = "transparent",
) -> np.ndarray:
    """An RGBA canvas like the sketch-pad's: black strokes of ``digit`` inside ``box`` (fractions)."""
    fill = (255, 255, 255, 255) if background == "white" else (0, 0, 0, 0)
    image = Image.new("RGBA", (canvas, canvas), fill)
    draw = ImageDraw.Draw(image)
    left, top, right, bottom = (v * canvas for v in box)
    for stroke in DIGIT_STROKES[digit]:
        points = [(left + x * (right - left), top + y * (bottom - top)) for x, y in stroke]
        draw.line(points, fill=(0, 0, 0, 255), width=width, joint="curve")
        for x, y in (points[0], points[-1]):
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=(0, 0, 0, 255))
    return np.asarray(image)


def sketch_value(composite: np.ndarray | None) -> dict:
    """What gr.Sketchpad(type='numpy') hands a handler."""
    return {"background": None, "layers": [] if composite is None else [composite], "composite": composite}


def _write_idx(path: Path, array: np.ndarray) -> None:
    magic = 0x0801 if array.ndim == 1 else 0x0803
    with open(path, "wb") as file:
        file.write(struct.pack(">I", magic) + b"".join(struct.pack(">I", n) for n in array.shape))
        file.write(array.astype(np.uint8).tobytes())


def write_idx_dataset(root: Path, name: str, train: tuple[np.ndarray, np.ndarray], test: tuple[np.ndarray, np.ndarray]) -> Path:
    """Write images/labels as torchvision's raw idx files under ``root/name/raw``; returns ``root``."""
    raw = root / name / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for split, (images, labels) in (("train", train), ("t10k", test)):
        _write_idx(raw / f"{split}-images-idx3-ubyte", images)
        _write_idx(raw / f"{split}-labels-idx1-ubyte", labels)
    return root


def _random_images(rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Random blobs with random labels: enough to run a training loop, nothing to learn."""
    return (rng.random((count, 28, 28)) > 0.8) * 255, rng.integers(0, 10, count)


@pytest.fixture
def tiny_mnist(tmp_path: Path) -> Path:
    """A 64 + 32 image MNIST look-alike in torchvision's layout."""
    rng = np.random.default_rng(0)
    return write_idx_dataset(tmp_path / "data", "MNIST", _random_images(rng, 64), _random_images(rng, 32))


def nothing_in_particular() -> np.ndarray:
    """A colour gradient with a yellow square: a photo of no garment, which the photo network is unsure about."""
    rows = np.linspace(0, 1, 240)[:, None, None]
    pixels = (np.concatenate([rows * 200 + 30, (1 - rows) * 180 + 40, np.full_like(rows, 120)], axis=2)
              * np.ones((1, 320, 1)))
    pixels[90:150, 130:190] = (200, 190, 40)
    return pixels.astype(np.uint8)


@pytest.fixture
def tiny_fashion_mnist(tmp_path: Path) -> Path:
    """A 64 + 32 image Fashion-MNIST look-alike in torchvision's layout."""
    rng = np.random.default_rng(1)
    return write_idx_dataset(tmp_path / "data", "FashionMNIST", _random_images(rng, 64), _random_images(rng, 32))


# --- the running app and a browser, shared by the browser tests --------------------------------

@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """`python app.py` on a free 127.0.0.1 port, once for the whole session."""
    from tests.app_process import running_app

    with running_app() as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium, once for the whole session."""
    from tests.browser import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture
def page(app_url: str, browser):
    """A fresh page on the running app (tests/test_browser*.py), once its Digits pad is drawn."""
    from playwright.sync_api import expect

    from tests.browser import open_page

    page = open_page(browser, app_url)
    expect(page.locator("#digits-sketchpad canvas").first).to_be_visible(timeout=30_000)
    yield page
    page.context.close()


def file_reference(path: Path | None) -> dict | None:
    """A file as Gradio hands it to an event with preprocess=False (a FileData dict)."""
    return None if path is None else {"path": str(path), "meta": {"_type": "gradio.FileData"}}
