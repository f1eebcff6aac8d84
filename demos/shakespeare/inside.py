"""Under the hood of the Shakespeare LSTM, for one text (no gradio): how surprised the model is by
each character and what it expected instead, what any one LSTM cell does along the text, a few
cells found offline that track something nameable, and the learning curve.

    >>> from demos.shakespeare import inside
    >>> seen = inside.surprise("ROMEO:\\nWhat light")
    >>> seen.nats[7], seen.candidates[7]        # -ln p of 'W' after "ROMEO:\\n"; the 5 likeliest then
    >>> inside.cell_activations("ROMEO:\\nWhat light", cell=634)   # tanh(c) of that cell after each char
    >>> inside.named_cells()                    # [NamedCell(cell=..., name='...', correlation=...), ...]

Cells are numbered through both layers: 0 to H-1 the first layer's, H to 2H-1 the second's (H =
the hidden size, 600). The text is read from a fresh state, as `nll` reads it, after fitting it to
the model's alphabet (`demos.shakespeare.text`); at most MAX_INSIDE_CHARS characters are read.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from demos import runtime
from demos.inside import curves
from demos.shakespeare.model import CharLSTM
from demos.shakespeare.predict import TRAIN_COMMAND, load_lstm, metrics
from demos.shakespeare.text import fit_to_vocabulary

NAME = "shakespeare"
CELLS_FILE = "cells.json"  # next to the weights: written by `python -m training.find_cells`
MAX_INSIDE_CHARS = 2000
CANDIDATES = 5


@dataclass(frozen=True)
class Surprise:
    """How surprised the model was by each character of ``text`` (its first character is context only)."""

    text: str  # the text as read: fitted to the model's alphabet, at most MAX_INSIDE_CHARS
    nats: list[float | None]  # -ln p(text[t] | text[:t]); None for the first character
    candidates: list[list[tuple[str, float]]]  # the 5 likeliest characters before text[t] came, with p ([] for t=0)
    note: str  # what was changed or cut, in words ("" when nothing)

    @property
    def mean(self) -> float:
        """The average surprise: what `nll` returns for the same text."""
        return float(np.mean([n for n in self.nats if n is not None]))


def fitted(text: str) -> tuple[str, str]:
    """(the text fitted to the alphabet and cut to MAX_INSIDE_CHARS, a note on what was done);
    ``ValueError`` with a sentence when fewer than two characters are left."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    fit = fit_to_vocabulary(text, load_lstm().vocab)
    notes = [fit.note] if fit.note else []
    if len(fit.text) > MAX_INSIDE_CHARS:
        notes.append(f"Only the first {MAX_INSIDE_CHARS:,} of its {len(fit.text):,} characters are shown.")
    if len(fit.text[:MAX_INSIDE_CHARS]) < 2:
        raise ValueError("Too little text to look at: write or paste at least two characters.")
    return fit.text[:MAX_INSIDE_CHARS], " ".join(notes)


@runtime.gpu
@torch.inference_mode()
def _surprise(model: CharLSTM, text: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(T-1,) nats of text[1:]; (T-1, 5) ids and (T-1, 5) probabilities of the likeliest next characters."""
    ids = torch.tensor(model.encode(text), device=model.head.weight.device)[None]  # (1, T)
    logits, _ = model(ids[:, :-1])  # (1, T-1, V): the prediction before each of text[1:]
    log_p = torch.log_softmax(logits[0].float(), dim=1)  # (T-1, V)
    nats = -log_p.gather(1, ids[0, 1:, None])[:, 0]  # (T-1,)
    top = log_p.topk(CANDIDATES, dim=1)
    return nats.cpu().numpy(), top.indices.cpu().numpy(), top.values.exp().cpu().numpy()


def surprise(text: str) -> Surprise:
    """Each character's surprise (nats, the terms whose mean is `nll`) and the model's top 5 before it."""
    text, note = fitted(text)
    model = load_lstm()
    nats, ids, probabilities = _surprise(model, text)
    candidates = [[(model.vocab[i], float(p)) for i, p in zip(row_ids, row_p)] for row_ids, row_p in zip(ids, probabilities)]
    return Surprise(text, [None, *map(float, nats)], [[], *candidates], note)


# --- cells --------------------------------------------------------------------------------

@functools.cache
def _single_layers(model: CharLSTM) -> tuple[nn.LSTM, ...]:
    """One single-layer nn.LSTM per layer of ``model.lstm``, sharing its weights: run in turn, they give
    each layer's outputs (nn.LSTM itself returns only the last layer's)."""
    lstm = model.lstm
    layers = []
    for layer in range(lstm.num_layers):
        single = nn.LSTM(lstm.input_size if layer == 0 else lstm.hidden_size, lstm.hidden_size, 1, batch_first=True)
        for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            setattr(single, f"{kind}_l0", getattr(lstm, f"{kind}_l{layer}"))
        layers.append(single.eval())
    return tuple(layers)


def _layer_inputs_and_outputs(model: CharLSTM, ids: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """(T,) ids -> for each layer: (its inputs (T, In), its outputs h (T, H)), read from a zero state."""
    x = model.embedding(ids[None])  # (1, T, E); dropout is off in eval mode
    result = []
    for single in _single_layers(model):
        h, _ = single(x)  # (1, T, H)
        result.append((x[0], h[0]))
        x = h
    return result


@runtime.gpu
@torch.inference_mode()
def cell_states(model: CharLSTM, text: str, cells: list[int] | None = None) -> np.ndarray:
    """tanh of the LSTM cell state c after each character of ``text`` (in the model's alphabet):
    (T, len(cells)) for the given cells (numbered through both layers), all when None.

    The gates come from each layer's inputs and outputs all at once; only c's own recurrence,
    c_t = f_t * c_(t-1) + i_t * g_t, runs character by character, and only for the cells asked for."""
    hidden = model.lstm.hidden_size
    wanted = list(range(model.lstm.num_layers * hidden)) if cells is None else list(cells)
    if any(not 0 <= cell < model.lstm.num_layers * hidden for cell in wanted):
        raise ValueError(f"cells are numbered 0 to {model.lstm.num_layers * hidden - 1}")
    ids = torch.tensor(model.encode(text), device=model.head.weight.device)
    per_layer = _layer_inputs_and_outputs(model, ids)
    columns = np.zeros((len(ids), len(wanted)), dtype=np.float32)
    for layer, (inputs, outputs) in enumerate(per_layer):
        mine = [(column, cell - layer * hidden) for column, cell in enumerate(wanted) if cell // hidden == layer]
        if not mine:
            continue
        index = torch.tensor([j for _, j in mine], device=ids.device)
        rows = torch.cat([index + gate * hidden for gate in range(4)])  # the i, f, g, o rows of these cells
        previous = torch.cat([torch.zeros_like(outputs[:1]), outputs[:-1]])  # h_(t-1), zero before the first
        lstm = model.lstm
        gates = (inputs @ getattr(lstm, f"weight_ih_l{layer}")[rows].T + previous @ getattr(lstm, f"weight_hh_l{layer}")[rows].T
                 + getattr(lstm, f"bias_ih_l{layer}")[rows] + getattr(lstm, f"bias_hh_l{layer}")[rows])  # (T, 4n)
        i, f, g, _ = gates.float().view(len(ids), 4, len(mine)).unbind(1)  # each (T, n)
        i, f, g = torch.sigmoid(i).cpu().numpy(), torch.sigmoid(f).cpu().numpy(), torch.tanh(g).cpu().numpy()
        c = np.zeros(len(mine), dtype=np.float32)
        states = np.empty_like(i)
        for t in range(len(ids)):  # the one sequential part: elementwise, for the cells asked for
            c = f[t] * c + i[t] * g[t]
            states[t] = c
        columns[:, [column for column, _ in mine]] = np.tanh(states)
    return columns


def cell_activations(text: str, cell: int) -> tuple[str, np.ndarray]:
    """(the text as read, tanh(c) of ``cell`` after each of its characters, in [-1, 1])."""
    model = load_lstm()
    if isinstance(cell, bool) or not isinstance(cell, (int, np.integer)):
        raise ValueError(f"cell must be a whole number, got {cell!r}")
    text, _ = fitted(text)
    return text, cell_states(model, text, [int(cell)])[:, 0]


@dataclass(frozen=True)
class NamedCell:
    """A cell found offline (`training.find_cells`) to follow something nameable in the plays."""

    cell: int
    name: str  # what it follows, in words
    correlation: float  # of its tanh(c) with that feature over held-out Shakespeare

    @property
    def title(self) -> str:
        hidden = load_lstm().lstm.hidden_size
        return f"{self.name} — layer {self.cell // hidden + 1}, cell {self.cell % hidden} (r = {self.correlation:+.2f})"


def named_cells() -> list[NamedCell]:
    """The cells `training.find_cells` found and named (its cells.json next to the weights), or []."""
    path = runtime.find_weights(NAME, TRAIN_COMMAND) / CELLS_FILE
    if not path.is_file():
        return []
    return [NamedCell(int(entry["cell"]), entry["name"], float(entry["correlation"]))
            for entry in json.loads(path.read_text())["cells"]]


# --- how it was trained ----------------------------------------------------------------------

@dataclass(frozen=True)
class LearningCurve:
    rows: list[dict]  # {"epoch", "value", "curve"}: training and validation loss, and a vertical line at the epoch kept
    chosen_epoch: int | None  # the epoch whose weights were kept (lowest validation loss)
    chosen_loss: float | None


def learning_curve() -> LearningCurve:
    """Training and validation loss per epoch from metrics.json, and the epoch kept."""
    found = metrics() or {}
    rows = curves(found.get("history", []), {"train_loss": "training loss", "val_loss": "validation loss"})
    validation = found.get("validation", {})
    chosen = validation.get("epoch")
    if chosen is not None and rows:  # a vertical line at the epoch kept, across the plotted range
        values = [row["value"] for row in rows]
        rows += [{"epoch": chosen, "value": value, "curve": f"epoch kept ({chosen})"} for value in (min(values), max(values))]
    return LearningCurve(rows, chosen, validation.get("loss"))


@dataclass(frozen=True)
class Views:
    """What the Shakespeare tab's "Under the hood" panel calls."""

    surprise: Callable[[str], Surprise]
    cell_activations: Callable[[str, int], tuple[str, np.ndarray]]
    named_cells: Callable[[], list[NamedCell]]
    learning_curve: Callable[[], LearningCurve]
    cells: int  # how many cells there are (both layers)


def views() -> Views:
    """The panel's functions, with the committed model's cell count (loads the model)."""
    lstm = load_lstm().lstm
    return Views(surprise, cell_activations, named_cells, learning_curve, lstm.num_layers * lstm.hidden_size)
