"""The Digits tab: draw on a sketch-pad, the prediction follows the pen.

The tab lays out and wires; `build_tab` gets the demo's `read_drawing` (demos.digits.predict) and
its under-the-hood views (demos.digits.inside.VIEWS).
"""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr
import numpy as np

from demos import hood, ui
from demos.classifier import Reading
from demos.inside import Views

HINT = "Draw a digit"
CANVAS = 280  # px; exporting a smaller canvas is what makes the label quick (see README)
BRUSH = 10  # px brush radius, so a digit filling the canvas has MNIST-like stroke width

PAD_ID, LABEL_ID, SEEN_ID, HOOD_ID = "digits-sketchpad", "digits-label", "digits-seen", "digits-hood"
PAGE = ui.PageScript(
    pads={PAD_ID: ui.pad_entry(CANVAS, LABEL_ID, "Drawing area: draw one digit with the mouse, a pen or a finger",
                               BRUSH, HOOD_ID)},
    uploads={PAD_ID: LABEL_ID},
    images={SEEN_ID: "What the model sees: your drawing shrunk to 28 by 28 pixels", **hood.picture_names(HOOD_ID, "drawing")},
)


def predict_for_ui(
    read_drawing: Callable[[object], Reading], sketch: object
) -> tuple[dict[str, float] | str, str | None, np.ndarray | None]:
    """Sketch-pad value (see `ui.opened`) -> (label value, file of the enlarged model input, the model
    input itself for the "Under the hood" panel); a hint instead when there is no digit."""
    label, seen, _, model_input = ui.show_reading(read_drawing, sketch, HINT)
    return label, seen, model_input


def build_tab(read_drawing: Callable[[object], Reading], views: Views) -> None:
    """The tab's components and events; ``views``: what the "Under the hood" panel shows."""
    gr.Markdown(
        "Draw a digit from 0 to 9 — big, filling most of the white square. The network reads it as you "
        "draw. You can also upload a photo or scan of a handwritten digit (dark ink on light paper)."
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            sketch = ui.sketchpad(PAD_ID, "Draw here", CANVAS, BRUSH, sources=("upload", "clipboard"))
            clear = gr.Button("Clear", variant="secondary", elem_id="digits-clear")
        with gr.Column(scale=2, min_width=220):
            label = gr.Label(value=HINT, num_top_classes=3, label="Prediction", elem_id=LABEL_ID)
            seen = ui.model_view(SEEN_ID)
    read = gr.State()  # the model input of the last drawing read: what the "Under the hood" panel looks at
    # the label follows the pen; a photo uploaded after the pad was cleared fires `upload` but not
    # `change` (Gradio 6.31)
    ui.LivePad(PAD_ID, CANVAS).wire(sketch, [sketch.change, sketch.upload],
                                    lambda value: predict_for_ui(read_drawing, value), [label, seen, read],
                                    "classify_digit", ui.result_shown_js(LABEL_ID, HOOD_ID))
    # the pad clears itself in the browser; the result is reset too, whatever the pad's events do meanwhile
    clear.click(lambda: (HINT, None, None), outputs=[label, seen, read], js=ui.clear_pad_js(PAD_ID),
                api_visibility="private", show_progress="hidden")
    hood.classifier_hood(HOOD_ID, read, views, "digits", "Nothing to look at yet: draw a digit above.")
