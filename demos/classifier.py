"""The image classifiers' pipeline (digits, fashion): load once, preprocess, classify, report.

No gradio here: the Python API, the tabs, the benchmarks and the tests all go through an
`ImageClassifier`; each demo's `predict.py` makes one and wraps it in its named functions.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from demos import runtime


@dataclass(frozen=True)
class Reading:
    """What a classifier made of an image: probabilities by label and the model's input ((H, W) grey
    or (H, W, 3) colour), or why not (``message``); ``note``: a caution that goes with an answer."""

    probabilities: dict[str, float]
    model_input: np.ndarray | None
    message: str | None = None
    note: str | None = None


def to_image_batch(images: np.ndarray) -> torch.Tensor:
    """(N, H, W) grey or (N, H, W, 3) colour floats in [0, 1] -> (N, C, H, W) float32 tensor
    (the models normalise themselves)."""
    batch = torch.as_tensor(np.asarray(images, dtype=np.float32))
    return batch.permute(0, 3, 1, 2).contiguous() if batch.ndim == 4 else batch.unsqueeze(1)


class ImageClassifier:
    """One demo's classifier: its committed model, loaded once, and the pipeline around it.

    ``preprocess`` turns whatever a visitor hands over into the model's (H, W) input in [0, 1],
    or raises ``refusal`` (a ``ValueError``) with a sentence for people when there is nothing
    to classify. ``rejection``: (a label of the model that means "none of these", the sentence to
    show instead when that label's probability reaches the threshold set in training: metrics.json's
    ``rejection.refuse_at``, one half for a model without one); the answer then leaves it out.
    """

    def __init__(self, name: str, model_class: type[torch.nn.Module], train_command: str,
                 preprocess: Callable[[object], np.ndarray], refusal: type[ValueError],
                 rejection: tuple[str, str] | None = None) -> None:
        self.name, self.model_class, self.train_command = name, model_class, train_command
        self.preprocess, self.refusal, self.rejection = preprocess, refusal, rejection
        self._model: torch.nn.Module | None = None
        self._metrics: dict | None = None
        self._metrics_read = False
        self._lock = threading.Lock()

    def load(self) -> torch.nn.Module:
        """The committed model, loaded once (strictly, eval mode, on the serving device)."""
        with self._lock:
            if self._model is None:
                self._model = runtime.load_model(self.model_class, self.name, self.train_command)
            return self._model

    def folder(self) -> Path:
        """The folder the weights came from (metrics.json and the mistakes gallery sit next to them)."""
        return runtime.find_weights(self.name, self.train_command)

    def metrics(self) -> dict | None:
        """The metrics.json that came with the weights, or None; read once (requests use it too)."""
        with self._lock:
            if not self._metrics_read:
                self._metrics = runtime.load_metrics(self.name, self.train_command)
                self._metrics_read = True
            return self._metrics

    def refuse_at(self) -> float:
        """The "none of these" probability at which an answer becomes the rejection's sentence."""
        return float(((self.metrics() or {}).get("rejection") or {}).get("refuse_at", 0.5))

    @torch.inference_mode()
    def probabilities(self, images: np.ndarray) -> np.ndarray:
        """(N, H, W) model inputs in [0, 1] -> (N, classes) probabilities. Each demo calls this from one
        module-level function marked `runtime.gpu` (ZeroGPU wants plain functions)."""
        model = self.load()
        device = next(model.parameters()).device
        return torch.softmax(model(to_image_batch(images).to(device)).float(), dim=1).cpu().numpy()

    def answer(self, values: np.ndarray, model_input: np.ndarray | None = None) -> Reading:
        """One row of `probabilities` -> the reading: probabilities by label, or the rejection's
        sentence (and no probabilities) when the model's "none of these" label reaches its threshold."""
        by_label = {label: float(p) for label, p in zip(self.load().labels, values)}
        if self.rejection is None or self.rejection[0] not in by_label:
            return Reading(by_label, model_input)
        rejected = by_label.pop(self.rejection[0])
        if rejected >= self.refuse_at():
            return Reading({}, model_input, self.rejection[1])
        return Reading(by_label, model_input)

    def read(self, image: object, probabilities: Callable[[np.ndarray], np.ndarray]) -> Reading:
        """Preprocess one image and classify it with ``probabilities`` (the demo's GPU-marked
        `probabilities`); a refusal from preprocessing becomes the message."""
        try:
            model_input = self.preprocess(image)
        except self.refusal as problem:
            return Reading({}, None, str(problem))
        return self.answer(probabilities(model_input[None])[0], model_input)
