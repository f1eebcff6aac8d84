"""Half-digit completion demo: draw the left half of a digit, a UNet draws the rest.

`complete` is the Python API; `build_tab` (in `demos.completion.tab`, which imports gradio)
builds the UI. Importing this package loads no model and no gradio.
"""

from demos.completion.predict import Completion, complete, complete_batch, complete_drawing, load_unet

__all__ = ["Completion", "complete", "complete_batch", "complete_drawing", "load_unet"]
