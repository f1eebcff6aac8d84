"""The Half-digit completion tab: draw the left half of a digit, the UNet draws the rest.

The tab lays out and wires; `build_tab` gets the demo's `complete_drawing` and `ink_on_paper`
(demos.completion.predict), which own the pipeline.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from demos import ui
from demos.completion.predict import CANVAS, HALF, Completion
from demos.completion.preprocess import BRUSH

PAD_ID, PICTURE_ID, LABEL_ID = "completion-sketchpad", "completion-picture", "completion-label"
HINT = "Draw the left half of a digit"
EXAMPLES = sorted((Path(__file__).parent / "examples").glob("*.png"))
SCALE = 10  # 28 px -> 280 px
DRAWN, GENERATED, BOUNDARY = np.array([255, 255, 255]), np.array([255, 170, 40]), np.array([90, 140, 255])

PAGE = ui.PageScript(
    pads={PAD_ID: ui.pad_entry(CANVAS, LABEL_ID, "Drawing area: draw the left half of a digit, left of the dashed "
                                                 "line")},
    images={PICTURE_ID: "The completed digit: your half in white, the network's half in orange"},
    examples={path.name: f"Example: the left half of a {path.stem.split('-')[2]} from the MNIST training set"
              for path in EXAMPLES},
)


def guides_css(guides: np.ndarray) -> str:
    """CSS that puts the guides (RGBA, made into a PNG of a few KB) on the overlay `ui.js` lays over the paper."""
    png = io.BytesIO()
    Image.fromarray(guides).save(png, format="PNG", optimize=True)
    data = base64.b64encode(png.getvalue()).decode()
    return (f"#{PAD_ID} .pad-paper {{ background-image: url(data:image/png;base64,{data}); }}\n"
            f"#{PICTURE_ID} img {{ image-rendering: pixelated; }}\n")


def completion_picture(whole: np.ndarray, scale: int = SCALE) -> np.ndarray:
    """(28, 28) completion -> (28s, 28s, 3) uint8: drawn half white, generated half orange, dashed boundary."""
    colour = np.where(np.arange(whole.shape[1])[None, :, None] < HALF, DRAWN, GENERATED)  # (1, 28, 3)
    picture = (whole[:, :, None] * colour).astype(np.uint8)
    picture = np.kron(picture, np.ones((scale, scale, 1), dtype=np.uint8))
    boundary = HALF * scale
    for top in range(0, picture.shape[0], 2 * scale):
        picture[top : top + scale, boundary - 1 : boundary + 1] = BOUNDARY
    return picture


def complete_for_ui(
    complete_drawing: Callable[[object], Completion], sketch: object
) -> tuple[str | None, dict[str, float] | str]:
    """Sketch-pad value (see `ui.opened`), or a picture in the same framing -> (file of the
    completion picture, the digits model's reading of it); a hint instead when the left half is
    blank, the sentence (and the picture) when the completion is no digit."""
    if sketch is None:
        return None, HINT
    try:
        completion = complete_drawing(ui.opened(sketch))
    except ValueError as problem:
        return None, f"Could not read that image: {problem}"
    picture = None if completion.whole is None else ui.picture_file(completion_picture(completion.whole), "completed")
    return picture, completion.message or completion.probabilities


def example_for_ui(
    complete_drawing: Callable[[object], Completion], ink_on_paper: Callable[[object], np.ndarray],
    picture: np.ndarray | None,
) -> tuple[dict | None, np.ndarray | None, dict[str, float] | str]:
    """An example picked -> (the pad showing its half, so it can be extended; completion picture; reading)."""
    if picture is None:
        return None, None, HINT
    return {"background": ink_on_paper(picture), "layers": [], "composite": None}, *complete_for_ui(
        complete_drawing, picture)


def build_tab(complete_drawing: Callable[[object], Completion], ink_on_paper: Callable[[object], np.ndarray]) -> None:
    """The tab's components and events."""
    gr.Markdown(
        "Draw the **left half** of a digit inside the blue box, left of the dashed line — the right half "
        "is ignored. A UNet that has only ever seen left halves draws the rest (in orange), and the "
        "digit classifier says what it reads in the result."
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            # The pad is the 28x28 MNIST field; its guides are an overlay (ui.js), not part of its value.
            sketch = ui.sketchpad(PAD_ID, "Draw the left half", CANVAS, BRUSH)
            clear = gr.Button("Clear", variant="secondary", elem_id="completion-clear")
        with gr.Column(scale=2, min_width=220):
            picture = gr.Image(label="Completed digit (white: drawn, orange: generated)", type="numpy",
                               interactive=False, buttons=["download"], height=240, elem_id=PICTURE_ID)
            label = gr.Label(value=HINT, num_top_classes=3, label="The digit classifier reads", elem_id=LABEL_ID)
    example = gr.Image(type="numpy", image_mode="RGB", visible=False)
    if EXAMPLES:
        # run on every click (watching the hidden image's value would miss a second click on the same one)
        gr.Examples(examples=[[str(path)] for path in EXAMPLES], inputs=example, outputs=[sketch, picture, label],
                    fn=lambda value: example_for_ui(complete_drawing, ink_on_paper, value), run_on_click=True,
                    cache_examples=False, api_visibility="private",
                    label="Left halves of MNIST training digits (click one to put it on the pad)")
    sketch.change(lambda value: complete_for_ui(complete_drawing, value), inputs=sketch, outputs=[picture, label],
                  api_name="complete_digit",
                  show_progress="hidden", trigger_mode="always_last").then(
        None, js=ui.result_shown_js(LABEL_ID), api_visibility="private")
    # the pad clears itself in the browser; the result is reset too, whatever the pad's events do meanwhile
    clear.click(lambda: (None, HINT), outputs=[picture, label], js=ui.clear_pad_js(PAD_ID), api_visibility="private",
                show_progress="hidden")
