"""The Half-digit completion tab: draw the left half of a digit, the UNet draws the rest."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
import numpy as np

from demos import ui
from demos.completion.model import HALF
from demos.completion.predict import complete
from demos.completion.preprocess import CANVAS, HalfDrawingError, guide_image, left_half_from_drawing
from demos.digits.predict import LABELS, digit_probabilities

PAD_ID = "completion-sketchpad"
HINT = "Draw the left half of a digit"
BRUSH = 12  # px radius on the 280 px canvas: ~2.4 MNIST pixels wide, like MNIST strokes
EXAMPLES = sorted((Path(__file__).parent / "examples").glob("*.png"))
SCALE = 10  # 28 px -> 280 px
# the pad's own "Clear canvas" would wipe the guides (Clear puts them back instead)
CSS = f"#completion-picture img {{ image-rendering: pixelated; }}\n#{PAD_ID} button[aria-label='Clear canvas'] {{ display: none; }}\n"
DRAWN, GENERATED, BOUNDARY = np.array([255, 255, 255]), np.array([255, 170, 40]), np.array([90, 140, 255])


def completion_picture(whole: np.ndarray, scale: int = SCALE) -> np.ndarray:
    """(28, 28) completion -> (28s, 28s, 3) uint8: drawn half white, generated half orange, dashed boundary."""
    colour = np.where(np.arange(whole.shape[1])[None, :, None] < HALF, DRAWN, GENERATED)  # (1, 28, 3)
    picture = (whole[:, :, None] * colour).astype(np.uint8)
    picture = np.kron(picture, np.ones((scale, scale, 1), dtype=np.uint8))
    boundary = HALF * scale
    for top in range(0, picture.shape[0], 2 * scale):
        picture[top : top + scale, boundary - 1 : boundary + 1] = BOUNDARY
    return picture


def blank_pad() -> dict:
    """The pad's value with nothing drawn: the guides as background."""
    return {"background": guide_image(), "layers": [], "composite": None}


def complete_for_ui(sketch: dict | np.ndarray | None) -> tuple[np.ndarray | None, dict[str, float] | str]:
    """Sketch-pad value (or an example picture in the same framing) -> (completion picture, the digits
    model's reading of it); a hint instead when the left half is blank."""
    if sketch is None:
        return None, HINT
    try:
        left = left_half_from_drawing(sketch)
    except HalfDrawingError as hint:
        return None, str(hint)
    except ValueError as problem:
        return None, f"Could not read that image: {problem}"
    whole = complete(left)
    probabilities = digit_probabilities(whole[None])[0]
    return completion_picture(whole), {label: float(p) for label, p in zip(LABELS, probabilities)}


def build_tab(demo: gr.Blocks) -> None:
    """The tab's components and events, inside ``demo`` (which it uses for page-load events)."""
    gr.Markdown(
        "Draw the **left half** of a digit inside the blue box, left of the dashed line — the right half "
        "is ignored. A UNet that has only ever seen left halves draws the rest (in orange), and the "
        "digit classifier says what it reads in the result."
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            # The guides are the pad's background, so the events read the composite, the app hides the
            # pad's own "Clear canvas" (it would wipe the guides) and Clear puts a fresh guide back.
            sketch = ui.sketchpad(PAD_ID, "Draw the left half", CANVAS, BRUSH, value=blank_pad())
            clear = gr.Button("Clear", variant="secondary", elem_id="completion-clear")
            example = gr.Image(type="numpy", image_mode="RGB", visible=False)
            if EXAMPLES:
                gr.Examples(examples=[[str(path)] for path in EXAMPLES], inputs=example, label=(
                    "Left halves of MNIST training digits (click one to complete it)"))
        with gr.Column(scale=2, min_width=220):
            picture = gr.Image(label="Completed digit (white: drawn, orange: generated)", type="numpy",
                               interactive=False, buttons=["download"], elem_id="completion-picture")
            label = gr.Label(value=HINT, num_top_classes=3, label="The digit classifier reads",
                             elem_id="completion-label")
    # With a background set, Gradio 6.31 fires `input` after every stroke but `change` only later.
    gr.on([sketch.input, sketch.change], complete_for_ui, inputs=sketch, outputs=[picture, label],
          api_name="complete_digit", show_progress="hidden", trigger_mode="always_last")
    example.change(complete_for_ui, inputs=example, outputs=[picture, label], api_visibility="private",
                   show_progress="hidden")
    clear.click(blank_pad, outputs=sketch, api_visibility="private").then(None, js=ui.select_brush_js(PAD_ID))
    demo.load(None, js=ui.select_brush_js(PAD_ID))
