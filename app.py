"""Deep Learning Demos: four small neural networks to play with, one per tab.

    python app.py        # serves on http://127.0.0.1:7860 (GRADIO_SERVER_NAME/PORT override)

This file only assembles the tabs: each tab's builder gets its demo's plain functions
(`demos/<name>/predict.py`, which own the pipelines) and lays out and wires the UI.
"""

from __future__ import annotations

import ctypes
import gc
import importlib.util
import os
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass

import gradio as gr

from demos import completion, digits, fashion, runtime, shakespeare, ui
from demos.completion import inside as completion_inside
from demos.completion import predict as completion_predict
from demos.completion import tab as completion_tab
from demos.digits import inside as digits_inside
from demos.digits import tab as digits_tab
from demos.fashion import inside as fashion_inside
from demos.fashion import predict as fashion_predict
from demos.fashion import tab as fashion_tab
from demos.shakespeare import inside as shakespeare_inside
from demos.shakespeare import tab as shakespeare_tab


@dataclass(frozen=True)
class TabSpec:
    title: str
    elem_id: str
    build: Callable[[], None]  # lays out the tab (inside gr.Tab), handing it the demo's functions
    load: Callable[[], object]  # loads the demo's model once, at start-up


TABS = [
    TabSpec("Digits", "digits-tab", lambda: digits_tab.build_tab(digits.read_drawing, digits_inside.VIEWS),
            digits.load_classifier),
    TabSpec("Fashion", "fashion-tab",
            lambda: fashion_tab.build_tab(fashion_predict.read_photo, fashion.CLASS_NAMES, fashion_predict.metrics(),
                                          fashion_predict.photo_metrics(), fashion_inside.VIEWS),
            fashion.load_classifiers),
    TabSpec("Half-digit completion", "completion-tab",
            lambda: completion_tab.build_tab(completion.complete_drawing, completion_predict.ink_on_paper,
                                             completion_inside.VIEWS),
            completion.load_unet),
    TabSpec("Shakespeare", "shakespeare-tab",
            lambda: shakespeare_tab.build_tab(shakespeare.start_writing, shakespeare.score,
                                              len(shakespeare.load_lstm().vocab), shakespeare_inside.views()),
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


# Serving many visitors on a 2-vCPU Space (README "Many visitors at once"): each request runs on one
# torch thread (runtime.configure_threads); up to 4 requests of a classifier at once, so a stroke
# does not queue behind a crowd; every Shakespeare text is stepped in one shared batch in a process
# of its own (`start_writers`), so the write event admits a whole batch of writers, each holding a
# worker thread while it waits for its next piece of text.
CLASSIFIER_CONCURRENCY = 4
WORKER_THREADS = shakespeare.MAX_BATCH + 2 * CLASSIFIER_CONCURRENCY + 8


def skip_gradio_matplotlib_probe() -> None:
    """Gradio tries ``import matplotlib`` twice per event step (to switch its backend), even for
    each update of a streaming event. Without matplotlib every try searches sys.path on disk again:
    about a third of the server thread's time with 20 writers streaming. Marked absent, the import
    fails at once; when matplotlib is installed nothing changes."""
    if importlib.util.find_spec("matplotlib") is None:
        sys.modules["matplotlib"] = None  # `import matplotlib` now raises ImportError without a search


MALLOC_ARENAS = 2  # glibc's malloc arenas for the server's threads (its default: 8 per core)


def limit_malloc_arenas() -> None:
    """Let the server's many threads share 2 malloc arenas instead of glibc's default of up to 8 per
    core. Each thread's arena keeps memory it freed (decoded uploads, pictures) for its own use, so
    with dozens of worker threads the server's memory crept up by about 40 MiB a minute under a
    crowd; with two it levels off (README "Many visitors at once"). The same as MALLOC_ARENA_MAX=2,
    which a Space cannot set before Python starts. Only glibc (Linux) has the setting."""
    if platform.libc_ver()[0] != "glibc":
        return
    m_arena_max = -8  # from glibc's malloc.h
    if ctypes.CDLL(None).mallopt(m_arena_max, MALLOC_ARENAS) != 1:
        raise RuntimeError("glibc refused mallopt(M_ARENA_MAX)")


def start_writers() -> None:
    """The Shakespeare batch loop in a process of its own, away from the server's GIL
    (demos.shakespeare.batching). With two CPUs or more it gets the last one to itself and the
    server keeps the others: sharing both, writers were about a tenth slower and strokes waited
    about twice as long (README "Many visitors at once")."""
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if len(cpus) < 2:
        shakespeare.run_writers_in_a_process()
        return
    os.sched_setaffinity(0, set(cpus[:-1]))  # this (main) thread, and every thread it starts from now on
    shakespeare.run_writers_in_a_process(cpus={cpus[-1]})


def main() -> None:
    limit_malloc_arenas()  # first: before the threads that would each take an arena
    skip_gradio_matplotlib_probe()
    runtime.configure_threads()
    load_models()
    if not runtime.on_zero_gpu():  # there each generation runs in its own GPU call instead
        start_writers()
    demo = build_app()
    # Everything loaded so far lives as long as the server: keep it out of the garbage collector's
    # full passes, which otherwise walk it all (gradio, torch) and stalled answers by up to 0.4 s in a burst.
    gc.freeze()
    demo.queue(default_concurrency_limit=CLASSIFIER_CONCURRENCY).launch(
        css=page_css(), js=ui.page_js(PAGE_SCRIPTS), max_threads=WORKER_THREADS)


if __name__ == "__main__":
    main()
