"""The Fashion tab: upload (or paste, or snap) a photo of a garment; the network names it."""

from __future__ import annotations

import json
from pathlib import Path

import gradio as gr
import numpy as np
from PIL import Image

from demos import runtime, ui
from demos.fashion.model import CLASS_NAMES
from demos.fashion.predict import NAME, read_photo

HINT = "Upload a photo of a garment"
EXAMPLES = sorted((Path(__file__).parent / "examples").glob("*.png"))


def predict_for_ui(path: str | None) -> tuple[dict[str, float] | str, np.ndarray | None]:
    """Uploaded file -> (label value, enlarged model input); a message instead when there is nothing to name."""
    if path is None:
        return HINT, None
    try:
        with Image.open(path) as photo:
            return ui.show_reading(read_photo, photo, HINT)
    except (OSError, Image.DecompressionBombError) as error:  # not an image file, truncated, or absurdly large
        return f"Could not open that file as an image ({type(error).__name__})", None


def model_report(metrics_path: Path = runtime.WEIGHTS_DIR / NAME / "metrics.json") -> str:
    """Markdown: test accuracy, per-class accuracy and the confusion matrix from the committed metrics."""
    if not metrics_path.is_file():
        return "No metrics were committed with this model."
    test = json.loads(metrics_path.read_text())["test"]
    short = [name.split("/")[0] for name in CLASS_NAMES]
    lines = [
        f"Accuracy on the 10,000 Fashion-MNIST test images: **{test['accuracy']:.2%}**.",
        "",
        "| class | " + " | ".join(CLASS_NAMES) + " |",
        "|---|" + "---|" * len(CLASS_NAMES),
        "| test accuracy | " + " | ".join(f"{value:.1%}" for value in test["per_class_accuracy"]) + " |",
        "",
        "How the test images were named (rows: what they are, columns: what the model said). "
        "Shirts are the hard case: they pass for T-shirts, pullovers and coats.",
        "",
        "| is \\ said | " + " | ".join(short) + " |",
        "|---|" + "---:|" * len(short),
    ]
    for name, row in zip(short, test["confusion_matrix"]):
        lines.append(f"| **{name}** | " + " | ".join(f"**{n}**" if i == short.index(name) else str(n)
                                                       for i, n in enumerate(row)) + " |")
    return "\n".join(lines)


def build_tab(demo: gr.Blocks) -> None:
    """The tab's components and events, inside ``demo``."""
    gr.Markdown(
        "Upload a photo of one piece of clothing, shoe or bag, best on a plain light background — or pick an "
        "example. The network knows ten kinds: " + ", ".join(CLASS_NAMES) + "."
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            # image_mode=None: Gradio hands over the uploaded file untouched (with a mode it would
            # convert RGBA to RGB, turning transparent backgrounds black); preprocess_photo does the rest
            photo = gr.Image(label="Photo", type="filepath", image_mode=None,
                             sources=["upload", "clipboard", "webcam"], height=320, elem_id="fashion-photo")
            gr.Examples(examples=[[str(path)] for path in EXAMPLES], inputs=photo, examples_per_page=20,
                        label="Test-set examples (as in the data set, and as a product photo)")
        with gr.Column(scale=2, min_width=220):
            label = gr.Label(value=HINT, num_top_classes=3, label="Prediction", elem_id="fashion-label")
            seen = ui.model_view()
    with gr.Accordion("How good is this model?", open=False):
        gr.Markdown(model_report())
    photo.change(predict_for_ui, inputs=photo, outputs=[label, seen], api_name="classify_garment",
                 show_progress="minimal")
