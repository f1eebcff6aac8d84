"""Shakespeare demo: type a start, a character-level LSTM writes on.

`generate`, `stream` and `nll` are the Python API; `build_tab` (in `demos.shakespeare.tab`,
which imports gradio) builds the UI. Importing this package loads no model and no gradio.
"""

from demos.shakespeare.predict import UnknownCharactersWarning, generate, load_lstm, nll, stream

__all__ = ["UnknownCharactersWarning", "generate", "load_lstm", "nll", "stream"]
