"""Gradio pieces that several tabs share. Imported only by tab builders and app.py."""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr
import numpy as np

from demos.classifier import Reading

MODEL_VIEW_SCALE = 6  # 28 px -> 168 px, crisp pixels instead of the browser's blur
CSS = ".model-view img { image-rendering: pixelated; }\n"


# Gradio's sketch-pad starts (and restarts after "Clear canvas") with no tool chosen, so a
# first stroke would draw nothing: the tabs choose the brush for the visitor. Clearing goes
# through the pad's own "Clear canvas" (setting its value to None from Python leaves it unusable).
def select_brush_js(pad_id: str) -> str:
    """JS for an event's ``js=``: click the Brush tool of sketch-pad ``#pad_id`` once it is on the page."""
    return f"""
() => {{
  let tries = 0;
  const timer = setInterval(() => {{
    const brush = document.querySelector("#{pad_id} button[aria-label='Brush']");
    if (brush || ++tries > 50) clearInterval(timer);
    if (brush) brush.click();
  }}, 100);
}}
"""


def clear_pad_js(pad_id: str) -> str:
    """JS for a Clear button: press the pad's own "Clear canvas", then choose the brush again."""
    return f"""
() => {{
  document.querySelector("#{pad_id} button[aria-label='Clear canvas']")?.click();
  ({select_brush_js(pad_id).strip()})();
}}
"""


def sketchpad(pad_id: str, label: str, canvas: int, brush_radius: int, **options) -> gr.Sketchpad:
    """A black-brush sketch-pad of ``canvas`` x ``canvas`` px, one layer, no crop tool.

    A small canvas keeps the browser's export (most of the wait after a stroke) short; the
    brush radius is chosen with it, so strokes have MNIST-like width at 28 px.
    """
    return gr.Sketchpad(
        label=label,
        type="numpy",
        image_mode="RGBA",
        canvas_size=(canvas, canvas),
        brush=gr.Brush(default_size=brush_radius, colors=["#000000"], color_mode="fixed"),
        layers=False,
        transforms=(),
        elem_id=pad_id,
        **options,
    )


def model_view(label: str = "What the model sees (28×28)") -> gr.Image:
    """A small image showing the exact 28x28 input the network got."""
    return gr.Image(label=label, type="numpy", image_mode="L", interactive=False, buttons=[],
                    elem_classes=["model-view"])


def enlarge(image: np.ndarray, scale: int = MODEL_VIEW_SCALE) -> np.ndarray:
    """(H, W) float in [0, 1] -> uint8, each pixel a ``scale`` x ``scale`` block."""
    pixels = (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return np.kron(pixels, np.ones((scale, scale), dtype=np.uint8))


def show_reading(
    read: Callable[[object], Reading], image: object, hint: str
) -> tuple[dict[str, float] | str, np.ndarray | None]:
    """A classifier's answer for a gr.Label and a model view: probabilities and the enlarged
    input, or a message in the label's place (no image) when there is nothing to classify."""
    if image is None:
        return hint, None
    try:
        reading = read(image)
    except ValueError as problem:  # not an image we can read (odd upload)
        return f"Could not read that image: {problem}", None
    if reading.message:
        return reading.message, None
    return reading.probabilities, enlarge(reading.model_input)
