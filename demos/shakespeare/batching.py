"""Continuous batching for the Shakespeare LSTM: one decoding loop steps every visitor's text at once.

    batcher = Batcher(model)                                   # in this process; its thread starts on first use
    batcher = BatcherProcess(load_lstm)                        # or in a process of its own (what the app runs)
    stream = batcher.submit(model.encode("ROMEO:"), 500, temperature=0.8, top_k=None, seed=1)
    for piece in stream.pieces(every=0.1): ...                 # the text as it comes, a few characters at a time
    stream.cancel()                                            # leaves the batch at the next turn

Why: the network is small, so a step over 20 generations costs a few times one over a single
generation, not 20 times (on the 2-core CPU here 2.7 ms against 0.4 ms). Run one per request,
20 visitors share the CPU twenty ways; stepped together, each gets most of the speed it has alone.

How (`BatchLoop`), as LLM servers do, each turn
1. reads the prompts of the requests that arrived (`FusedStep.read`, at most `PROMPT_BUDGET`
   characters per turn over all of them, so a long prompt delays the others only a little) and
   samples each one's first character;
2. steps every generation past its prompt together: (B,) last ids -> (B, V) logits, and each
   row is sampled with its own temperature, top-k and draws (`model.sample`);
3. hands each stream its character; finished and cancelled generations leave the batch.
A request joins at the next turn. A generation gives the text `CharLSTM.generate` gives with the
same seed: the draws come from its seed alone and each row is sampled alone. Only float rounding
in the batched matrix products differs with the batch size (`benchmarks/load.py --same-text`
counts how often that changes a text).

Where the loop runs: `Batcher` turns it on a thread of this process (`Writing.pieces` outside the
app). In a web server it would share the GIL with the server's own Python, and every torch call
gives the GIL up and must take it back: with 20 people drawing, the loop spent most of its time
waiting for it and writers got half their speed. `BatcherProcess` turns it in a process of its
own (the app's choice): only a short message per turn crosses back.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import itertools
import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import torch

from demos import runtime
from demos.shakespeare.model import CharLSTM, FusedStep, Sampling, sample

MAX_BATCH = 64  # generations stepped together; more wait their turn (a step over 64 takes ~7 ms here)
PROMPT_BUDGET = FusedStep.READ_CHUNK  # prompt characters read per turn, over all new requests
START_TIMEOUT = 300.0  # seconds a `BatcherProcess` may take to load its model
FLUSH_SECONDS = 0.005  # how often a `BatcherProcess` sends the characters written (a visitor sees 10 updates a second)


class _Ended:
    """Marks the end of a stream."""


ENDED = _Ended()
Item = str | _Ended | BaseException  # what a generation hands on: a character, the end, or what failed


@dataclass(eq=False)
class _Generation:
    """One request inside the loop."""

    prompt: torch.Tensor  # (T,) ids
    max_new_chars: int
    sampling: Sampling
    deliver: Callable[[Item], None]  # where its characters go
    cancelled: bool = False
    read: int = 0  # prompt ids read so far
    written: int = 0  # characters sampled so far
    h: list[torch.Tensor] | None = None  # per layer (1, H) while the prompt is read
    c: list[torch.Tensor] | None = None

    def hand(self, char: str) -> bool:
        """Deliver the next character; True when that was the last."""
        self.deliver(char)
        self.written += 1
        if self.written == self.max_new_chars:
            self.deliver(ENDED)
            return True
        return False


class BatchLoop:
    """The batch itself, without threads: `add` generations, then `turn` while `busy`."""

    def __init__(self, model: CharLSTM, max_batch: int = MAX_BATCH) -> None:
        self.model, self.max_batch = model, max_batch
        self.device = model.head.weight.device
        self._reading: list[_Generation] = []  # prompts being read, in order of arrival
        self._rows: list[_Generation] = []  # the batch, with its state and last ids
        self._h: list[torch.Tensor] = []  # per layer (B, H)
        self._c: list[torch.Tensor] = []
        self._last = torch.empty(0, dtype=torch.long, device=self.device)  # (B,)

    def generation(
        self, prompt_ids: list[int], max_new_chars: int, temperature: float, top_k: int | None, seed: int,
        deliver: Callable[[Item], None],
    ) -> _Generation:
        """A checked request (arguments as `CharLSTM.generate`) whose output goes to ``deliver``."""
        if not prompt_ids:
            raise ValueError("a generation needs at least one prompt character")
        if max_new_chars < 1:
            raise ValueError(f"max_new_chars must be at least 1, got {max_new_chars}")
        return _Generation(torch.tensor(prompt_ids, device=self.device), max_new_chars,
                           Sampling(temperature, top_k or len(self.model.vocab), seed, max_new_chars), deliver)

    def add(self, generation: _Generation) -> None:
        self._reading.append(generation)

    @property
    def busy(self) -> bool:
        """Whether a turn has anything to do."""
        return bool(self._reading or self._rows)

    @property
    def active(self) -> int:
        """Generations in the loop: reading their prompt or in the batch."""
        return len(self._reading) + len(self._rows)

    def turn(self) -> None:
        """Read new prompts, then step the batch once. A failure (a bug) is delivered to every
        generation, which all leave; the loop is then empty and serves on."""
        try:
            with torch.inference_mode():
                step = self.model.fused_step()
                self._read_prompts(step)
                if self._rows:
                    self._step(step)
        except Exception as error:  # every waiting stream raises it, instead of waiting for ever
            for generation in self._reading + self._rows:
                generation.deliver(error)
            self._reading, self._rows = [], []
            self._h, self._c, self._last = [], [], self._last[:0]

    def _read_prompts(self, step: FusedStep) -> None:
        """Read new prompts, a chunk each, up to `PROMPT_BUDGET` characters; a finished prompt's
        first character is sampled and its generation joins the batch."""
        budget, still_reading = PROMPT_BUDGET, []
        for generation in self._reading:
            if generation.cancelled:
                continue
            if budget <= 0 or len(self._rows) >= self.max_batch:
                still_reading.append(generation)
                continue
            chunk = generation.prompt[generation.read : generation.read + step.READ_CHUNK]
            logits, generation.h, generation.c = step.read(chunk, generation.h, generation.c)  # (1, V)
            generation.read += len(chunk)
            budget -= len(chunk)
            if generation.read < len(generation.prompt):
                still_reading.append(generation)
                continue
            first = generation.sampling.draw(logits[0].float().cpu().numpy(), 0)
            if not generation.hand(self.model.vocab[first]):
                self._join(generation, torch.tensor([first], device=self.device))
        self._reading = still_reading

    def _join(self, generation: _Generation, first: torch.Tensor) -> None:
        if self._rows:
            self._h = [torch.cat([rows, new]) for rows, new in zip(self._h, generation.h)]
            self._c = [torch.cat([rows, new]) for rows, new in zip(self._c, generation.c)]
            self._last = torch.cat([self._last, first])
        else:
            self._h, self._c, self._last = list(generation.h), list(generation.c), first
        generation.h = generation.c = None
        self._rows.append(generation)

    def _step(self, step: FusedStep) -> None:
        """One character for every generation in the batch; the finished and cancelled leave."""
        logits = step(self._last, self._h, self._c).float().cpu().numpy()  # (B, V); h, c advanced in place
        next_ids = sample(logits, [row.sampling for row in self._rows], [row.written for row in self._rows]).tolist()
        self._last = torch.tensor(next_ids, device=self.device)
        keep = [index for index, (generation, next_id) in enumerate(zip(self._rows, next_ids))
                if not generation.hand(self.model.vocab[next_id]) and not generation.cancelled]
        if len(keep) < len(self._rows):
            kept = torch.tensor(keep, dtype=torch.long, device=self.device)
            self._h = [state.index_select(0, kept) for state in self._h]
            self._c = [state.index_select(0, kept) for state in self._c]
            self._last = self._last.index_select(0, kept)
            self._rows = [self._rows[index] for index in keep]


class Stream:
    """The consumer's side of one generation: its items arrive on ``items``; ``cancel`` asks the loop to drop it."""

    def __init__(self, items: queue.SimpleQueue, cancel: Callable[[], None]) -> None:
        self._items, self._cancel = items, cancel

    def cancel(self) -> None:
        """Leave the batch at the next turn (the characters written so far stay readable)."""
        self._cancel()

    def pieces(self, every: float = 0.0) -> Iterator[str]:
        """The text as it comes: each piece is every character written since the last one, waiting
        for at least one; after a piece it sleeps ``every`` seconds so characters gather (a
        visitor's screen needs no more than 10 updates a second). Closing the iterator cancels."""
        try:
            while True:
                items = [self._items.get()]
                while not self._items.empty():
                    items.append(self._items.get())
                for item in items:
                    if isinstance(item, BaseException):
                        raise RuntimeError("the Shakespeare writer failed") from item
                text = "".join(item for item in items if isinstance(item, str))
                if text:
                    yield text
                if items[-1] is ENDED:
                    return
                if every:
                    time.sleep(every)
        finally:
            self.cancel()

    def chars(self) -> Iterator[str]:
        """The sampled characters one by one."""
        for piece in self.pieces():
            yield from piece


class Batcher:
    """`BatchLoop` turned by a daemon thread of this process (see the module's docstring)."""

    def __init__(self, model: CharLSTM, max_batch: int = MAX_BATCH) -> None:
        self.loop = BatchLoop(model, max_batch)
        self._arrived: list[_Generation] = []
        self._wakeup = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(
        self, prompt_ids: list[int], max_new_chars: int, temperature: float, top_k: int | None, seed: int
    ) -> Stream:
        """Start a generation (arguments as `CharLSTM.generate`); it joins the batch at the next turn."""
        items: queue.SimpleQueue = queue.SimpleQueue()
        generation = self.loop.generation(prompt_ids, max_new_chars, temperature, top_k, seed, items.put)
        with self._wakeup:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="shakespeare-batcher", daemon=True)
                self._thread.start()
            self._arrived.append(generation)
            self._wakeup.notify()
        return Stream(items, lambda: setattr(generation, "cancelled", True))

    @property
    def active(self) -> int:
        """Generations in the loop (not those submitted since its last turn)."""
        return self.loop.active

    def _run(self) -> None:
        while True:
            with self._wakeup:
                while not (self._arrived or self.loop.busy):
                    self._wakeup.wait()
                arrived, self._arrived = self._arrived, []
            for generation in arrived:
                self.loop.add(generation)
            self.loop.turn()


# --- the loop in a process of its own --------------------------------------------------------
# `python -c "from demos.shakespeare.batching import main; main()" MODULE:FUNCTION --fd N`: a plain interpreter that imports
# only what the loop needs (multiprocessing's spawn would import the parent's main script, the
# whole web app, again). Messages on the socket: to the process ("submit", id, prompt_ids,
# max_new_chars, temperature, top_k, seed) and ("cancel", id); from it ("ready",) or ("failed",
# message) once, then after every turn a list of (id, text, state): the characters a generation got
# in that turn and whether it ended or failed (its text is then what failed).
MORE, DONE, FAILED = 0, 1, 2
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # the folder holding `demos`, for the process's imports


def _serve(load_model: Callable[[], CharLSTM], max_batch: int, cpus: set[int] | None, connection: Connection) -> None:
    """The process's work: load the model, then turn the loop while there is work, until the parent goes."""
    try:
        if cpus:
            os.sched_setaffinity(0, cpus)
        runtime.configure_threads()
        loop = BatchLoop(load_model(), max_batch)
    except Exception as error:  # a missing weights file, say: the parent raises it with this message
        connection.send(("failed", f"{type(error).__name__}: {error}"))
        return
    gc.freeze()  # the model and the imports stay: the collector's full passes need not walk them
    connection.send(("ready",))
    flushed = time.perf_counter()
    generations: dict[int, _Generation] = {}
    texts: dict[int, list[str]] = {}  # id -> the characters delivered during this turn
    states: dict[int, tuple[int, str]] = {}  # id -> (DONE or FAILED, what failed), for those that ended

    def deliverer(request: int) -> Callable[[Item], None]:
        def deliver(item: Item) -> None:
            if isinstance(item, str):
                texts.setdefault(request, []).append(item)
                return
            states[request] = (DONE, "") if item is ENDED else (FAILED, f"{type(item).__name__}: {item}")
            generations.pop(request, None)
        return deliver

    while True:
        while connection.poll(0 if loop.busy else None):  # blocks while there is nothing to do
            try:
                message = connection.recv()
            except EOFError:  # the parent is gone
                return
            if message[0] == "submit":
                request, *arguments = message[1:]
                try:
                    generations[request] = loop.generation(*arguments, deliverer(request))
                    loop.add(generations[request])
                except ValueError as error:
                    deliverer(request)(error)
            elif message[0] == "cancel" and message[1] in generations:
                generations.pop(message[1]).cancelled = True
        if loop.busy:
            loop.turn()
        # characters go back at most every FLUSH_SECONDS (one message, not one per step); an end at once
        if states or (texts and (time.perf_counter() - flushed >= FLUSH_SECONDS or not loop.busy)):
            connection.send([_report(request, texts, states) for request in texts.keys() | states.keys()])
            texts.clear()
            states.clear()
            flushed = time.perf_counter()


def _report(request: int, texts: dict[int, list[str]], states: dict[int, tuple[int, str]]) -> tuple[int, str, int]:
    """One generation's (id, text, state) for this turn: its characters, or what failed."""
    state, failure = states.get(request, (MORE, ""))
    return request, failure if state == FAILED else "".join(texts.get(request, [])), state


class BatcherProcess:
    """`BatchLoop` in a process of its own (POSIX), which loads its model with ``load_model`` (a
    module-level function, e.g. `predict.load_lstm`) and runs on ``cpus`` when given (Linux).
    Started at construction; a process that died is started again by the next `submit`. Streams
    work as `Batcher`'s."""

    def __init__(self, load_model: Callable[[], CharLSTM], max_batch: int = MAX_BATCH,
                 cpus: set[int] | None = None) -> None:
        self._function = f"{load_model.__module__}:{load_model.__qualname__}"
        self._max_batch, self._cpus = max_batch, cpus
        self._ids = itertools.count()
        self._lock = threading.Lock()  # one sender at a time on the socket, and the table of streams
        self._streams: dict[int, queue.SimpleQueue] = {}
        self._start()

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-c", "from demos.shakespeare.batching import main; main()", self._function,
                   "--max-batch", str(self._max_batch), "--fd", str(theirs.fileno())]
        if self._cpus:
            command += ["--cpus", ",".join(str(cpu) for cpu in sorted(self._cpus))]
        path = os.pathsep.join([str(PACKAGE_ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
        self._process = subprocess.Popen(command, pass_fds=[theirs.fileno()], env={**os.environ, "PYTHONPATH": path})
        theirs.close()
        self._connection = Connection(ours.detach())
        if not self._connection.poll(START_TIMEOUT):
            self._process.kill()
            raise RuntimeError(f"the Shakespeare writer process did not start within {START_TIMEOUT:.0f} s")
        try:
            answer = self._connection.recv()
        except EOFError:
            answer = ("failed", f"it exited with code {self._process.wait()}")
        if answer[0] != "ready":
            raise RuntimeError(f"the Shakespeare writer process could not load its model: {answer[1]}")
        threading.Thread(target=self._receive, args=(self._connection,), name="shakespeare-results",
                         daemon=True).start()

    @property
    def pid(self) -> int:
        return self._process.pid

    def submit(
        self, prompt_ids: list[int], max_new_chars: int, temperature: float, top_k: int | None, seed: int
    ) -> Stream:
        """Start a generation (arguments as `CharLSTM.generate`); it joins the batch at the next turn."""
        if not prompt_ids:
            raise ValueError("a generation needs at least one prompt character")
        if max_new_chars < 1:
            raise ValueError(f"max_new_chars must be at least 1, got {max_new_chars}")
        request, items = next(self._ids), queue.SimpleQueue()
        with self._lock:
            if self._process.poll() is not None:
                self._start()
            self._streams[request] = items
            self._connection.send(("submit", request, list(prompt_ids), max_new_chars, temperature, top_k, seed))
        return Stream(items, lambda: self._cancel(request))

    def _cancel(self, request: int) -> None:
        with self._lock:
            if self._streams.pop(request, None) is not None and self._process.poll() is None:
                self._connection.send(("cancel", request))

    def _receive(self, connection: Connection) -> None:
        """Hand each turn's characters to their streams (a thread of this process)."""
        while True:
            try:
                message = connection.recv()
            except (EOFError, OSError):  # the process died: its streams fail, the next submit restarts it
                with self._lock:
                    failed, self._streams = self._streams, {}
                for items in failed.values():
                    items.put(RuntimeError("the Shakespeare writer process stopped"))
                return
            with self._lock:
                for request, text, state in message:
                    items = self._streams.get(request)
                    if items is None:  # cancelled meanwhile
                        continue
                    if state == FAILED:
                        items.put(RuntimeError(text))
                    elif text:
                        items.put(text)
                    if state == DONE:
                        items.put(ENDED)
                    if state != MORE:
                        del self._streams[request]


def main() -> None:
    parser = argparse.ArgumentParser(description="The Shakespeare batch loop as a process of its own "
                                     "(started by BatcherProcess, which talks to it over --fd).")
    parser.add_argument("load_model", help="MODULE:FUNCTION that returns the model")
    parser.add_argument("--fd", type=int, required=True, help="the socket to the parent")
    parser.add_argument("--max-batch", type=int, default=MAX_BATCH)
    parser.add_argument("--cpus", help="comma-separated CPUs to run on")
    args = parser.parse_args()
    module, _, function = args.load_model.partition(":")
    if not module or not function:
        parser.error(f"load_model must be MODULE:FUNCTION, got {args.load_model!r}")
    connection = Connection(args.fd)
    try:
        load_model = getattr(importlib.import_module(module), function)
    except (ImportError, AttributeError) as error:
        connection.send(("failed", f"{type(error).__name__}: {error}"))
        return
    _serve(load_model, args.max_batch, {int(cpu) for cpu in args.cpus.split(",")} if args.cpus else None, connection)


if __name__ == "__main__":
    main()
