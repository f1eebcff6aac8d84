"""Digits demo: draw a digit, a CNN trained on MNIST reads it.

`classify` is the Python API; `build_tab` (in `demos.digits.tab`, which imports
gradio) builds the UI. Importing this package loads no model and no gradio.
"""

from demos.digits.predict import classify, digit_probabilities, load_classifier, read_drawing

__all__ = ["classify", "digit_probabilities", "load_classifier", "read_drawing"]
