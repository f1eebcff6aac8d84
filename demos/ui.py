"""Gradio pieces that several tabs share. Imported only by tab builders and app.py.

The browser side lives in `ui.js` (pads, "the answer is coming", accessible names, arrow
keys on the tabs); `page_js` fills in what each tab tells it, and app.py hands the result
to Gradio's ``launch(js=...)``.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import gradio as gr
import numpy as np
import pydantic
from gradio.components.image_editor import EditorData, EditorValue
from gradio.utils import get_upload_folder
from PIL import Image

from demos import imaging
from demos.classifier import Reading

MODEL_VIEW_SIDE = 168  # 28 px -> 168 px (a 128 px photo input stays 128), crisp pixels instead of the browser's blur
PAD_TOOLBAR_WIDTH = 38  # px the pad's tool strip takes on the left of its frame
PAD_SHADE = "rgba(15, 23, 42, 0.09)"  # the frame around the paper
PAGE_JS_TEMPLATE = Path(__file__).with_name("ui.js")

CSS = f"""
.model-view img {{ image-rendering: pixelated; }}

/* Sketch-pads: the frame around the paper is shaded (the overlay ui.js lays on the paper casts
   it), so the white paper stands out and the frame does not look drawable; the tool strip gets a
   column of its own instead of covering the paper; panning and zooming a 28x28 drawing only lose
   the paper, so those buttons are hidden. */
.drawing-pad .image-container {{ background: {PAD_SHADE}; }}
.drawing-pad .toolbar-wrap {{ left: 4px !important; }}
.drawing-pad .pixi-target, .drawing-pad .pixi-target-crop {{
  left: {PAD_TOOLBAR_WIDTH}px !important; width: calc(100% - {PAD_TOOLBAR_WIDTH}px) !important;
}}
.drawing-pad button[aria-label='Pan'], .drawing-pad button[aria-label='Zoom in'],
.drawing-pad button[aria-label='Zoom out'], .drawing-pad .zoom-number {{ display: none; }}
/* One black brush of the width chosen for 28x28, and no eraser: the readings while drawing paint the
   strokes with that brush (LivePad); Undo and Clear fix a drawing. */
.drawing-pad button[aria-label='Erase'], .drawing-pad button[aria-label='Color'],
.drawing-pad button[aria-label='Brush Size'] {{ display: none; }}
/* a swipe off the paper scrolls the page; ui.js cancels it for touches on the paper */
.drawing-pad canvas {{ touch-action: pan-y !important; }}
.pad-paper {{
  position: absolute; pointer-events: none; background-size: 100% 100%;
  box-shadow: 0 0 0 4000px {PAD_SHADE}, 0 1px 4px rgba(0, 0, 0, 0.3); outline: 1px solid rgba(15, 23, 42, 0.3);
}}

/* between a stroke (or an upload) and its answer */
.demo-pending {{ position: relative; }}
.demo-pending::before {{
  content: ""; position: absolute; top: 0; left: 0; width: 35%; height: 3px; z-index: 20;
  background: var(--color-accent); animation: demo-pending-bar 0.9s ease-in-out infinite alternate;
}}
.demo-pending::after {{
  content: "Reading…"; position: absolute; top: 6px; right: 10px; z-index: 20;
  font-size: var(--text-sm); color: var(--body-text-color-subdued);
}}
.demo-pending h2, .demo-pending img {{ opacity: 0.4; transition: opacity 0.2s; }}
@keyframes demo-pending-bar {{ from {{ left: 0; }} to {{ left: 65%; }} }}

/* "Under the hood": the refresh button is pressed by ui.js, not by people */
.hood-refresh {{ display: none !important; }}
.hood-picture img {{ image-rendering: pixelated; }}
.hood-caption p {{ font-size: var(--text-sm); color: var(--body-text-color-subdued); margin-top: 0; }}

/* Phones: all four tabs fit in one row (Gradio would hide two behind a "more" menu) */
@media (max-width: 640px) {{
  .tabs .tab-container button {{ padding: 0 6px; font-size: 13px; }}
}}
"""


@dataclass(frozen=True)
class PageScript:
    """What one tab tells `ui.js` about its elements (by elem_id)."""

    pads: Mapping[str, Mapping[str, object]] = field(default_factory=dict)  # pad -> {canvas, result, name}
    uploads: Mapping[str, str] = field(default_factory=dict)  # upload component -> the result it fills
    images: Mapping[str, str] = field(default_factory=dict)  # image component -> alt text of its picture
    examples: Mapping[str, str] = field(default_factory=dict)  # example file name -> accessible name


def page_js(scripts: Iterable[PageScript]) -> str:
    """`ui.js` with every tab's elements filled in, for ``launch(js=...)``."""
    config: dict[str, dict] = {"pads": {}, "uploads": {}, "images": {}, "examples": {}}
    for script in scripts:
        for key, entries in config.items():
            entries.update(getattr(script, key))
    return PAGE_JS_TEMPLATE.read_text().replace("__CONFIG__", json.dumps(config, ensure_ascii=False))


def result_shown_js(result_id: str, hood_id: str | None = None) -> str:
    """JS for a ``.then(None, js=...)`` after a prediction: its result is no longer "coming"; and the
    tab's "Under the hood" panel ``hood_id``, if open, looks at the new input (`Hood`)."""
    refresh = f" {hood_refresh_call(hood_id)}" if hood_id else ""
    return f"() => {{ window.demoResultShown?.({json.dumps(result_id)});{refresh} }}"


def hood_refresh_call(hood_id: str) -> str:
    """A JS statement: the "Under the hood" panel ``hood_id`` (`demos.hood`), if open, looks at its tab's input again."""
    return f"window.demoHoodRefresh?.({json.dumps(hood_id)});"


def clear_pad_js(pad_id: str) -> str:
    """JS for a Clear button: press the pad's own "Clear canvas" (ui.js then chooses the brush again)."""
    return f"() => {{ document.querySelector('#{pad_id} button[aria-label=\"Clear canvas\"]')?.click(); }}"


def pad_entry(canvas: int, result: str, name: str, brush: int, hood: str) -> dict[str, object]:
    """One sketch-pad's entry in `PageScript.pads`: its canvas size, the result it fills, its
    accessible name, its brush radius and "Under the hood" panel (for `LivePad`)."""
    return {"canvas": canvas, "result": result, "name": name, "brush": brush, "hood": hood}


class ChecksWhatItIsSent:
    """Mixin for an input component: a value of the wrong kind sent through the API (a number for a
    picture, a word for a number, None for a slider) gets a sentence naming what the input takes,
    instead of the bare "Error" Gradio shows for an exception in its own checks: its ``data_model``
    validation (which runs even with ``preprocess=False``) or its ``preprocess``."""

    takes: ClassVar[str]  # what the input takes, in words, for the sentence

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        model = getattr(cls, "data_model", None)
        if model is not None and not issubclass(model, _SaysWhatItTakes):
            cls.data_model = _says_what_it_takes(model, cls.takes)

    def preprocess(self, payload: Any) -> Any:
        try:
            return super().preprocess(payload)  # type: ignore[misc]
        except gr.Error:
            raise
        except (TypeError, ValueError) as error:  # e.g. Slider: None < minimum
            raise gr.Error(wrong_value_sentence(self.takes, payload)) from error


def wrong_value_sentence(takes: str, value: object) -> str:
    """"This input takes <takes>, not <what was sent>." (the value shortened)."""
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    sent = "None" if value is None else f"the {type(value).__name__} {shown}"
    return f"This input takes {takes}, not {sent}."


class _SaysWhatItTakes:
    """Marks a data model made by `_says_what_it_takes`."""


def _says_what_it_takes(model: type[pydantic.BaseModel], takes: str) -> type[pydantic.BaseModel]:
    """``model`` whose failed validation raises gr.Error with `wrong_value_sentence`; it keeps the
    model's name, so the app's API description is unchanged."""

    class Checked(model, _SaysWhatItTakes):  # type: ignore[valid-type, misc]
        @classmethod
        def model_validate(cls, obj: Any, **kwargs: Any) -> Any:
            try:
                return super().model_validate(obj, **kwargs)
            except pydantic.ValidationError as error:
                raise gr.Error(wrong_value_sentence(takes, obj)) from error

    Checked.__name__, Checked.__qualname__ = model.__name__, model.__qualname__
    return Checked


FILE_REFERENCE = "handle_file(path)"  # gradio_client's file reference


class Photo(ChecksWhatItIsSent, gr.Image):
    """gr.Image for an upload whose event reads the file itself (``preprocess=False``, see `opened`)."""

    takes = f"a picture, {FILE_REFERENCE} (gradio_client)"

    def get_block_name(self) -> str:
        return "image"


class Number(ChecksWhatItIsSent, gr.Number):
    """gr.Number that answers a word or a list with a sentence."""

    takes = "a number"


class Slider(ChecksWhatItIsSent, gr.Slider):
    """gr.Slider that answers None, a word or a list with a sentence."""

    takes = "a number"


def sketchpad(pad_id: str, label: str, canvas: int, brush_radius: int, **options) -> Sketchpad:
    """A black-brush sketch-pad of ``canvas`` x ``canvas`` px, one layer, no crop tool.

    A small canvas keeps the browser's export (most of the wait after a stroke) short; the
    brush radius is chosen with it, so strokes have MNIST-like width at 28 px. The canvas keeps
    its size when a photo is uploaded (the photo is fitted into it), so the paper is always the
    same square for `ui.js` and the export stays small.
    """
    return Sketchpad(
        label=label,
        type="numpy",
        image_mode="RGBA",
        canvas_size=(canvas, canvas),
        brush=gr.Brush(default_size=brush_radius, colors=["#000000"], color_mode="fixed"),
        layers=False,
        transforms=(),
        fixed_canvas=True,
        elem_id=pad_id,
        elem_classes=["drawing-pad"],
        **options,
    )


class Sketchpad(ChecksWhatItIsSent, gr.Sketchpad):
    """gr.Sketchpad whose own decoding, when what it was sent is no picture (random bytes or an empty
    file sent through the API), hands the event `UNREADABLE_UPLOAD` instead of failing inside Gradio
    with a bare "Error"; `opened` turns it into the sentence. In the browser the pad receives its
    pictures ahead of the event, so it must decode them itself (``preprocess=False`` broke that).
    Gradio writes type stubs, ui.pyi, next to this file for these components (git-ignored)."""

    takes = f'a drawing, {{"background": None, "layers": [], "composite": {FILE_REFERENCE}}} (gradio_client)'

    def get_block_name(self) -> str:
        return "imageeditor"  # the browser's component, as for gr.Sketchpad

    def preprocess(self, payload: EditorData | None) -> EditorValue | None:
        try:
            return super().preprocess(payload)
        except (OSError, ValueError, Image.DecompressionBombError):
            return UNREADABLE_UPLOAD  # type: ignore[return-value]


LIVE_SUFFIX = "-live"  # the hidden textbox of pad "x" is "x-live" (ui.js finds it so)
STOP_FOLLOWING = ""  # what ui.js sends when the page stops following the pad (see `LivePad`)


class LivePad:
    """Readings while drawing, for one sketch-pad (`sketchpad`).

    `ui.js` keeps the strokes as the pen draws them and paints them with the pad's brush onto a
    canvas of the pad's size; a few times a second while drawing, and at once when the pen lifts,
    it sends that picture as a PNG data URL (a few KB) to a hidden textbox, whose event reads it
    with the demo's own pipeline: the pad's slow export of its layers and their upload are skipped.
    At most one reading per pad is in flight and a newer drawing replaces a waiting one (ui.js);
    Gradio's ``always_last`` does the same on the server's side.

    While the page follows the pen, the pad's own event (the export, which arrives later and can be
    older than the live reading on screen) answers only what the page does not follow: a picture on
    the pad (an upload, an example), which the pad holds as its background. On undo or redo ui.js
    sends `STOP_FOLLOWING` (the pad's own event answers until the pad is cleared), and an API call
    has no live readings, so the pad's event answers it as before.
    """

    def __init__(self, pad_id: str, canvas: int) -> None:
        self.pad_id, self.canvas = pad_id, canvas
        self.drawing = gr.Textbox(visible="hidden", elem_id=pad_id + LIVE_SUFFIX, label="Live drawing (PNG data URL)")
        self.following = gr.State(False)  # whether live readings answer this session's drawings

    def wire(self, pad: gr.components.Component, triggers: list, answer: Callable[[object], tuple], outputs: list,
             api_name: str, shown_js: str) -> None:
        """Both ways to the tab's answer ``answer(value)`` -> ``outputs``, then ``shown_js``: the live
        readings (named endpoint ``<api_name>_live``, from the hidden textbox) and the pad's own
        ``triggers`` (endpoint ``api_name``), which answer only what the page does not follow."""

        def read_live(value: object) -> tuple:
            if value == STOP_FOLLOWING:
                return (*[gr.skip()] * len(outputs), False)
            try:
                pixels = imaging.pixels_of_png_data_url(value, self.canvas)
            except ValueError as problem:
                raise gr.Error(f"Could not read that drawing: {problem}.") from None
            return (*answer(pixels), True)

        def answer_the_pad(value: object, following: bool) -> tuple:
            if not pad_answers(value, following):
                return (*[gr.skip()] * len(outputs), gr.skip())
            return (*answer(value), False)

        self.drawing.change(read_live, inputs=self.drawing, outputs=[*outputs, self.following],
                            api_name=f"{api_name}_live", show_progress="hidden", trigger_mode="always_last",
                            preprocess=False, queue=False).then(
            None, js=f"() => {{ window.demoLiveShown?.({json.dumps(self.pad_id)}); }}", api_visibility="private")
        gr.on(triggers, answer_the_pad, inputs=[pad, self.following], outputs=[*outputs, self.following],
              api_name=api_name, show_progress="hidden", trigger_mode="always_last").then(
            None, js=shown_js, api_visibility="private")


def pad_answers(value: object, following: bool) -> bool:
    """Whether the pad's own event answers its ``value`` (see `LivePad`): when the page does not follow
    the pen (``following`` False: an API call, undo, ``?live=off``), or the pad holds a picture."""
    return not following or holds_a_picture(value)


def holds_a_picture(value: object) -> bool:
    """Whether a sketch-pad value (`EditorValue`) has a picture behind the strokes: an upload or an
    example. The pad sends a plain white background (RGBA, opaque) when there is none."""
    background = value.get("background") if isinstance(value, Mapping) else None
    if background is None:
        return False
    pixels = np.asarray(background)
    if pixels.ndim == 3 and pixels.shape[2] == 4:
        pixels = pixels[pixels[:, :, 3] > 0][:, :3]  # the visible pixels
    return bool((pixels < PLAIN_WHITE).any())


PLAIN_WHITE = 250  # a background with every visible channel at least this is the pad's blank paper


class _Unreadable:
    """What a `Sketchpad` hands over for a picture it could not decode."""


UNREADABLE_UPLOAD = _Unreadable()


def model_view(elem_id: str, label: str = "What the model sees (28×28)", colour: bool = False) -> gr.Image:
    """A small image showing the exact input the network got (grey, or ``colour``)."""
    return gr.Image(label=label, type="numpy", image_mode="RGB" if colour else "L", interactive=False, buttons=[],
                    elem_classes=["model-view"], elem_id=elem_id)


def enlarge(image: np.ndarray, side: int = MODEL_VIEW_SIDE) -> np.ndarray:
    """(H, W) or (H, W, 3) float in [0, 1] -> uint8, each pixel a square block, about ``side`` px in all."""
    scale = max(1, round(side / image.shape[0]))
    pixels = (np.clip(image, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)
    return pixels.repeat(scale, axis=0).repeat(scale, axis=1)


def opened(value: object) -> object:
    """An image input's value as the event gets it -> what the demos read. A file reference (a
    dict with a ``path``: what an event with ``preprocess=False`` gets, the Fashion upload) becomes
    the file opened by our code (`imaging.open_file`: a large one is decoded small, one that is no
    picture gets a sentence). Other values (a sketch-pad's dict of arrays, arrays, PIL images,
    None) pass through: a sketch-pad's pictures are decoded by the pad itself, since in the
    browser it receives them ahead of the event."""
    if value is UNREADABLE_UPLOAD:
        raise imaging.UnreadableImageError(imaging.UNREADABLE)
    if isinstance(value, Mapping) and "path" in value:
        return imaging.open_file(value["path"])
    return value


def picture_file(pixels: np.ndarray, name: str = "picture") -> str:
    """An output picture (uint8 array) as a PNG file in Gradio's cache; its path is what the event returns.

    Given the array, Gradio would write the file itself under a folder named by the hash of its
    bytes, rewriting it in place on every response (`processing_utils.save_pil_to_cache`), so when
    two visitors get the same picture at once (everyone who clicks the same example does) one can
    fetch a file the other's response is rewriting: a cut-short download. Here the folder is named
    by the content too, but the file is written once, under a temporary name, and renamed into
    place; Gradio serves a path already in its cache as it is.
    """
    encoded = io.BytesIO()
    Image.fromarray(pixels).save(encoded, format="PNG")
    data = encoded.getvalue()
    folder = Path(get_upload_folder()) / f"demos-{hashlib.sha256(data).hexdigest()[:40]}"
    path = folder / f"{name}.png"
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".part")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)  # atomic: readers see no file or the whole file
    return str(path)


def show_reading(
    read: Callable[[object], Reading], image: object, hint: str
) -> tuple[dict[str, float] | str, str | None, str, np.ndarray | None]:
    """A classifier's answer for a gr.Label, a model view and a note: probabilities, the enlarged
    input (a `picture_file`) and the reading's caution in words (or ""); a message in the label's
    place when there is nothing to classify (with what the model saw, if it got that far). Last,
    the model's input itself (or None), which the tab keeps for its "Under the hood" panel.
    ``image``: the input's value as the event gets it (see `opened`) or an image."""
    if image is None:
        return hint, None, "", None
    try:
        reading = read(opened(image))
    except ValueError as problem:  # not an image we can read (odd upload)
        return f"Could not read that image: {problem}", None, "", None
    seen = None if reading.model_input is None else picture_file(enlarge(reading.model_input), "model-input")
    if reading.message:
        return reading.message, seen, "", reading.model_input
    return reading.probabilities, seen, reading.note or "", reading.model_input
