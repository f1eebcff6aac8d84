"""Under the hood of the Shakespeare LSTM: surprise per character against `nll`, cell activations against
the model's own state, the offline cell finder, and the tab's panel handlers (made-up views, no browser)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from demos.shakespeare import inside, nll
from demos.shakespeare.model import CharLSTM
from demos.shakespeare.predict import load_lstm
from demos.shakespeare.tab import HoodHandlers, coloured_text
from training import find_cells

VOCAB = "\n !',-.:;?ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TEXT = "ROMEO:\nBut soft, what light through yonder window breaks?\nIt is the east, and Juliet is the sun.\n"


def tiny_model(seed: int = 0) -> CharLSTM:
    torch.manual_seed(seed)
    return CharLSTM(VOCAB, embedding_dim=8, hidden_size=24, num_layers=2, dropout=0.2).eval()


def stepped_cell_states(model: CharLSTM, text: str) -> np.ndarray:
    """tanh(c) of every cell after each character, by feeding the LSTM one character at a time."""
    ids = torch.tensor(model.encode(text))
    states, state = [], None
    with torch.inference_mode():
        for t in range(len(ids)):
            _, state = model(ids[t : t + 1][None], state)
            states.append(torch.tanh(state[1][:, 0, :]).reshape(-1).numpy())  # (layers * H,)
    return np.stack(states)


def test_cell_states_match_the_lstms_own_state():
    model = tiny_model()
    expected = stepped_cell_states(model, TEXT)
    np.testing.assert_allclose(inside.cell_states(model, TEXT), expected, atol=1e-5)
    some = [3, 30, 47]  # a few cells of both layers, in any order
    np.testing.assert_allclose(inside.cell_states(model, TEXT, some), expected[:, some], atol=1e-5)
    with pytest.raises(ValueError, match="0 to 47"):
        inside.cell_states(model, TEXT, [48])


@pytest.mark.weights
def test_surprise_is_nlls_per_character_terms():
    seen = inside.surprise(TEXT)
    assert seen.text == TEXT and seen.nats[0] is None and seen.candidates[0] == []
    model = load_lstm()
    ids = torch.tensor(model.encode(TEXT))
    with torch.inference_mode():
        logits, _ = model(ids[None, :-1])
        terms = F.cross_entropy(logits[0], ids[1:], reduction="none").numpy()
    np.testing.assert_allclose(seen.nats[1:], terms, rtol=1e-4, atol=1e-5)
    assert seen.mean == pytest.approx(nll(TEXT), rel=1e-5)
    for candidates, nats, char in zip(seen.candidates[1:], seen.nats[1:], TEXT[1:]):
        probabilities = [p for _, p in candidates]
        assert len(candidates) == 5 and probabilities == sorted(probabilities, reverse=True)
        if char == candidates[0][0]:  # the likeliest character came: its p is the top one
            assert math.exp(-nats) == pytest.approx(probabilities[0], rel=1e-4)


@pytest.mark.weights
def test_surprise_fits_the_text_and_refuses_too_little():
    seen = inside.surprise("To be — or “not” " + "a" * 2100)
    assert seen.text.startswith("To be - or 'not' ") and len(seen.text) == inside.MAX_INSIDE_CHARS
    assert "changed" in seen.note and "first 2,000" in seen.note
    with pytest.raises(ValueError, match="at least two"):
        inside.surprise("é")
    with pytest.raises(ValueError, match="string"):
        inside.surprise(None)


@pytest.mark.weights
def test_cell_activations_and_the_named_cells():
    read, values = inside.cell_activations(TEXT, 883)
    assert read == TEXT and values.shape == (len(TEXT),) and np.abs(values).max() <= 1.0
    np.testing.assert_allclose(values, stepped_cell_states(load_lstm(), TEXT)[:, 883], atol=1e-4)
    with pytest.raises(ValueError):
        inside.cell_activations(TEXT, 2.5)
    named = inside.named_cells()
    assert named and len({cell.cell for cell in named}) == len(named)
    assert all(abs(cell.correlation) >= 0.5 for cell in named[:3]) and "layer" in named[0].title
    curve = inside.learning_curve()
    assert curve.chosen_epoch == 17 and {row["curve"] for row in curve.rows} == {
        "training loss", "validation loss", "epoch kept (17)"}


def test_find_cells_picks_the_most_correlated_distinct_cells():
    text = ("FIRST CITIZEN:\nWe are accounted poor citizens.\n\nMENENIUS:\nWhat work's, my countrymen?\n") * 8
    line = find_cells.line_position(text)
    assert line[text.index("\n")] == 0 and line[text.index("\n") - 1] == len("FIRST CITIZEN:")
    speaker = find_cells.speaker_name(text)
    assert speaker[: len("FIRST CITIZEN:")].all() and not speaker[len("FIRST CITIZEN:") + 2 :][:10].any()
    states = np.random.default_rng(0).normal(size=(len(text), 5))
    states[:, 3] = line + np.random.default_rng(1).normal(scale=0.1, size=len(text))
    r = find_cells.correlations(states, line)
    assert int(np.abs(r).argmax()) == 3 and r[3] > 0.99
    chosen = find_cells.find_cells(tiny_model(), text)
    assert [entry["feature"] for entry in chosen] != [] and len({entry["cell"] for entry in chosen}) == len(chosen)
    assert {entry["feature"] for entry in chosen} == set(find_cells.FEATURES)


def test_find_cells_writes_cells_json_next_to_the_model(tmp_path: Path):
    model_dir = tmp_path / "model"
    tiny_model().save_pretrained(model_dir)
    corpus = tmp_path / "corpus.txt"
    corpus.write_text(("ROMEO:\nBut soft, what light through yonder window breaks?\n\n") * 40)
    cells = find_cells.main(["--corpus", str(corpus), "--model", str(model_dir), "--chars", "500"])
    written = json.loads((model_dir / inside.CELLS_FILE).read_text())
    assert written["cells"] == cells and "held-out" in written["source"]
    with pytest.raises(SystemExit):
        find_cells.main(["--corpus", str(corpus), "--model", str(model_dir), "--chars", "5"])


# --- the tab's panel handlers ----------------------------------------------------------

def fake_views() -> inside.Views:
    def surprise(text: str) -> inside.Surprise:
        return inside.Surprise(text, [None, *[0.5] * (len(text) - 1)], [[], *[[("e", 0.6), ("a", 0.2)]] * (len(text) - 1)], "")

    def cell_activations(text: str, cell: int) -> tuple[str, np.ndarray]:
        return text, np.linspace(-1, 1, len(text))

    return inside.Views(surprise, cell_activations, lambda: [inside.NamedCell(5, "line position", 0.9)],
                        lambda: inside.LearningCurve([{"epoch": 1, "value": 2.0, "curve": "training loss"}], 1, 2.0), 10)


def test_panel_handlers_colour_the_chosen_text_and_escape_it():
    handlers = HoodHandlers(fake_views())
    assert handlers.surprise("the generated text", "", "x")[0] == "" and "generate" in handlers.surprise(
        "the generated text", "", "x")[1]
    assert "paste" in handlers.surprise("the pasted text", "some", "")[1]
    view, caption = handlers.surprise("the pasted text", "ignored", "<b>hi</b>\nyo")
    assert "<b>" not in view and "</b>" not in view and "&lt;" in view and 'data-i="3"' in view and "↵" in view
    assert "0.50 nats" in view and "Average 0.50 nats" in caption
    expected, caption = handlers.candidates("the generated text", "Hello", "", 2)
    assert expected == {"e": 0.6, "a": 0.2} and "character 2" in caption
    assert handlers.candidates("the generated text", "Hello", "", 0)[0] is None
    assert "from 1 to 4" in handlers.candidates("the generated text", "Hello", "", 9)[1]
    view, caption = handlers.cell("the generated text", "Hello", "", 5)
    assert "rgba(59, 130, 246, 1.00)" in view and "line position" in caption and "layer 2, cell 0" in caption
    assert "from 0 to 9" in handlers.cell("the generated text", "Hello", "", 10)[1]
    rows, caption = handlers.curve()
    assert list(rows["curve"]) == ["training loss"] and "epoch 1's" in caption


def test_coloured_text_shades_by_strength_and_keeps_line_breaks():
    view = coloured_text("a\nb", [None, 0.3, -0.9], ["first", "second", "third"])
    assert view.count("<span") == 4 and "\n" in view and 'title="first"' in view
    assert "rgba(239, 68, 60, 0.30)" in view and "rgba(59, 130, 246, 0.90); color: white" in view
