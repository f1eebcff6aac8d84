"""Deep Learning Demos: four small neural networks to play with, one per tab.

    python app.py        # serves on http://127.0.0.1:7860 (GRADIO_SERVER_NAME/PORT override)

This file only assembles the tabs; each demo lives in `demos/<name>/`.
"""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from demos import completion, digits, fashion, runtime, shakespeare, ui
from demos.completion import tab as completion_tab
from demos.digits import tab as digits_tab
from demos.fashion import tab as fashion_tab
from demos.shakespeare.tab import build_tab as build_shakespeare_tab

# (tab title, element id, UI builder, model loader) in the order the tabs appear
TABS: list[tuple[str, str, Callable[[gr.Blocks], None], Callable[[], object]]] = [
    ("Digits", "digits-tab", digits_tab.build_tab, digits.load_classifier),
    ("Fashion", "fashion-tab", fashion_tab.build_tab, fashion.load_classifier),
    ("Half-digit completion", "completion-tab", completion_tab.build_tab, completion.load_unet),
    ("Shakespeare", "shakespeare-tab", build_shakespeare_tab, shakespeare.load_lstm),
]

DESCRIPTION = """# Deep Learning Demos
Small neural networks from a deep-learning course, live. Pick a tab and play."""

# what each tab tells the browser-side helpers (demos/ui.js) about its elements
PAGE_SCRIPTS = [digits_tab.PAGE, fashion_tab.PAGE, completion_tab.PAGE]


def page_css() -> str:
    """The app's CSS: shared pieces, then the tabs' own."""
    return ui.CSS + fashion_tab.CSS + completion_tab.guides_css()


def build_app() -> gr.Blocks:
    """The whole UI, not launched (tests build it too)."""
    with gr.Blocks(title="Deep Learning Demos") as demo:
        gr.Markdown(DESCRIPTION)
        with gr.Tabs():
            for title, elem_id, build_tab, _ in TABS:
                with gr.Tab(title, elem_id=elem_id):
                    build_tab(demo)
    return demo


def load_models() -> None:
    """Load every model once, before the first visitor waits for one."""
    for _, _, _, load in TABS:
        load()


def main() -> None:
    runtime.configure_threads()
    load_models()
    demo = build_app()
    # Several visitors at once: each request runs on one torch thread (runtime.configure_threads).
    demo.queue(default_concurrency_limit=4).launch(css=page_css(), js=ui.page_js(PAGE_SCRIPTS))


if __name__ == "__main__":
    main()
