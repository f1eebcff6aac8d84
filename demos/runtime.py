"""Shared runtime for every demo: device choice, ZeroGPU, threads and weight loading.

Nothing here loads a model at import time; `load_model` is called once per demo
(the app calls it at start-up, the Python API on first use).

Environment variables:
- ``DEMOS_DEVICE``: force a torch device ("cpu", "cuda", "cuda:1", "mps").
- ``DEMOS_TORCH_THREADS``: intra-op threads per request (default 1; see `configure_threads`).
- ``DEMOS_<NAME>_REPO``: Hub repo to load a demo's weights from when ``weights/<name>/``
  is missing, e.g. ``DEMOS_DIGITS_REPO=user/digits-cnn``.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import torch

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "weights"
WEIGHT_FILES = ("config.json", "model.safetensors")
METRICS_FILE = "metrics.json"  # travels with the weights (written by the training script, pushed with them)
# what the "Under the hood" panels read next to the weights when there (demos.inside, demos.shakespeare.inside)
INSIDE_FILES = ("mistakes.png", "mistakes.json", "cells.json")

ModelT = TypeVar("ModelT", bound=torch.nn.Module)
FuncT = TypeVar("FuncT", bound=Callable)


class MissingWeightsError(RuntimeError):
    """A demo's weights are neither in ``weights/<name>/`` nor on a configured Hub repo."""


def get_device() -> torch.device:
    """``DEMOS_DEVICE`` if set, else the best available (`best_device`)."""
    override = os.environ.get("DEMOS_DEVICE", "").strip()
    if override:
        try:
            return torch.device(override)
        except RuntimeError as error:
            raise ValueError(f"DEMOS_DEVICE={override!r} is not a torch device: {error}") from error
    return best_device()


def best_device() -> torch.device:
    """CUDA, else Apple MPS, else CPU (serving and training both choose this way)."""
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def on_zero_gpu() -> bool:
    """True on a Hugging Face ZeroGPU Space: ``spaces`` importable and ``SPACES_ZERO_GPU`` set."""
    return bool(os.environ.get("SPACES_ZERO_GPU")) and importlib.util.find_spec("spaces") is not None


def gpu(func: FuncT) -> FuncT:
    """Mark a GPU-bound call: ``spaces.GPU`` on ZeroGPU, a no-op everywhere else."""
    if not on_zero_gpu():
        return func
    import spaces  # only present on Spaces

    return spaces.GPU(func)


def configure_threads() -> int:
    """Set torch's intra-op threads for serving; returns the number set.

    The models are tiny, so one request gains little from a second thread, while
    several visitors at once (each request in its own worker thread) contend badly
    when each asks for all cores. One thread per request is the default.
    """
    raw = os.environ.get("DEMOS_TORCH_THREADS", "1")
    try:
        threads = int(raw)
    except ValueError as error:
        raise ValueError(f"DEMOS_TORCH_THREADS must be a positive integer, got {raw!r}") from error
    if threads < 1:
        raise ValueError(f"DEMOS_TORCH_THREADS must be a positive integer, got {raw!r}")
    torch.set_num_threads(threads)
    return threads


def hub_repo_variable(name: str) -> str:
    """Name of the environment variable that points demo ``name`` at a Hub repo
    ('fashion-photos' -> DEMOS_FASHION_PHOTOS_REPO)."""
    return f"DEMOS_{name.upper().replace('-', '_')}_REPO"


def _download_from_hub(repo_id: str) -> Path:
    # The one network call; tests replace it with a fake.
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(repo_id=repo_id, allow_patterns=[*WEIGHT_FILES, METRICS_FILE, *INSIDE_FILES]))


@functools.cache
def find_weights(name: str, train_command: str, weights_dir: Path = WEIGHTS_DIR) -> Path:
    """Folder holding demo ``name``'s weights: local first, then the Hub, else an error.

    Looked up once per process, so the model and its metrics come from the same folder."""
    local = weights_dir / name
    if all((local / file).is_file() for file in WEIGHT_FILES):
        return local
    variable = hub_repo_variable(name)
    repo_id = os.environ.get(variable, "").strip()
    if repo_id:
        return _download_from_hub(repo_id)
    raise MissingWeightsError(
        f"The {name} model has no weights: {local} lacks {' and '.join(WEIGHT_FILES)}, "
        f"and {variable} names no Hub repo. Train it with:\n    {train_command}"
    )


def load_model(
    model_class: type[ModelT],
    name: str,
    train_command: str,
    weights_dir: Path = WEIGHTS_DIR,
    device: torch.device | None = None,
) -> ModelT:
    """Load demo ``name``'s model strictly (every key must match), in eval mode, on ``device``.

    Its weights are ordinary tensors even when the first request loads it inside
    ``torch.inference_mode()``: the "Under the hood" panels take gradients through it."""
    folder = find_weights(name, train_command, weights_dir)
    device = device or get_device()
    with torch.inference_mode(False):
        model = model_class.from_pretrained(folder, strict=True, map_location="cpu")
        return model.to(device).eval()


def load_metrics(name: str, train_command: str, weights_dir: Path = WEIGHTS_DIR) -> dict | None:
    """The metrics.json next to demo ``name``'s weights (local, or downloaded with them), or None."""
    path = find_weights(name, train_command, weights_dir) / METRICS_FILE
    return json.loads(path.read_text()) if path.is_file() else None
