"""Shakespeare demo: type a start, a character-level LSTM writes on.

`generate`, `stream`, `nll`, `start_writing` and `score` are the Python API; `build_tab` (in `demos.shakespeare.tab`,
which imports gradio) builds the UI. Importing this package loads no model and no gradio.
"""

from demos.shakespeare.batching import MAX_BATCH
from demos.shakespeare.predict import (
    Score, UnknownCharactersWarning, Writing, generate, load_lstm, nll, run_writers_in_a_process, score, start_writing,
    stream,
)

__all__ = ["MAX_BATCH", "Score", "UnknownCharactersWarning", "Writing", "generate", "load_lstm", "nll",
           "run_writers_in_a_process", "score", "start_writing", "stream"]
