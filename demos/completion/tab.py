"""The Half-digit completion tab: draw the left half of a digit, the UNet draws the rest.

The tab lays out and wires; `build_tab` gets the demo's `complete_drawing` and `ink_on_paper`
(demos.completion.predict), which own the pipeline, and its under-the-hood views
(demos.completion.inside.VIEWS).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from demos import hood, ui
from demos.completion.inside import Views
from demos.completion.predict import CANVAS, HALF, Completion
from demos.completion.preprocess import BRUSH

PAD_ID, PICTURE_ID, LABEL_ID, HOOD_ID = "completion-sketchpad", "completion-picture", "completion-label", "completion-hood"
HINT = "Draw the left half of a digit"
EXAMPLES = sorted((Path(__file__).parent / "examples").glob("*.png"))
SCALE = 10  # 28 px -> 280 px
DRAWN, GENERATED, BOUNDARY = np.array([255, 255, 255]), np.array([255, 170, 40]), np.array([90, 140, 255])

PAGE = ui.PageScript(
    pads={PAD_ID: ui.pad_entry(CANVAS, LABEL_ID, "Drawing area: draw the left half of a digit, left of the dashed "
                                                 "line", BRUSH, HOOD_ID)},
    images={PICTURE_ID: "The completed digit: your half in white, the network's half in orange",
            f"{HOOD_ID}-raw": "The UNet's raw output: white where it is sure of ink, grey where it is unsure"},
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
) -> tuple[str | None, dict[str, float] | str, np.ndarray | None]:
    """Sketch-pad value (see `ui.opened`), or a picture in the same framing -> (file of the
    completion picture, the digits model's reading of it, the completion itself for the "Under the
    hood" panel); a hint instead when the left half is blank, the sentence (and the picture) when
    the completion is no digit."""
    if sketch is None:
        return None, HINT, None
    try:
        completion = complete_drawing(ui.opened(sketch))
    except ValueError as problem:
        return None, f"Could not read that image: {problem}", None
    picture = None if completion.whole is None else ui.picture_file(completion_picture(completion.whole), "completed")
    return picture, completion.message or completion.probabilities, completion.whole


def example_for_ui(
    complete_drawing: Callable[[object], Completion], ink_on_paper: Callable[[object], np.ndarray],
    picture: np.ndarray | None,
) -> tuple[dict | None, str | None, dict[str, float] | str, np.ndarray | None]:
    """An example picked -> (the pad showing its half, so it can be extended; completion picture; reading;
    the completion)."""
    if picture is None:
        return None, None, HINT, None
    return {"background": ink_on_paper(picture), "layers": [], "composite": None}, *complete_for_ui(
        complete_drawing, picture)


HOOD_HINT = "Nothing to look at yet: draw the left half of a digit above."


def raw_output_for_ui(views: Views, completion: np.ndarray | None) -> tuple[str | None, str]:
    """(file of the UNet's raw output, enlarged, caption), or (None, why not)."""
    raw, why = hood.nothing(completion, HOOD_HINT, views.raw_output)
    if raw is None:
        return None, why
    return ui.picture_file(raw_picture(completion, raw), "raw-output"), (
        "**The UNet's raw output**, right of the boundary: white where it is sure there is ink, black where it is "
        "sure there is none, grey where it is unsure. Left of it, your half, dimmed: the UNet is only ever asked to "
        "draw the right half.")


def raw_picture(completion: np.ndarray, raw: np.ndarray, scale: int = 8) -> np.ndarray:
    """(28s, 28s, 3) uint8: the drawn half dimmed in the drawn colour, the UNet's raw output in grey after it."""
    drawn = completion[:, :, None] * DRAWN * 0.35  # (28, 28, 3)
    grey = raw[:, :, None] * np.array([255.0, 255.0, 255.0])
    picture = np.where(np.arange(raw.shape[1])[None, :, None] < HALF, drawn, grey)
    return np.kron((picture + 0.5).astype(np.uint8), np.ones((scale, scale, 1), dtype=np.uint8))


def readings_for_ui(views: Views, completion: np.ndarray | None) -> tuple[object, object, str]:
    """(bars for the half alone, bars for the completion, caption), or (None, None, why not)."""
    found, why = hood.nothing(completion, HOOD_HINT, views.readings)
    if found is None:
        return None, None, why
    half_top = max(found.half, key=found.half.get)
    return hood.probability_frame(found.half), hood.probability_frame(found.whole), (
        f"**What the drawn half added**: the digit classifier reads your half alone as **{half_top}** "
        f"({found.half[half_top]:.0%}) and the completed digit as **{found.top}** ({found.whole[found.top]:.0%}); "
        f"the UNet's half changed its belief in {found.top} by {found.added:+.0%}.")


def training_for_ui(views: Views) -> tuple[object, object, str]:
    """The UNet's loss and test-error curves, and what they are."""
    training = views.training()
    return hood.curve_frame(training.loss), hood.curve_frame(training.accuracy), training.note


def build_tab(complete_drawing: Callable[[object], Completion], ink_on_paper: Callable[[object], np.ndarray],
              views: Views) -> None:
    """The tab's components and events; ``views``: what the "Under the hood" panel shows."""
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
    completed = gr.State()  # the last completion (28x28): what the "Under the hood" panel looks at
    example = gr.Image(type="numpy", image_mode="RGB", visible=False)
    if EXAMPLES:
        # run on every click (watching the hidden image's value would miss a second click on the same one)
        gr.Examples(examples=[[str(path)] for path in EXAMPLES], inputs=example,
                    outputs=[sketch, picture, label, completed],
                    fn=lambda value: example_for_ui(complete_drawing, ink_on_paper, value), run_on_click=True,
                    cache_examples=False, api_visibility="private",
                    label="Left halves of MNIST training digits (click one to put it on the pad)")
    # the UNet draws the right half as the pen draws the left
    ui.LivePad(PAD_ID, CANVAS).wire(sketch, [sketch.change], lambda value: complete_for_ui(complete_drawing, value),
                                    [picture, label, completed], "complete_digit", ui.result_shown_js(LABEL_ID, HOOD_ID))
    # the pad clears itself in the browser; the result is reset too, whatever the pad's events do meanwhile
    clear.click(lambda: (None, HINT, None), outputs=[picture, label, completed], js=ui.clear_pad_js(PAD_ID),
                api_visibility="private", show_progress="hidden")
    with hood.Hood(HOOD_ID) as panel:
        with gr.Row(equal_height=False):
            with gr.Column(min_width=240):
                raw = gr.Image(label="The UNet's raw output", type="filepath", interactive=False, buttons=[],
                               height=240, elem_classes=["hood-picture"], elem_id=f"{HOOD_ID}-raw")
                raw_caption = hood.caption()
            with gr.Column(min_width=280):
                half_bars = hood.probability_plot("The digit classifier on your half alone", views.labels,
                                                  f"{HOOD_ID}-half")
                whole_bars = hood.probability_plot("… and on the completed digit", views.labels, f"{HOOD_ID}-whole")
                readings_caption = hood.caption()
        gr.Markdown("#### How the UNet was trained")
        with gr.Row(equal_height=False):
            loss = hood.curve_plot("Training loss per epoch", "loss", f"{HOOD_ID}-loss")
            error = hood.curve_plot("Test error per epoch", "mean squared error", f"{HOOD_ID}-error")
        note = hood.caption()
    panel.follow(lambda value: raw_output_for_ui(views, value), [completed], [raw, raw_caption], "completion_raw_output")
    panel.follow(lambda value: readings_for_ui(views, value), [completed], [half_bars, whole_bars, readings_caption],
                 "completion_readings")
    panel.once(lambda: training_for_ui(views), [loss, error, note], "completion_training")
