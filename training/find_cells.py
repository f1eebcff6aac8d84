"""Find LSTM cells of the Shakespeare model that follow something nameable, as the char-rnn write-ups
did, and name them for the tab's cell viewer.

    python -m training.find_cells [--data-dir ../shared/data] [--model weights/shakespeare] [--chars 20000]

Reads held-out Shakespeare (the last tenth of the corpus, which the model never trained on) from a
fresh state, takes every cell's tanh(c) after each character (`demos.shakespeare.inside.cell_states`),
and correlates it with simple features of the text: where in its line a character is, whether it is
in a speaker's name, inside a word, and so on. For each feature the cell with the largest |r|
is kept (a cell names one feature at most); the result, with the correlations, goes to
``<model>/cells.json``, next to the weights. Prints every feature's best cell.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from demos.shakespeare.inside import CELLS_FILE, cell_states
from demos.shakespeare.model import CharLSTM
from training.common import DEFAULT_DATA_DIR, REPO_ROOT
from training.train_shakespeare import load_corpus, split_corpus

SPEAKER_LINE = re.compile(r"^[A-Z][A-Za-z' ]*:$")  # "ROMEO:", "First Citizen:"


def line_position(text: str) -> np.ndarray:
    """Characters since the last line break (0 on the break itself)."""
    position, values = 0, np.zeros(len(text), dtype=np.float32)
    for t, char in enumerate(text):
        position = 0 if char == "\n" else position + 1
        values[t] = position
    return values


def speaker_name(text: str) -> np.ndarray:
    """1 for the characters of a speaker's heading line ("ROMEO:"), its colon included."""
    values = np.zeros(len(text), dtype=np.float32)
    start = 0
    for line in text.split("\n"):
        if SPEAKER_LINE.match(line):
            values[start : start + len(line)] = 1.0
        start += len(line) + 1
    return values


def inside_word(text: str) -> np.ndarray:
    """1 for letters and apostrophes within words."""
    return np.array([char.isalpha() or char == "'" for char in text], dtype=np.float32)


def word_position(text: str) -> np.ndarray:
    """Letters since the start of the current word (0 outside words)."""
    position, values = 0, np.zeros(len(text), dtype=np.float32)
    for t, char in enumerate(text):
        position = position + 1 if char.isalpha() else 0
        values[t] = position
    return values


def speech_lines(text: str) -> np.ndarray:
    """How many lines the current speech has run so far (0 in the speaker's heading)."""
    values = np.zeros(len(text), dtype=np.float32)
    start, lines = 0, 0
    for line in text.split("\n"):
        lines = 0 if SPEAKER_LINE.match(line) or not line else lines + 1
        values[start : start + len(line) + 1] = lines
        start += len(line) + 1
    return values[: len(text)]


def capitals(text: str) -> np.ndarray:
    """1 for capital letters."""
    return np.array([char.isupper() for char in text], dtype=np.float32)


FEATURES: dict[str, tuple[str, Callable[[str], np.ndarray]]] = {
    "line position": ("how far along its line the text is", line_position),
    "speaker": ("inside a speaker's name (ROMEO:)", speaker_name),
    "in a word": ("inside a word (letters) rather than between words", inside_word),
    "word position": ("how far into the current word", word_position),
    "speech length": ("how many lines the current speech has run", speech_lines),
    "capitals": ("on a capital letter", capitals),
}


def correlations(states: np.ndarray, feature: np.ndarray) -> np.ndarray:
    """Pearson r of each cell's activation (T, N) with ``feature`` (T,): (N,); 0 for constant cells."""
    centred = states - states.mean(axis=0)
    target = feature - feature.mean()
    spread = np.sqrt((centred**2).sum(axis=0) * (target**2).sum())
    return np.divide(centred.T @ target, spread, out=np.zeros(states.shape[1]), where=spread > 0)


def find_cells(model: CharLSTM, text: str) -> list[dict]:
    """For each feature, the not yet chosen cell most correlated with it (by |r|), best features first."""
    states = cell_states(model, text)  # (T, cells)
    found = {key: correlations(states, compute(text)) for key, (_, compute) in FEATURES.items()}
    chosen: list[dict] = []
    for key in sorted(found, key=lambda key: -np.abs(found[key]).max()):
        r = found[key].copy()
        r[[entry["cell"] for entry in chosen]] = 0.0  # one feature per cell
        cell = int(np.abs(r).argmax())
        chosen.append({"cell": cell, "feature": key, "name": FEATURES[key][0], "correlation": round(float(r[cell]), 3)})
    return chosen


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--corpus", type=Path, default=None, help="default: <data-dir>/tinyshakespeare/input.txt")
    parser.add_argument("--model", type=Path, default=REPO_ROOT / "weights" / "shakespeare",
                        help="the model's folder (config.json, model.safetensors); cells.json is written there")
    parser.add_argument("--chars", type=int, default=20_000, help="held-out characters to read")
    args = parser.parse_args(argv)
    if args.chars < 100:
        parser.error("--chars must be at least 100")
    try:
        corpus = load_corpus(args.corpus or args.data_dir / "tinyshakespeare" / "input.txt")
    except ValueError as problem:
        parser.error(str(problem))
    started = time.perf_counter()
    model = CharLSTM.from_pretrained(args.model, strict=True, map_location="cpu").eval()
    _, held_out = split_corpus(corpus)
    text = "".join(char for char in held_out[: args.chars] if char in model.char_to_id)
    with torch.inference_mode():
        cells = find_cells(model, text)
    hidden = model.lstm.hidden_size
    for entry in cells:
        print(f"{entry['name']:55s} layer {entry['cell'] // hidden + 1}, cell {entry['cell'] % hidden:3d}   "
              f"r = {entry['correlation']:+.3f}")
    (args.model / CELLS_FILE).write_text(json.dumps({
        "source": f"the first {len(text):,} characters of held-out Shakespeare (the corpus's last tenth)",
        "activation": "tanh of the cell state c after each character", "cells": cells}, indent=1) + "\n")
    print(f"wrote {args.model / CELLS_FILE} ({time.perf_counter() - started:.0f} s)")
    return cells


if __name__ == "__main__":
    main()
