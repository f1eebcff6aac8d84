"""Continuous batching (demos.shakespeare.batching): a text is the same alone or in a crowd, streams
join mid-way and leave when done or stopped, without disturbing the others; on a thread, and in a
process of its own (as the app runs it)."""

from __future__ import annotations

import os
import signal
import string
import threading

import pytest
import torch

from demos.shakespeare.batching import Batcher, BatcherProcess
from demos.shakespeare.model import CharLSTM, FusedStep

VOCAB = "\n !$&',-.3:;?" + string.ascii_uppercase + string.ascii_lowercase


@pytest.fixture(scope="module")
def model() -> CharLSTM:
    torch.manual_seed(0)
    return CharLSTM(VOCAB, embedding_dim=8, hidden_size=32, num_layers=2, dropout=0.0).eval()


def alone(model: CharLSTM, prompt: str, length: int, temperature: float, top_k: int | None, seed: int) -> str:
    """The text `CharLSTM.generate` gives: no batcher at all."""
    return model.decode(list(model.generate(model.encode(prompt), length, temperature, top_k, seed)))


REQUESTS = [  # prompt, length, temperature, top-k, seed: every setting differs somewhere
    ("ROMEO:\n", 120, 0.8, None, 1), ("JULIET:", 60, 1.0, 5, 2), ("A", 1, 0.8, None, 3), ("KING", 200, 0.0, None, 4),
    ("To be, or not", 90, 1.5, 10, 5), ("\n", 150, 0.5, 1, 6), ("ROMEO:\n", 120, 0.8, None, 7), ("x" * 600, 40, 0.9, None, 8),
]


def test_each_text_in_a_crowd_is_the_text_it_gives_alone(model: CharLSTM):
    batcher = Batcher(model)
    streams = [batcher.submit(model.encode(prompt), *settings) for prompt, *settings in REQUESTS]
    texts = ["".join(stream.pieces()) for stream in streams]
    assert texts == [alone(model, *request) for request in REQUESTS]
    assert texts[0] != texts[6]  # same prompt and settings, another seed: another text
    assert len(REQUESTS[7][0]) > 2 * FusedStep.READ_CHUNK  # a prompt read over three turns, in the same parts
    assert batcher.active == 0


def test_requests_join_mid_way_and_get_their_own_text(model: CharLSTM):
    batcher = Batcher(model)
    first = batcher.submit(model.encode("ROMEO:"), 400, 0.8, None, 11).pieces()
    text = next(first)  # the first is being written ...
    joined = [batcher.submit(model.encode(prompt), length, 0.8, None, seed)
              for prompt, length, seed in (("KING:", 50, 12), ("QUEEN:", 300, 13))]
    assert batcher.active >= 1 and len(text) < 400  # ... when the others join
    assert text + "".join(first) == alone(model, "ROMEO:", 400, 0.8, None, 11)
    assert "".join(joined[0].pieces()) == alone(model, "KING:", 50, 0.8, None, 12)
    assert "".join(joined[1].pieces()) == alone(model, "QUEEN:", 300, 0.8, None, 13)


def test_a_stopped_stream_leaves_and_the_others_go_on_undisturbed(model: CharLSTM):
    batcher = Batcher(model)
    stopped = batcher.submit(model.encode("ROMEO:"), 2000, 0.8, None, 21).pieces()
    others = [batcher.submit(model.encode("JULIET:"), 300, 0.8, None, seed) for seed in (22, 23)]
    part = next(stopped)
    stopped.close()  # what the tab does on Stop: closing the iterator cancels the generation
    assert part == alone(model, "ROMEO:", len(part), 0.8, None, 21)
    assert ["".join(stream.pieces()) for stream in others] == [alone(model, "JULIET:", 300, 0.8, None, seed)
                                                               for seed in (22, 23)]
    assert batcher.active == 0  # the stopped one left long before its 2,000 characters


def test_many_threads_at_once(model: CharLSTM):
    """Visitors arrive from Gradio's worker threads: submit and read from 12 threads at once."""
    batcher, texts = Batcher(model), {}

    def visit(seed: int) -> None:
        texts[seed] = "".join(batcher.submit(model.encode("ROMEO:"), 100, 1.0, None, seed).pieces(every=0.001))

    threads = [threading.Thread(target=visit, args=(seed,)) for seed in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert texts == {seed: alone(model, "ROMEO:", 100, 1.0, None, seed) for seed in range(12)}


def test_a_failure_in_the_loop_reaches_every_waiting_stream_and_the_loop_serves_on(model: CharLSTM):
    batcher = Batcher(model)
    broken = batcher.submit([999], 10, 0.8, None, 1)  # an id outside the vocabulary: the embedding fails
    with pytest.raises(RuntimeError, match="writer failed"):
        "".join(broken.pieces())
    assert "".join(batcher.submit(model.encode("A"), 20, 0.8, None, 2).pieces()) == alone(model, "A", 20, 0.8, None, 2)


def test_bad_requests_are_refused(model: CharLSTM):
    batcher = Batcher(model)
    with pytest.raises(ValueError, match="prompt"):
        batcher.submit([], 10, 0.8, None, 1)
    with pytest.raises(ValueError, match="max_new_chars"):
        batcher.submit(model.encode("A"), 0, 0.8, None, 1)


# --- the loop in a process of its own (what the app runs) ------------------------------------

def tiny_model_for_a_process() -> CharLSTM:
    """What the process loads: the same tiny model as the fixture (same seed)."""
    torch.manual_seed(0)
    return CharLSTM(VOCAB, embedding_dim=8, hidden_size=32, num_layers=2, dropout=0.0).eval()


def no_model() -> CharLSTM:
    raise FileNotFoundError("weights/shakespeare/model.safetensors")


def test_a_process_gives_the_texts_a_thread_gives_and_drops_what_is_stopped(model: CharLSTM):
    batcher = BatcherProcess(tiny_model_for_a_process)
    stopped = batcher.submit(model.encode("ROMEO:"), 2000, 0.8, None, 21).pieces()
    streams = [batcher.submit(model.encode(prompt), *settings) for prompt, *settings in REQUESTS]
    part = next(stopped)
    stopped.close()
    assert ["".join(stream.pieces()) for stream in streams] == [alone(model, *request) for request in REQUESTS]
    assert part == alone(model, "ROMEO:", len(part), 0.8, None, 21)
    with pytest.raises(ValueError, match="prompt"):
        batcher.submit([], 10, 0.8, None, 1)


def test_a_process_that_dies_fails_its_streams_and_the_next_request_starts_a_new_one(model: CharLSTM):
    batcher = BatcherProcess(tiny_model_for_a_process)
    waiting = batcher.submit(model.encode("ROMEO:"), 2000, 0.8, None, 1).pieces(every=0.05)
    next(waiting)
    first_pid = batcher.pid
    os.kill(first_pid, signal.SIGKILL)
    with pytest.raises(RuntimeError, match="writer"):
        for _ in waiting:
            pass
    assert "".join(batcher.submit(model.encode("A"), 30, 0.8, None, 2).pieces()) == alone(model, "A", 30, 0.8, None, 2)
    assert batcher.pid != first_pid


def test_a_process_that_cannot_load_its_model_says_why():
    with pytest.raises(RuntimeError, match="could not load its model: FileNotFoundError: weights/shakespeare"):
        BatcherProcess(no_model)
