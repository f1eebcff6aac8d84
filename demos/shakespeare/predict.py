"""The Shakespeare pipeline, owned here (no gradio): the tab, the benchmarks and the API call it.

    >>> from demos.shakespeare import generate, stream, nll, start_writing, score
    >>> generate("ROMEO:", max_new_chars=200, temperature=0.8, seed=1)   # the continuation only
    >>> for text in stream("JULIET:", 100): print(text)                 # the growing continuation
    >>> writing = start_writing("ROMEO:")                               # checked, seed fixed
    >>> writing.seed, "".join(writing.chars())                          # the seed drawn, the text
    >>> nll("To be, or not to be")                                      # nats per character
    >>> score("To be, or not to be").verdict                            # in words, as the tab says it

Characters the model does not know are mapped or left out (`demos.shakespeare.text`); the
functions then warn (``UnknownCharactersWarning``) with the same note the tab shows. Values
out of range raise ``ValueError``.
"""

from __future__ import annotations

import functools
import math
import secrets
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from demos import runtime
from demos.shakespeare.batching import Batcher, BatcherProcess
from demos.shakespeare.model import CharLSTM
from demos.shakespeare.text import FittedText, fit_to_vocabulary

NAME = "shakespeare"
TRAIN_COMMAND = "python -m training.train_shakespeare"
MAX_NEW_CHARS = 2000
MAX_TEMPERATURE = 2.0
MAX_PROMPT_CHARS = 5000
MAX_SEED = 2**32 - 1
MAX_SCORED_CHARS = 5_000  # pasted texts; the model reads a text in order, so scoring time grows with length
EMPTY_PROMPT = "\n"  # an empty prompt starts the text as a new line would


class UnknownCharactersWarning(UserWarning):
    """The text had characters outside the model's alphabet; the message says what was done."""


@functools.cache
def load_lstm() -> CharLSTM:
    """The committed LSTM, loaded once (strictly, eval mode, on the serving device), ready to sample."""
    model = runtime.load_model(CharLSTM, NAME, TRAIN_COMMAND)
    list(model.generate(model.encode(model.vocab[0]), 1, temperature=0))  # builds the fused step once
    return model


def metrics() -> dict | None:
    """The metrics.json that came with the weights, or None."""
    return runtime.load_metrics(NAME, TRAIN_COMMAND)


def validation_loss() -> float | None:
    """The model's loss on held-out Shakespeare (from the metrics that came with its weights), if known."""
    found = metrics()
    return float(found["validation"]["loss"]) if found is not None else None


def new_seed() -> int:
    """A fresh seed, 1 to MAX_SEED: what a generation without a seed uses (and reports)."""
    return 1 + secrets.randbelow(MAX_SEED)


@dataclass(frozen=True)
class Writing:
    """A generation, checked and with its seed fixed: what `generate`, `stream` and the tab run."""

    prompt: FittedText  # the prompt in the model's alphabet, and a note on what was changed
    max_new_chars: int
    temperature: float
    top_k: int | None
    seed: int  # drawn with `new_seed` when none was given, so that any text can be had again

    def pieces(self, every: float = 0.0) -> Iterator[str]:
        """The sampled text as it comes, in pieces (at most one every ``every`` seconds, as
        `batching.Stream.pieces`); closing the iterator stops the generation.

        Every generation of the process runs in one batch: on a thread of this process, or in a
        process of its own once `run_writers_in_a_process` was called (the app does). On
        ZeroGPU, where a GPU is lent per decorated call and not to a loop that outlives it, each
        generation runs alone inside its own call instead (`sample_chars`).
        """
        model = load_lstm()
        if runtime.on_zero_gpu():
            return _gathered(sample_chars(model, self), every)
        prompt = model.encode(self.prompt.text or EMPTY_PROMPT)
        writer = WRITERS.process or batcher(model)
        return writer.submit(prompt, self.max_new_chars, self.temperature, self.top_k, self.seed).pieces(every)

    def chars(self) -> Iterator[str]:
        """The sampled characters, one by one, generated alone on this thread (`sample_chars`):
        the same text as `pieces` gives, without a batch to join (what `generate` and `stream` use)."""
        return sample_chars(load_lstm(), self)


def start_writing(
    prompt: str, max_new_chars: int = 500, temperature: float = 0.8, top_k: int | None = None, seed: int | None = None
) -> Writing:
    """Validate every argument (``ValueError`` naming the allowed range), fit the prompt to the
    model's alphabet and fix the seed (a new one when ``seed`` is None)."""
    model = load_lstm()
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
    return Writing(fit_to_vocabulary(prompt, model.vocab), max_new_chars, float(temperature), top_k,
                   new_seed() if seed is None else seed)


def _warn_if_changed(fitted: FittedText) -> None:
    if fitted.note:
        warnings.warn(fitted.note, UnknownCharactersWarning, stacklevel=3)


@functools.cache
def batcher(model: CharLSTM) -> Batcher:
    """The decoding loop for ``model`` on a thread of this process: every generation is stepped in it."""
    return Batcher(model)


class _Writers:
    """Where generations run when not on this process's thread (`run_writers_in_a_process`)."""

    process: BatcherProcess | None = None


WRITERS = _Writers()


def run_writers_in_a_process(cpus: set[int] | None = None) -> BatcherProcess:
    """From now on, step every generation in a process of its own (`batching.BatcherProcess`, on
    ``cpus`` when given), started here and loading the model there. A web server calls this at
    start-up: there the loop would share the GIL with the server's Python and wait for it."""
    if WRITERS.process is None:
        WRITERS.process = BatcherProcess(load_lstm, cpus=cpus)
    return WRITERS.process


@runtime.gpu
@torch.inference_mode()
def sample_chars(model: CharLSTM, writing: Writing) -> Iterator[str]:
    """The sampled characters one by one, this generation alone (`Writing.chars`, and `Writing.pieces` on ZeroGPU)."""
    prompt = model.encode(writing.prompt.text or EMPTY_PROMPT)
    for next_id in model.generate(prompt, writing.max_new_chars, writing.temperature, writing.top_k, writing.seed):
        yield model.vocab[next_id]


def stream(
    prompt: str, max_new_chars: int = 500, temperature: float = 0.8, top_k: int | None = None, seed: int | None = None
) -> Iterator[str]:
    """Like `generate`, but yields the growing continuation after each new character."""
    writing = start_writing(prompt, max_new_chars, temperature, top_k, seed)
    _warn_if_changed(writing.prompt)
    return _growing(writing.chars())


def _gathered(chars: Iterator[str], every: float) -> Iterator[str]:
    """Characters -> pieces: what came in each ``every`` seconds (at least one character each)."""
    piece, started = "", time.perf_counter()
    for char in chars:
        piece += char
        if time.perf_counter() - started >= every:
            yield piece
            piece, started = "", time.perf_counter()
    if piece:
        yield piece


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
    same text; without one a new seed is drawn (`start_writing` says which). An empty prompt
    starts from a line break.
    """
    writing = start_writing(prompt, max_new_chars, temperature, top_k, seed)
    _warn_if_changed(writing.prompt)
    return "".join(writing.chars())


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



# Verdict bands, in nats per character above held-out Shakespeare (about 1.41 for the committed
# model). Set from `python -m benchmarks.shakespeare_verdicts`: Shakespeare the model never read
# scores 1.41-1.58, other English of his age 1.33-1.69, modern English 1.91-2.21, code 3.7-4.9,
# noise above 7. Past ln(number of characters it knows) the model does worse than blind guessing.
MEMORISED_BELOW = -0.25
SHAKESPEAREAN_UP_TO = 0.2
OLD_ENGLISH_UP_TO = 0.4
MODERN_ENGLISH_UP_TO = 1.2


def verdict(loss: float, reference: float, choices: int) -> str:
    """Plain words for a score relative to held-out Shakespeare (lower is more predictable to the model);
    ``choices``: how many characters the model knows."""
    if loss < reference + MEMORISED_BELOW:
        return "Even more predictable than Shakespeare it never read: it may have read this very passage in training."
    if loss <= reference + SHAKESPEAREAN_UP_TO:
        return "Shakespearean: as predictable to the model as real Shakespeare it never read."
    if loss <= reference + OLD_ENGLISH_UP_TO:
        return "Old-fashioned English: close to the plays' language, though not quite the Bard's."
    if loss <= reference + MODERN_ENGLISH_UP_TO:
        return "Modern English, not Shakespeare: the model follows the words but not the style."
    if loss <= math.log(choices):
        return "Hardly language to this model: code, lists or another tongue, perhaps."
    return "Nothing like what it has read: the model guesses worse than blindly (noise, numbers or symbols)."


@dataclass(frozen=True)
class Score:
    """How Shakespearean a text looks to the model."""

    loss: float  # nats per character (`nll`)
    choices: int  # characters the model knows: blind guessing scores ln(choices)
    reference: float | None  # held-out Shakespeare's loss, when the metrics came with the weights
    note: str | None  # what was mapped or left out

    @property
    def verdict(self) -> str | None:
        """The score in plain words (None without a reference)."""
        return verdict(self.loss, self.reference, self.choices) if self.reference is not None else None


def score(text: str) -> Score:
    """`nll` with a verdict, for texts people paste: at most MAX_SCORED_CHARS characters. Raises
    ``ValueError`` with a sentence for an empty or too long text, or one with too little left once
    the characters the model does not know are left out."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    if not text.strip():
        raise ValueError("Paste some text to score.")
    if len(text) > MAX_SCORED_CHARS:
        raise ValueError(f"That is {len(text):,} characters; please paste at most {MAX_SCORED_CHARS:,}.")
    model = load_lstm()
    fitted = fit_to_vocabulary(text, model.vocab)
    if len(fitted.text) < 2:
        raise ValueError("Too little text left to score: " + (fitted.note or "paste at least two characters."))
    return Score(text_nll(model, fitted.text), len(model.vocab), validation_loss(), fitted.note)
