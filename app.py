"""Deep Learning Demos: four small neural networks to play with, one per tab.

    python app.py        # serves on http://127.0.0.1:7860 (GRADIO_SERVER_NAME/PORT override)

This file only assembles the tabs: each tab's builder gets its demo's plain functions
(`demos/<name>/predict.py`, which own the pipelines) and lays out and wires the UI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import gradio as gr

from demos import completion, digits, fashion, runtime, shakespeare, ui
from demos.completion import predict as completion_predict
from demos.completion import tab as completion_tab
from demos.digits import tab as digits_tab
from demos.fashion import predict as fashion_predict
from demos.fashion import tab as fashion_tab
from demos.shakespeare import tab as shakespeare_tab


@dataclass(frozen=True)
class TabSpec:
    title: str
    elem_id: str
    build: Callable[[], None]  # lays out the tab (inside gr.Tab), handing it the demo's functions
    load: Callable[[], object]  # loads the demo's model once, at start-up


TABS = [
    TabSpec("Digits", "digits-tab", lambda: digits_tab.build_tab(digits.read_drawing), digits.load_classifier),
    TabSpec("Fashion", "fashion-tab",
            lambda: fashion_tab.build_tab(fashion_predict.read_photo_file, fashion.CLASS_NAMES,
                                          fashion_predict.metrics(), fashion_predict.photo_metrics()),
            fashion.load_classifiers),
    TabSpec("Half-digit completion", "completion-tab",
            lambda: completion_tab.build_tab(completion.complete_drawing, completion_predict.ink_on_paper),
            completion.load_unet),
    TabSpec("Shakespeare", "shakespeare-tab",
            lambda: shakespeare_tab.build_tab(shakespeare.start_writing, shakespeare.score,
                                              len(shakespeare.load_lstm().vocab)),
            shakespeare.load_lstm),
]

DESCRIPTION = """# Deep Learning Demos
Small neural networks from a deep-learning course, live. Pick a tab and play."""

# what each tab tells the browser-side helpers (demos/ui.js) about its elements
PAGE_SCRIPTS = [digits_tab.PAGE, fashion_tab.PAGE, completion_tab.PAGE]


def page_css() -> str:
    """The app's CSS: shared pieces, then the tabs' own."""
    return ui.CSS + fashion_tab.CSS + completion_tab.guides_css(completion_predict.guide_overlay())


def build_app() -> gr.Blocks:
    """The whole UI, not launched (tests build it too)."""
    with gr.Blocks(title="Deep Learning Demos") as demo:
        gr.Markdown(DESCRIPTION)
        with gr.Tabs():
            for tab in TABS:
                with gr.Tab(tab.title, elem_id=tab.elem_id):
                    tab.build()
    return demo


def load_models() -> None:
    """Load every model once, before the first visitor waits for one."""
    for tab in TABS:
        tab.load()


def main() -> None:
    runtime.configure_threads()
    load_models()
    demo = build_app()
    # Several visitors at once: each request runs on one torch thread (runtime.configure_threads).
    demo.queue(default_concurrency_limit=4).launch(css=page_css(), js=ui.page_js(PAGE_SCRIPTS))


if __name__ == "__main__":
    main()
