"""The "Under the hood" panels' Gradio pieces, shared by the tabs (imported only by tab builders).

A panel is an accordion whose events run only when it is opened, and again when the tab's input
changes while it is open (ui.js presses the panel's hidden refresh button after each new answer;
see `ui.result_shown_js`). Each visual is its own event and named endpoint, so a visitor who never
opens a panel costs the server nothing and an API user can ask for one visual alone. The panels
look at what the tab's answer kept in a `gr.State` (the model's input, or the completion): in the
browser a sketch-pad's drawing reaches only the events the pad itself triggers, and the answer
already made what the panel needs. An API client calls the tab's endpoint first, then the panel's,
in the same session.

The `*_for_ui` functions turn a demo's plain functions (`demos.inside`, `demos.<demo>.inside`)
into what the components show; tests call them without a browser.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import gradio as gr
import numpy as np
import pandas as pd

from demos import inside, ui

TITLE = "Under the hood: why did it answer that?"


class Hood:
    """An "Under the hood" accordion (closed at first): ``with Hood(id) as hood:`` lays out its
    components, `follow` and `once` wire its events."""

    def __init__(self, hood_id: str, label: str = TITLE) -> None:
        self.id = hood_id
        self.accordion = gr.Accordion(label, open=False, elem_id=hood_id)

    def __enter__(self) -> Hood:
        self.accordion.__enter__()
        # pressed by ui.js (demoHoodRefresh) when the tab's input changed while the panel is open
        self.refresh = gr.Button("Refresh", elem_id=f"{self.id}-refresh", elem_classes=["hood-refresh"])
        return self

    def __exit__(self, *exc: object) -> None:
        self.accordion.__exit__(*exc)
        for event, is_open in ((self.accordion.expand, "true"), (self.accordion.collapse, "false")):
            event(None, js=f"() => {{ window.demoHoodOpen?.('{self.id}', {is_open}); }}", api_visibility="private",
                  queue=False)

    def follow(self, fn: Callable, inputs: Sequence[gr.components.Component], outputs: Sequence[gr.components.Component],
               api_name: str, also: Sequence[object] = ()) -> None:
        """Run ``fn`` on the tab's input when the panel opens and when the input changes while it is
        open; ``also``: more triggers (the panel's own controls)."""
        gr.on([self.accordion.expand, self.refresh.click, *also], fn, inputs=list(inputs), outputs=list(outputs),
              api_name=api_name, show_progress="hidden")

    def once(self, fn: Callable, outputs: Sequence[gr.components.Component], api_name: str) -> None:
        """Run ``fn`` (no input: what the model learned, how it was trained) each time the panel opens."""
        self.accordion.expand(fn, outputs=list(outputs), api_name=api_name, show_progress="hidden")


def caption(text: str = "") -> gr.Markdown:
    """A one-line caption under a visual: what it shows."""
    return gr.Markdown(text, elem_classes=["hood-caption"])


def curve_plot(title: str, y_title: str, elem_id: str | None = None) -> gr.LinePlot:
    """A learning-curve plot for `inside.curves` rows: value per epoch, one line per curve."""
    return gr.LinePlot(x="epoch", y="value", color="curve", title=title, x_title="epoch", y_title=y_title,
                       height=240, tooltip="all", elem_id=elem_id)


def curve_frame(rows: list[dict]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["epoch", "value", "curve"])


def probability_plot(title: str, labels: Sequence[str], elem_id: str | None = None) -> gr.BarPlot:
    """A bar per label, in the model's order, probabilities from 0 to 1."""
    return gr.BarPlot(x="label", y="probability", title=title, sort=list(labels), y_lim=[0, 1], height=240,
                      x_title=" ", y_title="probability", tooltip="all", x_label_angle=-40, elem_id=elem_id)


def probability_frame(probabilities: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame({"label": list(probabilities), "probability": [round(p, 4) for p in probabilities.values()]})


def nothing(kept: np.ndarray | None, hint: str, look: Callable[[np.ndarray], object]) -> tuple[object | None, str]:
    """(what ``look`` sees in what the tab kept of its last input, "") or (None, ``hint``) when it kept
    nothing (no input yet, or one with nothing to read)."""
    if kept is None:
        return None, hint
    return look(np.asarray(kept, dtype=np.float32)), ""


# --- the image classifiers' panel (Digits, Fashion) ----------------------------------------


def saliency_for_ui(views: inside.Views, value: np.ndarray | None, hint: str) -> tuple[str | None, str]:
    """(file of the attribution picture, its caption), or (None, why not)."""
    seen, why = nothing(value, hint, views.saliency)
    if seen is None:
        return None, why
    return ui.picture_file(seen.picture, "where-it-looked"), (
        f"**Where it looked** for its answer **{seen.label}** ({seen.probability:.0%}), {seen.method}: "
        f"red pixels pushed {seen.network} towards {seen.label}"
        + (", blue ones away from it" if seen.signed else " (evidence against it is not shown)")
        + " (the stronger, the more opaque).")


def first_layer_for_ui(views: inside.Views, value: np.ndarray | None, hint: str) -> tuple[str | None, str | None, str]:
    """(file of the feature maps, file of the filters, caption), or (None, None, why not)."""
    layer, why = nothing(value, hint, views.first_layer)
    if layer is None:
        return None, None, why
    member = f" (the first of the {layer.members} networks it averages)" if layer.members > 1 else ""
    count = len(layer.maps)
    return (ui.picture_file(inside.maps_picture(layer.maps), "feature-maps"),
            ui.picture_file(inside.filters_picture(layer.filters), "filters"),
            f"**The first layer** of {layer.network}{member}: left, what each of its {count} filters finds in your "
            f"input (white: a strong response, black: none); right, the {count} learned 3×3 filters themselves "
            + ("(red: positive weights, blue: negative, white: zero)." if layer.filters.shape[1] == 1 else
               "(each weight's colour; grey: zero)."))


def probabilities_for_ui(views: inside.Views, value: np.ndarray | None, hint: str) -> tuple[pd.DataFrame | None, str]:
    """(every label's probability for a bar chart, caption), or (None, why not)."""
    found, why = nothing(value, hint, views.probabilities)
    if found is None:
        return None, why
    return probability_frame(found), ("**All the probabilities**, not only the top 3: how the network's belief is "
                                      "shared among everything it knows.")


@functools.cache
def training_for_ui(views: inside.Views) -> tuple[object, ...]:
    """For each network: its loss curves, accuracy curve, note, and mistakes gallery as (picture file,
    caption) pairs. The same for every visitor: made once per process."""
    values: list[object] = []
    for training in views.training():
        note = training.note + (f" Below: {training.mistakes_source}." if training.mistakes else "")
        gallery = [(ui.picture_file(ui.enlarge(mistake.picture / 255.0, 112), "mistake"), mistake.caption)
                   for mistake in training.mistakes]
        values += [curve_frame(training.loss), curve_frame(training.accuracy), note, gallery]
    return tuple(values)


def picture_names(hood_id: str, what: str) -> dict[str, str]:
    """The accessible names of a classifier panel's pictures (`ui.PageScript.images`); ``what``: "drawing", "photo"."""
    return {f"{hood_id}-saliency": f"Where the network looked: your {what}, with the pixels that pushed it towards its "
                                   "answer in red and those that pushed it away in blue",
            f"{hood_id}-maps": f"The first layer's feature maps for your {what}: bright where a filter responds",
            f"{hood_id}-filters": "The first layer's learned 3 by 3 filters"}


def classifier_hood(hood_id: str, kept: gr.State, views: inside.Views, api_prefix: str, hint: str) -> Hood:
    """The Digits and Fashion panels: where the network looked, its first layer, every probability,
    and how it was trained (``api_prefix``_saliency, _first_layer, _probabilities, _training).
    ``kept``: the model input of the tab's last input (set by its prediction event; in the browser a
    sketch-pad's drawing reaches only the event the pad itself triggers); ``hint``: what to say before there is one."""
    with Hood(hood_id) as hood:
        with gr.Row(equal_height=False):
            with gr.Column(min_width=240):
                saliency = gr.Image(label="Where it looked", type="filepath", interactive=False, buttons=[],
                                    height=240, elem_classes=["hood-picture"], elem_id=f"{hood_id}-saliency")
                saliency_caption = caption()
            with gr.Column(min_width=280):
                probabilities = probability_plot("Every probability", views.labels, f"{hood_id}-probabilities")
                probabilities_caption = caption()
        with gr.Row(equal_height=False):
            maps = gr.Image(label="First-layer feature maps", type="filepath", interactive=False, buttons=[],
                            elem_classes=["hood-picture"], elem_id=f"{hood_id}-maps", scale=3)
            filters = gr.Image(label="First-layer filters", type="filepath", interactive=False, buttons=[],
                               elem_classes=["hood-picture"], elem_id=f"{hood_id}-filters", scale=2)
        layer_caption = caption()
        training_outputs: list[gr.components.Component] = []
        for number, training in enumerate(views.training()):
            gr.Markdown(f"#### How {training.network} was trained")
            with gr.Row(equal_height=False):
                loss = curve_plot("Loss per epoch", "loss", f"{hood_id}-loss-{number}")
                accuracy = curve_plot("Accuracy per epoch", "accuracy", f"{hood_id}-accuracy-{number}")
            note = caption()
            gallery = gr.Gallery(label="Test images it still gets wrong", columns=6, height="auto", object_fit="contain",
                                 allow_preview=True, buttons=[], elem_classes=["hood-picture"],
                                 elem_id=f"{hood_id}-mistakes-{number}")
            training_outputs += [loss, accuracy, note, gallery]
    hood.follow(lambda value: saliency_for_ui(views, value, hint), [kept], [saliency, saliency_caption],
                f"{api_prefix}_saliency")
    hood.follow(lambda value: probabilities_for_ui(views, value, hint), [kept], [probabilities, probabilities_caption],
                f"{api_prefix}_probabilities")
    hood.follow(lambda value: first_layer_for_ui(views, value, hint), [kept], [maps, filters, layer_caption],
                f"{api_prefix}_first_layer")
    hood.once(lambda: training_for_ui(views), training_outputs, f"{api_prefix}_training")
    return hood
