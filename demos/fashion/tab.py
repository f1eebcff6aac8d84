"""The Fashion tab: upload (or paste, or snap) a photo of a garment; the network names it.

The tab lays out and wires; `build_tab` gets the demo's `read_photo`, class names and
metrics (demos.fashion.predict), and its under-the-hood views (demos.fashion.inside.VIEWS).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import gradio as gr
import numpy as np

from demos import hood, ui
from demos.classifier import Reading
from demos.inside import Views
from demos.fashion.model import CLASS_NAMES

HINT = "Upload a photo of a garment"
EXAMPLE_DIR = Path(__file__).parent / "examples"
ITEM_EXAMPLES = sorted(EXAMPLE_DIR.glob("*.png"))  # Fashion-MNIST test items, as they are and as product shots
PHOTO_EXAMPLES = sorted(EXAMPLE_DIR.glob("photo-*.jpg"))  # real phone photos (clothing-small, CC0)
EXAMPLES = PHOTO_EXAMPLES + ITEM_EXAMPLES
PHOTO_ID, LABEL_ID, SEEN_ID, NOTE_ID = "fashion-photo", "fashion-label", "fashion-seen", "fashion-note"
HOOD_ID = "fashion-hood"
# a 28x28 item fills the photo box in crisp pixels instead of sitting in it as a thumbnail
CSS = (f"#{PHOTO_ID} img {{ width: 100%; height: 100%; object-fit: contain; }}\n"
       f"#{NOTE_ID} {{ font-size: 1.15em; }}\n"
       f"#{PHOTO_ID} img.tiny-image {{ image-rendering: pixelated; }}\n")


# clothing-small's photo classes in words
PHOTO_KINDS = {"t-shirt": "a T-shirt", "pants": "trousers", "dress": "a dress", "outwear": "a jacket",
               "shirt": "a shirt", "longsleeve": "a long-sleeved top", "shoes": "a pair of shoes"}


def example_name(path: Path) -> str:
    """'trouser-3-photo.png' -> 'Example: Trouser, test item 3, as a product photo';
    'photo-dress-1.jpg' -> 'Example: a phone photo of a dress'."""
    if path.stem.startswith("photo-"):
        return f"Example: a phone photo of {PHOTO_KINDS[path.stem.removeprefix('photo-').rsplit('-', 1)[0]]}"
    *words, index = path.stem.removesuffix("-photo").split("-")
    kind = next(name for name in CLASS_NAMES if name.lower().replace("/", "-").replace(" ", "-") == "-".join(words))
    return f"Example: {kind}, test item {index}" + (", as a product photo" if path.stem.endswith("-photo") else "")


PAGE = ui.PageScript(
    uploads={PHOTO_ID: LABEL_ID},
    images={PHOTO_ID: "Your photo",
            SEEN_ID: "What the model sees: your photo as 128 by 128 colour pixels, or a grey item as 28 by 28",
            **hood.picture_names(HOOD_ID, "photo")},
    examples={path.name: example_name(path) for path in EXAMPLES},
)


def predict_for_ui(
    read_photo: Callable[[object], Reading], photo: object
) -> tuple[dict[str, float] | str, str | None, str, np.ndarray | None]:
    """The upload's raw value (see `ui.opened`) or an image -> (label value, file of the enlarged
    model input, note, the model input itself for the "Under the hood" panel); the note is "" or,
    for a photo the network is unsure about, "**Not sure: maybe ...**" (shown above the label, so it
    is read first). A message in the label's place instead when there is nothing to name."""
    label, seen, note, model_input = ui.show_reading(read_photo, photo, HINT)
    return label, seen, f"**{note}**" if note else "", model_input


def model_report(metrics: dict | None, labels: Sequence[str]) -> str:
    """Markdown: test accuracy, per-class accuracy and the confusion matrix from the model's metrics."""
    if metrics is None:
        return "No metrics came with this model."
    test = metrics["test"]
    short = [name.split("/")[0] for name in labels]
    lines = [
        f"Accuracy on the 10,000 Fashion-MNIST test images: **{test['accuracy']:.2%}**.",
        "",
        "| class | " + " | ".join(labels) + " |",
        "|---|" + "---|" * len(labels),
        "| test accuracy | " + " | ".join(f"{value:.1%}" for value in test["per_class_accuracy"]) + " |",
        "",
        "How the test images were named (rows: what they are, columns: what the model said). "
        "Shirts are the hard case: they pass for T-shirts, pullovers and coats.",
        "",
        "| is \\ said | " + " | ".join(short) + " |",
        "|---|" + "---:|" * len(short),
    ]
    for index, (name, row) in enumerate(zip(short, test["confusion_matrix"])):
        lines.append(f"| **{name}** | " + " | ".join(f"**{n}**" if i == index else str(n) for i, n in enumerate(row)) + " |")
    return "\n".join(lines)


def photo_report(metrics: dict | None) -> str:
    """Markdown: the photo network's accuracy on validation phone photos, per photo class, and how
    often it says it is unsure, from its metrics.json."""
    if metrics is None:
        return "No metrics came with the photo model."
    validation, unsure = metrics["validation"], metrics["unsure"]
    classes = list(validation["per_class_accuracy"])
    return "\n".join([
        f"On {validation['photos']} real phone photos it never trained on: the right class "
        f"**{validation['strict_accuracy']:.1%}** of the time, the right group (top, bottom, dress, footwear) "
        f"{validation['group_accuracy']:.1%}; it says \"not sure\" for {unsure['unsure_share']:.0%} of them "
        f"(top probability below {unsure['unsure_below']:.0%}).",
        "",
        "| photo of | " + " | ".join(classes) + " |",
        "|---|" + "---|" * len(classes),
        "| named right | " + " | ".join(f"{validation['per_class_accuracy'][c]:.0%}" for c in classes) + " |",
        "",
        "A long-sleeved top counts as right when named Pullover, Shirt or T-shirt/top, a pair of shoes when named "
        "any footwear.",
    ])


def build_tab(read_photo: Callable[[object], Reading], labels: Sequence[str], metrics: dict | None,
              photo_metrics: dict | None, views: Views) -> None:
    """The tab's components and events; ``labels``: the classes the models know, ``metrics`` and
    ``photo_metrics``: the Fashion-MNIST and photo networks' metrics.json; ``views``: what the
    "Under the hood" panel shows."""
    gr.Markdown(
        "Snap or upload a photo of one piece of clothing or a pair of shoes, lying flat or on a hanger — or pick "
        f"an example. The networks know {len(labels)} kinds: " + ", ".join(labels) + ". Colour photos are read "
        "by a network trained on real phone photos, grey Fashion-MNIST items by one trained on Fashion-MNIST."
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            # the event reads the uploaded file itself (preprocess=False): transparent backgrounds stay
            # transparent, and a file that is no picture gets a sentence
            photo = ui.Photo(label="Photo", type="filepath", image_mode=None,
                             sources=["upload", "clipboard", "webcam"], height=320, elem_id=PHOTO_ID)
        with gr.Column(scale=2, min_width=220):
            note = gr.Markdown(elem_id=NOTE_ID)  # "Not sure: maybe ...", above the label's big top class
            label = gr.Label(value=HINT, num_top_classes=3, label="Prediction", elem_id=LABEL_ID)
            seen = ui.model_view(SEEN_ID, "What the model sees", colour=True)
    read = gr.State()  # the model input of the last image read: what the "Under the hood" panel looks at
    # below the answer, so that on a phone the answer comes right after the photo
    gr.Examples(examples=[[str(path)] for path in PHOTO_EXAMPLES], inputs=photo,
                label="Phone photos (clothing-small, CC0)")
    gr.Examples(examples=[[str(path)] for path in ITEM_EXAMPLES], inputs=photo, examples_per_page=20,
                label="Fashion-MNIST test items (as in the data set, and as a product shot)")
    with gr.Accordion("How good is this model?", open=False):
        gr.Markdown("### Real phone photos\n\n" + photo_report(photo_metrics))
        gr.Markdown("### Fashion-MNIST items\n\n" + model_report(metrics, labels))
    # preprocess=False: the file reaches our code undecoded, so one that is no picture gets a sentence
    photo.change(lambda value: predict_for_ui(read_photo, value), inputs=photo, outputs=[label, seen, note, read],
                 api_name="classify_garment", preprocess=False,
                 show_progress="minimal").then(None, js=ui.result_shown_js(LABEL_ID, HOOD_ID), api_visibility="private")
    hood.classifier_hood(HOOD_ID, read, views, "garment", "Nothing to look at yet: upload a photo above.")
