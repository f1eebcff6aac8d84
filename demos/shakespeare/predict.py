"""Plain functions for the Shakespeare tab (no gradio here): generate, stream, nll.

    >>> from demos.shakespeare import generate, stream, nll
    >>> generate("ROMEO:", max_new_chars=200, temperature=0.8, seed=1)   # the continuation only
    >>> for text in stream("JULIET:", 100): print(text)                 # the growing continuation
    >>> nll("To be, or not to be")                                      # nats per character

Characters the model does not know are mapped or left out (`demos.shakespeare.text`); the
functions then warn (``UnknownCharactersWarning``) with the same note the tab shows. Values
out of range raise ``ValueError``.
"""

from __future__ import annotations

import functools
import json
import secrets
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from demos import runtime
from demos.shakespeare.model import CharLSTM
from demos.shakespeare.text import FittedText, fit_to_vocabulary

NAME = "shakespeare"
TRAIN_COMMAND = "python -m training.train_shakespeare"
MAX_NEW_CHARS = 2000
MAX_TEMPERATURE = 2.0
MAX_PROMPT_CHARS = 5000
MAX_SEED = 2**32 - 1
EMPTY_PROMPT = "\n"  # an empty prompt starts the text as a new line would


class UnknownCharactersWarning(UserWarning):
    """The text had characters outside the model's alphabet; the message says what was done."""


@functools.cache
def load_lstm() -> CharLSTM:
    """The committed LSTM, loaded once (strictly, eval mode, on the serving device), ready to sample."""
    model = runtime.load_model(CharLSTM, NAME, TRAIN_COMMAND)
    list(model.generate(model.encode(model.vocab[0]), 1, temperature=0))  # builds the fused step once
    return model


def validation_loss() -> float | None:
    """The committed model's loss on held-out Shakespeare (metrics.json), if it was committed."""
    path = runtime.WEIGHTS_DIR / NAME / "metrics.json"
    if not path.is_file():
        return None
    return float(json.loads(path.read_text())["validation"]["loss"])


@dataclass(frozen=True)
class GenerationRequest:
    """Checked arguments of `generate`/`stream`: the prompt in the model's alphabet and the sampling settings."""

    prompt: FittedText
    max_new_chars: int
    temperature: float
    top_k: int | None
    seed: int | None


def check_request(
    model: CharLSTM, prompt: str, max_new_chars: int, temperature: float, top_k: int | None, seed: int | None
) -> GenerationRequest:
    """Validate every argument (``ValueError`` with the allowed range) and fit the prompt to the vocabulary."""
    if not isinstance(prompt, str):
        raise ValueError(f"prompt must be a string, got {type(prompt).__name__}")
    if len(prompt) > MAX_PROMPT_CHARS:
        raise ValueError(f"prompt has {len(prompt):,} characters; at most {MAX_PROMPT_CHARS:,} are read")
    if isinstance(max_new_chars, bool) or not isinstance(max_new_chars, int) or not 1 <= max_new_chars <= MAX_NEW_CHARS:
        raise ValueError(f"max_new_chars must be a whole number from 1 to {MAX_NEW_CHARS}, got {max_new_chars!r}")
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float)) or not 0 <= temperature <= MAX_TEMPERATURE:
        raise ValueError(f"temperature must be from 0 (greedy) to {MAX_TEMPERATURE}, got {temperature!r}")
    vocab_size = len(model.vocab)
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= vocab_size):
        raise ValueError(f"top_k must be None (all characters) or a whole number from 1 to {vocab_size}, got {top_k!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED):
        raise ValueError(f"seed must be None or a whole number from 0 to {MAX_SEED}, got {seed!r}")
    return GenerationRequest(fit_to_vocabulary(prompt, model.vocab), max_new_chars, float(temperature), top_k, seed)


def _warn_if_changed(fitted: FittedText) -> None:
    if fitted.note:
        warnings.warn(fitted.note, UnknownCharactersWarning, stacklevel=3)


@runtime.gpu
@torch.inference_mode()
def sample_chars(model: CharLSTM, request: GenerationRequest) -> Iterator[str]:
    """The sampled characters one by one (the loop under `stream` and the tab)."""
    device = model.head.weight.device
    generator = torch.Generator(device)
    generator.manual_seed(request.seed if request.seed is not None else secrets.randbits(63))
    prompt = request.prompt.text or EMPTY_PROMPT
    ids = model.generate(model.encode(prompt), request.max_new_chars, request.temperature, request.top_k, generator)
    for next_id in ids:
        yield model.vocab[next_id]


def stream(
    prompt: str, max_new_chars: int = 500, temperature: float = 0.8, top_k: int | None = None, seed: int | None = None
) -> Iterator[str]:
    """Like `generate`, but yields the growing continuation after each new character."""
    model = load_lstm()
    request = check_request(model, prompt, max_new_chars, temperature, top_k, seed)
    _warn_if_changed(request.prompt)
    return _growing(sample_chars(model, request))


def _growing(chars: Iterator[str]) -> Iterator[str]:
    text = ""
    for char in chars:
        text += char
        yield text


def generate(
    prompt: str, max_new_chars: int = 500, temperature: float = 0.8, top_k: int | None = None, seed: int | None = None
) -> str:
    """Continue ``prompt`` by ``max_new_chars`` characters; returns the continuation only.

    ``temperature`` from 0 (greedy: always the likeliest character) to 2 (wild); ``top_k``
    samples only among the k likeliest characters; the same ``seed`` and arguments give the
    same text. An empty prompt starts from a line break.
    """
    model = load_lstm()
    request = check_request(model, prompt, max_new_chars, temperature, top_k, seed)
    _warn_if_changed(request.prompt)
    return "".join(sample_chars(model, request))


@runtime.gpu
@torch.inference_mode()
def text_nll(model: CharLSTM, text: str, chunk: int = 4096) -> float:
    """Mean negative log-likelihood (nats) of ``text[1:]``, each character given all before it.

    ``text`` must be in the model's alphabet. Read in chunks with the state carried, which is the
    same as one pass over the whole text.
    """
    ids = torch.tensor(model.encode(text), device=model.head.weight.device)
    if len(ids) < 2:
        raise ValueError("need at least two characters: the first one is only context")
    total, state = 0.0, None
    for start in range(0, len(ids) - 1, chunk):
        inputs, targets = ids[start : start + chunk][None], ids[start + 1 : start + chunk + 1]
        inputs = inputs[:, : len(targets)]
        logits, state = model(inputs, state)  # (1, T, V)
        total += F.cross_entropy(logits[0].float(), targets, reduction="sum").item()
    return total / (len(ids) - 1)


def nll(text: str) -> float:
    """Mean negative log-likelihood, in nats per character, of each character of ``text`` given
    the ones before it (the first character is context only). Lower means more Shakespearean.

    Unknown characters are mapped or left out first (with a warning saying which).
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    model = load_lstm()
    fitted = fit_to_vocabulary(text, model.vocab)
    _warn_if_changed(fitted)
    return text_nll(model, fitted.text)

