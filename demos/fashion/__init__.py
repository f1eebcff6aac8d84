"""Fashion demo: upload a photo of a garment; CNNs trained on Fashion-MNIST and on real
phone photos name it.

`classify` is the Python API; `build_tab` (in `demos.fashion.tab`, which imports gradio)
builds the UI. Importing this package loads no model and no gradio.
"""

from demos.fashion.model import CLASS_NAMES
from demos.fashion.predict import classify, garment_probabilities, load_classifiers, photo_probabilities, read_photo

__all__ = ["CLASS_NAMES", "classify", "garment_probabilities", "load_classifiers", "photo_probabilities",
           "read_photo"]
