"""The Shakespeare LSTM: vocabulary, odd input, nll against a hand computation, sampling, the API and the tab."""

from __future__ import annotations

import json
import math
import string
from pathlib import Path

import numpy as np
import pytest
import torch

from demos.shakespeare import predict
from demos.shakespeare.model import CharLSTM, Sampling
from demos.shakespeare.text import fit_to_vocabulary
from training import train_shakespeare

SHAKESPEARE_VOCAB = "\n !$&',-.3:;?" + string.ascii_uppercase + string.ascii_lowercase  # tiny Shakespeare's 65


@pytest.fixture
def tiny_model() -> CharLSTM:
    torch.manual_seed(0)
    return CharLSTM(SHAKESPEARE_VOCAB, embedding_dim=8, hidden_size=16, num_layers=2, dropout=0.1).eval()


@pytest.fixture
def api_model(tiny_model: CharLSTM, monkeypatch) -> CharLSTM:
    """The API functions, served by the tiny model instead of the committed one."""
    monkeypatch.setattr(predict, "load_lstm", lambda: tiny_model)
    return tiny_model


# --- vocabulary and odd input -------------------------------------------------------------

def test_vocabulary_round_trip_and_config(tiny_model: CharLSTM, tmp_path: Path):
    text = "ROMEO:\nBut soft, what light through yonder window breaks?"
    assert tiny_model.decode(tiny_model.encode(text)) == text
    assert tiny_model.encode("\n A") == [0, 1, 13]
    with pytest.raises(ValueError, match="outside the vocabulary"):
        tiny_model.encode("café")
    tiny_model.save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["vocab"] == SHAKESPEARE_VOCAB and config["hidden_size"] == 16
    loaded = CharLSTM.from_pretrained(tmp_path, strict=True).eval()
    ids = torch.tensor([tiny_model.encode(text)])
    assert torch.allclose(loaded(ids)[0], tiny_model(ids)[0])


def test_vocab_must_be_distinct_characters():
    with pytest.raises(ValueError, match="distinct"):
        CharLSTM("aab")
    with pytest.raises(ValueError, match="distinct"):
        CharLSTM("")


def test_unknown_characters_are_mapped_or_dropped_with_a_note():
    fitted = fit_to_vocabulary("“Café” — naïve…\tok 🙂\r\nend", SHAKESPEARE_VOCAB)
    assert fitted.text == "'Cafe' - naive... ok \nend"
    assert fitted.mapped == {"“": "'", "é": "e", "”": "'", "—": "-", "ï": "i", "…": "...", "\t": " "}
    assert fitted.dropped == ("🙂",)
    assert "“🙂”" in fitted.note and "“é” → “e”" in fitted.note and "a tab → a space" in fitted.note
    plain = fit_to_vocabulary("To be, or not to be", SHAKESPEARE_VOCAB)
    assert plain.text == "To be, or not to be" and plain.note == ""
    assert fit_to_vocabulary("🙂🙂", SHAKESPEARE_VOCAB).text == ""


# --- the network and sampling -------------------------------------------------------------

def hand_nll(model: CharLSTM, text: str) -> float:
    """The LSTM equations written out per character from the parameters, nothing shared with the model code."""
    ids = model.encode(text)
    params = dict(model.named_parameters())
    hidden = model.lstm.hidden_size
    h = [torch.zeros(hidden) for _ in range(model.lstm.num_layers)]
    c = [torch.zeros(hidden) for _ in range(model.lstm.num_layers)]
    total = 0.0
    for position, char_id in enumerate(ids[:-1]):
        x = params["embedding.weight"][char_id]
        for layer in range(model.lstm.num_layers):
            gates = (params[f"lstm.weight_ih_l{layer}"] @ x + params[f"lstm.bias_ih_l{layer}"]
                     + params[f"lstm.weight_hh_l{layer}"] @ h[layer] + params[f"lstm.bias_hh_l{layer}"])
            i, f, g, o = gates[:hidden], gates[hidden:2 * hidden], gates[2 * hidden:3 * hidden], gates[3 * hidden:]
            c[layer] = torch.sigmoid(f) * c[layer] + torch.sigmoid(i) * torch.tanh(g)
            h[layer] = torch.sigmoid(o) * torch.tanh(c[layer])
            x = h[layer]
        logits = params["head.weight"] @ x + params["head.bias"]
        total -= torch.log_softmax(logits, dim=0)[ids[position + 1]].item()
    return total / (len(ids) - 1)


def test_nll_matches_a_hand_computation(tiny_model: CharLSTM):
    text = "KING:\nWhat say you, lord?"
    expected = hand_nll(tiny_model, text)
    assert predict.text_nll(tiny_model, text) == pytest.approx(expected, rel=1e-5)
    assert predict.text_nll(tiny_model, text, chunk=4) == pytest.approx(expected, rel=1e-5)  # state carried
    with pytest.raises(ValueError, match="two characters"):
        predict.text_nll(tiny_model, "K")


def test_fused_step_gives_the_same_logits_as_the_network(tiny_model: CharLSTM):
    prompt = tiny_model.encode("ROMEO:")
    greedy = list(tiny_model.generate(prompt, 40, temperature=0))
    ids = torch.tensor([prompt + greedy])
    with torch.no_grad():
        logits, _ = tiny_model(ids)
    # teacher forcing through nn.LSTM picks the same likeliest characters the fused step did
    assert logits[0, len(prompt) - 1 : -1].argmax(dim=-1).tolist() == greedy
    # reading the prompt and stepping give nn.LSTM's logits and state
    step = tiny_model.fused_step()
    read_logits, h, c = step.read(torch.tensor(prompt))
    assert torch.allclose(read_logits, logits[0, len(prompt) - 1 : len(prompt)], atol=1e-5)
    _, (h_all, c_all) = tiny_model.lstm(tiny_model.embedding(torch.tensor([prompt + greedy[:1]])))
    step_logits = step(torch.tensor(greedy[:1]), h, c)
    assert torch.allclose(step_logits, logits[0, len(prompt) : len(prompt) + 1], atol=1e-5)
    assert torch.allclose(torch.cat(h), h_all[:, 0], atol=1e-5) and torch.allclose(torch.cat(c), c_all[:, 0], atol=1e-5)
    # and the step is rebuilt when the weights change
    with torch.no_grad():
        tiny_model.head.bias[greedy[0]] -= 100.0
    assert list(tiny_model.generate(prompt, 1, temperature=0))[0] != greedy[0]


def test_top_k_and_temperature():
    logits = np.array([0.0, 5.0, 4.0, -1.0], np.float32)

    def draws(temperature: float, top_k: int) -> set[int]:
        sampling = Sampling(temperature, top_k, seed=0, count=300)
        return {sampling.draw(logits, count) for count in range(300)}

    assert draws(1.0, 2) == {1, 2}  # top-2: only the two likeliest
    assert draws(1.0, 4) >= {0, 1, 2}  # all four (the fourth has 0.2%)
    assert draws(0, 4) == {1}  # greedy
    assert draws(0.05, 4) == {1}  # cold: nearly greedy
    sampling = Sampling(1.0, 2, seed=0, count=2)
    sampling.draws[:] = [0.0, 0.9999999]
    assert sampling.draw(logits, 0) == 1 and sampling.draw(logits, 1) == 2  # inverse CDF, never a share-0 character
    # the draws come from the seed alone
    np.testing.assert_array_equal(Sampling(0.8, 4, 7, 50).draws, Sampling(1.5, 1, 7, 50).draws)


# --- the Python API ----------------------------------------------------------------------

def test_seeded_generation_is_reproducible(api_model: CharLSTM):
    first = predict.generate("ROMEO:", max_new_chars=80, temperature=1.0, seed=7)
    assert len(first) == 80 and set(first) <= set(SHAKESPEARE_VOCAB)
    assert predict.generate("ROMEO:", max_new_chars=80, temperature=1.0, seed=7) == first
    assert predict.generate("ROMEO:", max_new_chars=80, temperature=1.0, seed=8) != first
    steps = list(predict.stream("ROMEO:", max_new_chars=80, temperature=1.0, seed=7))
    assert len(steps) == 80 and steps[-1] == first
    assert all(later.startswith(earlier) for earlier, later in zip(steps, steps[1:]))


def test_empty_prompt_starts_from_a_new_line(api_model: CharLSTM):
    assert predict.generate("", 30, seed=3) == predict.generate("\n", 30, seed=3)


def test_unknown_characters_warn_and_are_mapped(api_model: CharLSTM):
    with pytest.warns(predict.UnknownCharactersWarning, match="“é” → “e”"):
        mapped = predict.generate("Roméo 🙂:", 20, seed=1)
    assert mapped == predict.generate("Romeo :", 20, seed=1)
    with pytest.warns(predict.UnknownCharactersWarning):
        assert predict.nll("“To be”") == pytest.approx(predict.nll("'To be'"))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"max_new_chars": 0}, "max_new_chars"),
        ({"max_new_chars": predict.MAX_NEW_CHARS + 1}, "max_new_chars"),
        ({"max_new_chars": 2.5}, "max_new_chars"),
        ({"temperature": -0.1}, "temperature"),
        ({"temperature": 2.5}, "temperature"),
        ({"temperature": float("nan")}, "temperature"),
        ({"top_k": 0}, "top_k"),
        ({"top_k": 66}, "top_k"),
        ({"seed": -1}, "seed"),
        ({"seed": "7"}, "seed"),
        ({"prompt": "x" * (predict.MAX_PROMPT_CHARS + 1)}, "prompt"),
        ({"prompt": None}, "prompt"),
    ],
)
def test_out_of_range_arguments_are_rejected(api_model: CharLSTM, arguments: dict, message: str):
    call = {"prompt": "ROMEO:", **arguments}
    with pytest.raises(ValueError, match=message):
        predict.generate(**call)
    with pytest.raises(ValueError, match=message):
        predict.stream(**call)


def test_nll_needs_two_characters(api_model: CharLSTM):
    with pytest.raises(ValueError, match="two characters"):
        predict.nll("A")
    with pytest.raises(ValueError, match="string"):
        predict.nll(b"bytes")


# --- the tab's handlers (no browser) --------------------------------------------------------

@pytest.fixture
def handlers(api_model: CharLSTM):
    """The tab's events, given the demo's own functions (served by the tiny model)."""
    from demos.shakespeare.tab import Handlers

    return Handlers(predict.start_writing, predict.score)


def test_tab_streams_the_prompt_then_the_same_text_as_the_api(handlers):
    updates = list(handlers.write("Café:", 300, 0.8, 5, 11))
    texts = [text for text, _ in updates]
    assert texts[0] == "Cafe:" and len(texts[-1]) == len("Cafe:") + 300
    assert "“é” → “e”" in updates[0][1]
    assert "seed 11" in updates[-1][1] and "top-5" in updates[-1][1]
    assert texts[-1][5:] == predict.generate("Cafe:", 300, 0.8, 5, 11)  # tab and API: same seed, same text


def test_tab_explains_bad_settings_and_empty_prompts(handlers):
    ((text, status),) = list(handlers.write("ROMEO:", 5000, 0.8, 0, None))
    assert text == "" and "max_new_chars" in status
    for bad in ([float("inf"), 0.8, 0, 1], [100.5, 0.8, 0, 1], [100, 9.0, 0, 1], [100, 0.8, 99, 1], [100, 0.8, 0, -3]):
        ((text, status),) = list(handlers.write("ROMEO:", *bad))
        assert text == "" and status.startswith("⚠️")
    updates = list(handlers.write("", 20, 0, 0, None))
    assert "new line" in updates[-1][1] and "greedy" in updates[-1][1] and len(updates[-1][0]) == 20


def test_tab_hands_the_api_what_the_widgets_send():
    """Without any model: a fake `start_writing` records what the tab asks for."""
    from demos.shakespeare.tab import Handlers

    asked = []

    def start_writing(*arguments):
        asked.append(arguments)
        raise ValueError("stop here")

    handlers = Handlers(start_writing, predict.score)
    list(handlers.write("ROMEO:", 500.0, 0.8, 0.0, 0.0))  # slider floats; top-k 0 = all; seed 0 = new
    list(handlers.write(None, 20.0, 0, 7.0, 42.0))
    assert asked == [("ROMEO:", 500, 0.8, None, None), ("", 20, 0, 7, 42)]


def test_score_in_words(handlers, api_model: CharLSTM, monkeypatch):
    monkeypatch.setattr(predict, "validation_loss", lambda: 1.5)
    assert handlers.score("   ") == "Paste some text to score."
    assert handlers.score(None) == "Paste some text to score."
    assert "at most" in handlers.score("a" * (predict.MAX_SCORED_CHARS + 1))
    assert "Too little text" in handlers.score("🙂🙂🙂")
    report = handlers.score("To be, or not to be 🙂")
    loss = predict.nll("To be, or not to be ")
    assert f"Surprise per character: **{loss:.2f}**" in report and "1.50" in report and "“🙂”" in report
    assert f"1 in {math.exp(loss):,.1f}" in report and "nats" in report  # the unit is named, once, and explained
    assert predict.verdict(1.5, 1.5, 65).startswith("Shakespearean") and predict.verdict(3.0, 1.5, 65).startswith("Hardly")
    assert predict.score("To be, or not to be").loss == pytest.approx(predict.nll("To be, or not to be"))


@pytest.mark.weights
def test_verdicts_put_each_kind_of_text_in_its_band():
    """The calibration texts (Shakespeare the model never read, English of his age, modern English,
    code, noise), scored by the committed model, get the words their kind deserves."""
    from benchmarks.shakespeare_verdicts import score_all

    reference, choices = predict.validation_loss(), len(predict.load_lstm().vocab)
    words = {kind: [predict.verdict(loss, reference, choices) for loss in scores.values()]
             for kind, scores in score_all().items()}
    assert all(word.startswith("Shakespearean") for word in words["Shakespeare not in the corpus"])
    assert all(word.startswith("Modern English") for word in words["modern English"])  # never "Shakespearean"
    assert all(word.startswith(("Hardly", "Nothing")) for word in words["code"])
    assert all(word.startswith("Nothing like") for word in words["noise"])


def test_score_never_offers_more_choices_than_the_model_knows(handlers, monkeypatch):
    monkeypatch.setattr(predict, "validation_loss", lambda: 1.41)
    monkeypatch.setattr(predict, "text_nll", lambda model, text: 8.6)  # keyboard mash on the real model
    report = handlers.score("qwpoeiru zmxncb")
    assert "equally likely" not in report and "would do better: 1 in 65" in report
    assert report.startswith("**Nothing like what it has read")


def test_stop_ends_only_its_own_sessions_text_where_it_is(handlers):
    from types import SimpleNamespace

    mine, other = SimpleNamespace(session_hash="mine"), SimpleNamespace(session_hash="other")
    handlers.stop(mine)  # a Stop pressed while nothing was being written is forgotten
    writer, bystander = handlers.write("ROMEO:", 2000, 0.8, 0, 3, mine), handlers.write("ROMEO:", 300, 0.8, 0, 3, other)
    next(writer), next(bystander)
    handlers.stop(mine)
    text, status = next(writer)
    written = len(text) - len("ROMEO:")
    assert status.startswith(f"Stopped after {written} character") and "seed 3" in status and 1 <= written < 2000
    assert text[6:] == predict.generate("ROMEO:", written, 0.8, None, 3)  # where it was
    with pytest.raises(StopIteration):
        next(writer)
    *_, (whole, done) = bystander
    assert "300 characters in" in done and whole[6:] == predict.generate("ROMEO:", 300, 0.8, None, 3)
    assert not handlers.stop_requests


def test_seed_zero_or_none_gives_a_new_text_each_time_and_says_its_seed(handlers):
    seeds, texts = [], []
    for seed in (0, 0, None):
        *_, (text, status) = handlers.write("ROMEO:", 40, 1.0, 0, seed)
        shown = int(status.split("seed ")[1].split(" ")[0])
        assert 1 <= shown <= predict.MAX_SEED
        *_, (again, _) = handlers.write("ROMEO:", 40, 1.0, 0, shown)  # the seed shown gives the text again
        assert again == text
        seeds.append(shown)
        texts.append(text)
    assert len(set(seeds)) == 3 and len(set(texts)) == 3


def test_api_without_a_seed_says_which_it_drew(api_model: CharLSTM):
    writing = predict.start_writing("ROMEO:", 30, 1.0)
    assert 1 <= writing.seed <= predict.MAX_SEED
    assert "".join(writing.chars()) == predict.generate("ROMEO:", 30, 1.0, seed=writing.seed)


# --- training ------------------------------------------------------------------------------

def test_training_dry_run_on_a_made_up_corpus(tmp_path: Path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_text("".join(f"KING:\nMy lord, the {word} is come.\n\n" for word in ["day", "night", "hour"] * 30))
    out = tmp_path / "shakespeare"
    metrics = train_shakespeare.main(["--corpus", str(corpus), "--out", str(out), "--dry-run", "--hidden-size", "16",
                                      "--embedding-dim", "8", "--batch-size", "4", "--seq-len", "16"])
    assert {p.name for p in out.iterdir()} == {"config.json", "model.safetensors", "metrics.json", "README.md"}
    text = corpus.read_text()
    assert metrics["validation"]["characters"] == len(text) - int(len(text) * 0.9)
    assert metrics["run"]["train_size"] == int(len(text) * 0.9)
    assert 0 < metrics["validation"]["loss"] < 10 and len(metrics["history"]) == 1
    model = CharLSTM.from_pretrained(out, strict=True).eval()
    assert model.vocab == "".join(sorted(set(text))) and model.head.weight.dtype == torch.float32
    saved = json.loads((out / "metrics.json").read_text())
    assert saved["validation"] == metrics["validation"]
    assert f"{metrics['validation']['loss']:.4f}" in (out / "README.md").read_text()
    # the stored float16 weights give the validation loss the metrics report
    val_text = text[int(len(text) * 0.9):]
    assert predict.text_nll(model, val_text) == pytest.approx(metrics["validation"]["loss"], abs=0.02)


def test_training_refuses_bad_flags(tmp_path: Path, capsys):
    for flags, message in ((["--dropout", "1"], "--dropout"), (["--seq-len", "0"], "--seq-len"),
                           (["--corpus", str(tmp_path / "missing.txt")], "no corpus")):
        with pytest.raises(SystemExit) as exit_info:
            train_shakespeare.main(["--out", str(tmp_path / "x"), *flags])
        assert exit_info.value.code == 2
        assert message in capsys.readouterr().err


def test_split_holds_out_the_last_tenth():
    train, held_out = train_shakespeare.split_corpus("abcdefghij" * 10)
    assert train + held_out == "abcdefghij" * 10 and len(held_out) == 10


# --- the committed model ------------------------------------------------------------------

@pytest.mark.weights
def test_committed_model_prefers_shakespeare_to_noise():
    model = predict.load_lstm()
    assert len(model.vocab) == 65 and model.vocab == SHAKESPEARE_VOCAB
    verse = "ROMEO:\nBut soft, what light through yonder window breaks?\nIt is the east, and Juliet is the sun."
    noise = "qzX;v!kP jw$ Q&zm\nYx?rT fhqZ"
    assert predict.nll(verse) < 2.0 < predict.nll(noise)
    continuation = predict.generate("ROMEO:", 200, temperature=0.8, seed=0)
    assert len(continuation) == 200 and set(continuation) <= set(model.vocab)
    assert math.isfinite(predict.validation_loss())


def test_on_zero_gpu_each_text_runs_alone_and_comes_in_timed_pieces(api_model: CharLSTM, monkeypatch):
    """ZeroGPU lends a GPU per call, so there `Writing.pieces` generates alone (no batch loop)."""
    monkeypatch.setattr(predict.runtime, "on_zero_gpu", lambda: True)
    writing = predict.start_writing("ROMEO:", 300, 0.8, seed=5)
    assert "".join(writing.pieces(every=0.0)) == predict.generate("ROMEO:", 300, 0.8, seed=5)
    assert list(predict._gathered(iter("abcdef"), every=60.0)) == ["abcdef"]  # gathered until the end
    assert list(predict._gathered(iter("abc"), every=0.0)) == ["a", "b", "c"]
