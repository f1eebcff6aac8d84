"""Many visitors at once against a running app: Shakespeare writers, people drawing, the same drawing
sent by many, and a long mixed soak. Prints per-endpoint latencies, each writer's speed, errors and
the server's memory.

    python -m benchmarks.load                       # starts `python app.py` itself; 20 writers + 20 drawers, 10 s
    python -m benchmarks.load --writers 20 --drawers 0         # writers alone
    python -m benchmarks.load --drawers 0 --live-drawers 20    # writers alone, then beside 20 live drawers
    python -m benchmarks.load --same-drawing 20                # 20 clients send one drawing back to back
    python -m benchmarks.load --soak 600                       # 10 minutes of mixed traffic, memory before/after
    python -m benchmarks.load --url http://127.0.0.1:7860/     # against an app already running

The visitors speak Gradio's plain HTTP API (`/gradio_api/call/<endpoint>`, answers as server-sent
events) from one asyncio loop, so the load generator costs little CPU next to the server
(`gradio_client` threads cost several times the server's own CPU on this machine). A writer
presses Generate with the tab's default settings (500 characters, temperature 0.8); a drawer sends
a stroke's drawing every second and fetches the model-view image, as the browser does; a live drawer
draws as the Digits tab follows the pen (demos.ui.LivePad): a 1-second stroke every 2 seconds, during
it the drawing so far as a PNG data URL to `/classify_digit_live` one reading at a time, at most one
every 200 ms (ui.js), the whole stroke when the pen lifts, a blank pad before the next (the Clear
button); each reading's model-view image is fetched as the browser does. Time to the
first character and characters per second are measured at the client, from the streamed updates
(the tab sends at most 20 a second). Measure on a quiet machine: the server has 2 cores here.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import io
import json
import random
import statistics
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
from PIL import Image, ImageDraw

from tests.app_process import serve_app

PROMPT = "ROMEO:\n"


@dataclass
class Tally:
    """What the visitors saw: seconds per endpoint, writers' figures, errors."""

    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    started: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))  # when each answered call began
    writing: list[float] = field(default_factory=list)  # [first press, last text done] of the writers
    first_char: list[float] = field(default_factory=list)
    chars_per_second: list[float] = field(default_factory=list)
    writer_done: list[float] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    texts: list[tuple[int, str]] = field(default_factory=list)  # (seed, text) of each writer
    memory: list[float] = field(default_factory=list)  # --soak: the server's RSS (MiB) each minute


class Visitor:
    """One visitor speaking Gradio's API: one session for all its calls, as a browser tab keeps one
    (Gradio sets up a session's state on its first call, which is not what a visitor's every stroke costs)."""

    def __init__(self, client: httpx.AsyncClient, tally: Tally) -> None:
        self.client, self.tally = client, tally
        self.session = uuid.uuid4().hex[:11]

    async def upload(self, data: bytes, name: str) -> dict:
        response = await self.client.post("gradio_api/upload", files={"files": (name, data)})
        response.raise_for_status()
        return {"path": response.json()[0], "meta": {"_type": "gradio.FileData"}}

    async def events(self, endpoint: str, data: list):
        """POST the call, then yield (event, data) from its stream."""
        response = await self.client.post(f"gradio_api/call/{endpoint}", json={"data": data, "session_hash": self.session})
        response.raise_for_status()
        event_id = response.json()["event_id"]
        async with self.client.stream("GET", f"gradio_api/call/{endpoint}/{event_id}") as stream:
            event = None
            async for line in stream.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    yield event, json.loads(line[5:])

    async def call(self, endpoint: str, data: list, fetch_files: bool = False) -> list | None:
        """One request, timed; the output files fetched too (as a browser shows them) when asked."""
        started = time.perf_counter()
        try:
            output = None
            async for event, payload in self.events(endpoint, data):
                if event == "error":
                    self.tally.errors[endpoint].append(f"error event: {payload}")
                    return None
                if event == "complete":
                    output = payload
            if output is None:
                self.tally.errors[endpoint].append("the stream ended without an answer")
                return None
            if fetch_files:
                for item in output:
                    if isinstance(item, dict) and item.get("url"):
                        await self.fetch(endpoint, item["url"])
        except (httpx.HTTPError, json.JSONDecodeError) as error:
            self.tally.errors[endpoint].append(f"{type(error).__name__}: {error}")
            return None
        self.tally.seconds[endpoint].append(time.perf_counter() - started)
        self.tally.started[endpoint].append(started)
        return output

    async def run(self, endpoint: str, data: list, fetch_files: bool = False) -> list | None:
        """One request to an event that skips the queue (``queue=False``: one POST, the answer in its
        response, as the page sends its live readings), timed to the answer; its files fetched after."""
        started = time.perf_counter()
        try:
            response = await self.client.post(f"gradio_api/run/{endpoint}", json={"data": data,
                                                                                  "session_hash": self.session})
            response.raise_for_status()
            answer = response.json()
            if "error" in answer or "data" not in answer:
                self.tally.errors[endpoint].append(f"answered {str(answer)[:200]}")
                return None
            self.tally.seconds[endpoint].append(time.perf_counter() - started)
            self.tally.started[endpoint].append(started)
            if fetch_files:
                for item in answer["data"]:
                    if isinstance(item, dict) and item.get("url"):
                        await self.fetch(endpoint, item["url"])
        except (httpx.HTTPError, json.JSONDecodeError) as error:
            self.tally.errors[endpoint].append(f"{type(error).__name__}: {error}")
            return None
        return answer["data"]

    async def fetch(self, endpoint: str, url: str) -> None:
        """Fetch an output file and check it is a whole picture."""
        response = await self.client.get(url)
        response.raise_for_status()
        declared = int(response.headers.get("content-length", len(response.content)))
        if len(response.content) != declared:
            self.tally.errors[endpoint].append(f"file cut short: {len(response.content)} of {declared} bytes")
            return
        try:
            Image.open(io.BytesIO(response.content)).load()
        except OSError as error:  # a file caught while the server rewrote it
            self.tally.errors[endpoint].append(f"output file is no whole picture ({len(response.content)} bytes): {error}")

    async def write(self, seed: int, length: int, temperature: float) -> None:
        """Press Generate once; time the first character and the speed after it."""
        started, first, first_written, text = time.perf_counter(), None, 0, ""
        try:
            async for event, payload in self.events("write", [PROMPT, length, temperature, 0, seed]):
                if event == "error":
                    self.tally.errors["write"].append(f"error event: {payload}")
                    return
                if event in ("generating", "complete") and payload:
                    text = payload[0]
                    if first is None and len(text) > len(PROMPT):
                        first, first_written = time.perf_counter(), len(text) - len(PROMPT)
        except (httpx.HTTPError, json.JSONDecodeError) as error:
            self.tally.errors["write"].append(f"{type(error).__name__}: {error}")
            return
        done = time.perf_counter()
        written = len(text) - len(PROMPT)
        if first is None or written != length:
            self.tally.errors["write"].append(f"wrote {written} of {length} characters")
            return
        self.tally.first_char.append(first - started)
        self.tally.writer_done.append(done - started)
        # speed after the first update: the characters that came after it, over the time they took
        self.tally.chars_per_second.append((written - first_written) / max(done - first, 1e-9))
        self.tally.seconds["write"].append(done - started)
        self.tally.texts.append((seed, text[len(PROMPT):]))


def drawing(seed: int) -> bytes:
    """A pad export (280x280 RGBA PNG) holding a made-up digit-like stroke."""
    rng = random.Random(seed)
    image = Image.new("RGBA", (280, 280), (255, 255, 255, 255))
    points = [(rng.randint(60, 220), rng.randint(40, 240)) for _ in range(4)]
    ImageDraw.Draw(image).line(points, fill=(0, 0, 0, 255), width=20, joint="curve")
    encoded = io.BytesIO()
    image.save(encoded, format="PNG")
    return encoded.getvalue()


LIVE_INTERVAL = 0.2  # s: ui.js sends at most one reading per 200 ms (LIVE_INTERVAL_MS), and one at a time
LIVE_STROKE, LIVE_EVERY = 1.0, 2.0  # s: a live drawer's stroke takes this long, and starts this often


def png_data_url(image: Image.Image) -> str:
    encoded = io.BytesIO()
    image.save(encoded, format="PNG")
    return "data:image/png;base64," + base64.b64encode(encoded.getvalue()).decode()


def live_frames(seed: int, count: int = 12) -> list[str]:
    """A stroke as the page sends it while drawing: ``count`` PNG data URLs of the drawing so far
    (280x280, black on transparent, the pad's brush width), the last one the whole stroke."""
    rng = random.Random(seed)
    corners = np.array([(rng.randint(60, 220), rng.randint(40, 240)) for _ in range(4)], dtype=float)
    lengths = np.r_[0, np.cumsum(np.linalg.norm(np.diff(corners, axis=0), axis=1))]
    frames = []
    for index in range(1, count + 1):
        along = np.linspace(0, lengths[-1] * index / count, 24)
        points = list(zip(np.interp(along, lengths, corners[:, 0]), np.interp(along, lengths, corners[:, 1])))
        image = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
        ImageDraw.Draw(image).line(points, fill=(0, 0, 0, 255), width=20, joint="curve")
        frames.append(png_data_url(image))
    return frames


BLANK_PAD = png_data_url(Image.new("RGBA", (280, 280), (0, 0, 0, 0)))


async def live_drawer(visitor: Visitor, seed: int, until: float, writers_done: asyncio.Event | None = None) -> None:
    """Strokes as the Digits tab follows them, one every `LIVE_EVERY` s (random phase), until ``until``
    and, if given, ``writers_done``."""
    frames = live_frames(seed)
    await asyncio.sleep(random.Random(seed).random() * LIVE_EVERY)
    while time.perf_counter() < until or (writers_done is not None and not writers_done.is_set()):
        began = time.perf_counter()
        while (drawn := time.perf_counter() - began) < LIVE_STROKE:  # the pen moves: the drawing so far
            await visitor.run("classify_digit_live", [frames[int(drawn / LIVE_STROKE * (len(frames) - 1))]],
                              fetch_files=True)
            await asyncio.sleep(max(0.0, LIVE_INTERVAL - (time.perf_counter() - began - drawn)))
        await visitor.run("classify_digit_live", [frames[-1]], fetch_files=True)  # the pen lifts
        await asyncio.sleep(max(0.0, LIVE_EVERY - 0.3 - (time.perf_counter() - began)))
        await visitor.run("classify_digit_live", [BLANK_PAD])  # Clear, before the next digit
        await asyncio.sleep(max(0.0, LIVE_EVERY - (time.perf_counter() - began)))


def garment() -> bytes:
    rng = np.random.default_rng(0)
    floor = (np.array([200, 180, 150]) + rng.normal(0, 12, (480, 640, 1))).clip(0, 255).astype(np.uint8)
    photo = Image.fromarray(floor)
    ImageDraw.Draw(photo).rectangle((220, 60, 420, 420), fill=(40, 60, 140))
    encoded = io.BytesIO()
    photo.save(encoded, format="JPEG", quality=90)
    return encoded.getvalue()


def pad(reference: dict) -> dict:
    return {"background": None, "layers": [], "composite": reference}


async def drawer(visitor: Visitor, seed: int, until: float, writers_done: asyncio.Event | None = None) -> None:
    """A stroke a second (random phase) until ``until`` and, if given, ``writers_done``."""
    strokes = [pad(await visitor.upload(drawing(seed * 100 + index), "sketch.png")) for index in range(5)]
    await asyncio.sleep(random.Random(seed).random())
    index = 0
    while time.perf_counter() < until or (writers_done is not None and not writers_done.is_set()):
        tick = time.perf_counter()
        await visitor.call("classify_digit", [strokes[index % len(strokes)]], fetch_files=True)
        index += 1
        await asyncio.sleep(max(0.0, 1.0 - (time.perf_counter() - tick)))


async def writers_and_drawers(client: httpx.AsyncClient, args: argparse.Namespace, tally: Tally,
                              live_drawers: int = 0) -> None:
    """``args.drawers`` (and ``live_drawers``) draw for ``args.seconds``; after 3 s (their uploads done,
    their pace steady) ``args.writers`` press Generate at once."""
    until, writers_done = time.perf_counter() + args.seconds, asyncio.Event()
    drawing = asyncio.gather(*(drawer(Visitor(client, tally), seed, until, writers_done)
                               for seed in range(args.drawers)),
                             *(live_drawer(Visitor(client, tally), seed, until, writers_done)
                               for seed in range(live_drawers)))
    if args.writers:
        await asyncio.sleep(3.0 if args.drawers or live_drawers else 0.0)
        pressed = time.perf_counter()
        await asyncio.gather(*(Visitor(client, tally).write(seed, args.length, args.temperature)
                               for seed in range(1, args.writers + 1)))
        tally.writing = [pressed, time.perf_counter()]
    writers_done.set()
    await drawing


async def same_drawing(client: httpx.AsyncClient, args: argparse.Namespace, tally: Tally) -> None:
    """``args.same_drawing`` clients each send one and the same drawing 10 times back to back,
    fetching the output image each time (identical outputs: one file name for all)."""
    reference = pad(await Visitor(client, tally).upload(drawing(7), "sketch.png"))

    async def client_loop() -> None:
        visitor = Visitor(client, tally)
        for _ in range(10):
            await visitor.call("classify_digit", [reference], fetch_files=True)

    await asyncio.gather(*(client_loop() for _ in range(args.same_drawing)))


async def soak(client: httpx.AsyncClient, args: argparse.Namespace, tally: Tally, app_pid: int | None) -> None:
    """Mixed traffic for ``args.soak`` seconds: drawers, writers pressing Generate again and again,
    garment photos, completions, scores and odd inputs; server memory sampled each minute."""
    until = time.perf_counter() + args.soak
    uploader = Visitor(client, tally)
    photo = await uploader.upload(garment(), "garment.jpg")
    junk = await uploader.upload(b"\x89PNG not really" * 64, "junk.png")

    async def writer_loop(seed: int) -> None:
        writer = Visitor(client, tally)  # one visitor pressing Generate again and again
        while time.perf_counter() < until:
            await writer.write(seed, args.length, args.temperature)
            seed += 1000
            await asyncio.sleep(1.0)

    async def other_loop(seed: int) -> None:
        rng, visitor = random.Random(seed), Visitor(client, tally)  # one event at a time per session, as a tab
        sketches = [pad(await visitor.upload(drawing(seed * 100 + index), "sketch.png")) for index in range(5)]
        while time.perf_counter() < until:
            choice = rng.random()
            if choice < 0.4:
                await visitor.call("classify_garment", [photo], fetch_files=True)
            elif choice < 0.7:
                await visitor.call("complete_digit", [rng.choice(sketches)], fetch_files=True)
            elif choice < 0.9:
                await visitor.call("score_text", ["To be, or not to be, that is the question" * rng.randint(1, 20)])
            else:  # a file that is no picture gets its sentence, not an error
                await visitor.call(*rng.choice([("classify_garment", [junk]), ("classify_digit", [pad(junk)])]))
            await asyncio.sleep(rng.random())

    async def memory_log() -> None:
        while time.perf_counter() < until:
            await asyncio.sleep(60)
            tally.memory.append(rss_of(app_pid))
            print(f"  {args.soak - (until - time.perf_counter()):4.0f} s: server RSS {rss_mib(app_pid)}", flush=True)

    tasks = [drawer(Visitor(client, tally), seed, until) for seed in range(args.drawers)]
    tasks += [writer_loop(seed) for seed in range(args.writers)]
    tasks += [other_loop(seed) for seed in range(args.others)]
    if app_pid:
        tasks.append(memory_log())
    await asyncio.gather(*tasks)


def rss_mib(pid: int | None) -> str:
    """Resident memory of the server and of the processes it started (the Shakespeare writer)."""
    if pid is None:
        return "unknown (pass --pid)"
    children = [int(child) for task in Path(f"/proc/{pid}/task").iterdir()
                for child in (task / "children").read_text().split()]
    own, *others = (rss_of(process) for process in [pid, *children])
    return f"{own:.0f} MiB" + (f" (+ {sum(others):.0f} MiB in {len(others)} child process)" if others else "")


def rss_of(pid: int) -> float:
    """A process's resident memory in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"process {pid} reports no VmRSS")


def percentiles(values: list[float]) -> str:
    if not values:
        return "none"
    p95 = statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]
    return f"p50 {statistics.median(values) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   max {max(values) * 1000:7.1f} ms"


def report(tally: Tally, wall: float) -> None:
    for endpoint, seconds in sorted(tally.seconds.items()):
        print(f"{endpoint:16s} {len(seconds):5d} answers   {percentiles(seconds)}")
        if tally.writing and endpoint != "write":
            during = [took for took, began in zip(seconds, tally.started[endpoint])
                      if tally.writing[0] <= began <= tally.writing[1]]
            print(f"  … while writing {len(during):5d} answers   {percentiles(during)}")
    if tally.first_char:
        print(f"writers: first character {percentiles(tally.first_char)}")
        print(f"writers: characters/s after the first update: slowest {min(tally.chars_per_second):.0f}, "
              f"median {statistics.median(tally.chars_per_second):.0f}")
        print(f"writers: all {len(tally.writer_done)} texts done after {max(tally.writer_done):.2f} s (slowest)")
    total_errors = sum(len(errors) for errors in tally.errors.values())
    print(f"errors: {total_errors}" + "".join(f"\n  {endpoint}: {len(errors)}, e.g. {errors[0][:200]}"
                                              for endpoint, errors in tally.errors.items()))
    print(f"wall time {wall:.1f} s")
    if len(tally.memory) >= 2:  # the first minute of load is where memory settles
        print(f"server RSS: {tally.memory[0]:.0f} MiB after the first minute, {tally.memory[-1]:.0f} MiB after the last: "
              f"{tally.memory[-1] - tally.memory[0]:+.0f} MiB over {len(tally.memory) - 1} minutes")


def same_text_check(tally: Tally, args: argparse.Namespace) -> None:
    """Each writer's text against the text its seed gives alone (`CharLSTM.generate`, no batch)."""
    from demos.shakespeare.predict import load_lstm

    model = load_lstm()
    differing = sum(text != model.decode(list(model.generate(model.encode(PROMPT), args.length, args.temperature,
                                                              None, seed)))
                    for seed, text in tally.texts)
    print(f"texts that differ from the same seed alone: {differing} of {len(tally.texts)}")


async def warm_up(client: httpx.AsyncClient, args: argparse.Namespace) -> None:
    """A round of every endpoint first, the writers as many at once as below (first calls, first
    batch sizes and a just-started server's own start-up work are not what a visitor meets)."""
    warm, tally = Visitor(client, Tally()), Tally()
    sketch = pad(await warm.upload(drawing(0), "sketch.png"))
    await asyncio.gather(*(Visitor(client, tally).write(seed, 50, args.temperature)
                           for seed in range(max(args.writers, 1))))
    for endpoint, data in (("classify_digit", [sketch]), ("complete_digit", [sketch]),
                           ("classify_garment", [await warm.upload(garment(), "garment.jpg")]), ("score_text", ["To be"])):
        await warm.call(endpoint, data, fetch_files=True)
    await asyncio.sleep(3.0)


async def run(args: argparse.Namespace, url: str, pid: int | None) -> Tally:
    tally = Tally()
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        await warm_up(client, args)
        print(f"server RSS after warm-up: {rss_mib(pid)}", flush=True)
        started = time.perf_counter()
        if args.same_drawing:
            await same_drawing(client, args, tally)
        elif args.soak:
            await soak(client, args, tally, pid)
        elif args.live_drawers:
            tally = await beside_live_drawers(client, args)
        else:
            await writers_and_drawers(client, args, tally)
        if not args.live_drawers:
            report(tally, time.perf_counter() - started)
        print(f"server RSS at the end: {rss_mib(pid)}")
    return tally


async def beside_live_drawers(client: httpx.AsyncClient, args: argparse.Namespace) -> Tally:
    """The same crowd twice in one run: first without, then with ``args.live_drawers`` live drawers;
    what the live drawers cost the writers is their slowest stream's speed, one against the other."""
    tallies = {}
    for live in (0, args.live_drawers):
        print(f"--- {args.writers} writers, {args.drawers} drawers, {live} live drawers", flush=True)
        tallies[live], started = Tally(), time.perf_counter()
        await writers_and_drawers(client, args, tallies[live], live_drawers=live)
        report(tallies[live], time.perf_counter() - started)
        await asyncio.sleep(3.0)
    alone, beside = (min(tallies[live].chars_per_second, default=0.0) for live in (0, args.live_drawers))
    if alone:
        print(f"writers' slowest stream beside {args.live_drawers} live drawers: {beside:.0f} characters/s, "
              f"{beside / alone:.0%} of its {alone:.0f} without them")
    return tallies[args.live_drawers]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an app already running (default: start `python app.py` on a free port)")
    parser.add_argument("--pid", type=int, help="with --url: the server's process id, for its memory")
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--drawers", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0, help="how long the drawers draw (at least until "
                        "the writers are done)")
    parser.add_argument("--live-drawers", type=int, default=0, metavar="N",
                        help="run the crowd twice, without and then beside N visitors drawing as the Digits tab "
                             "follows the pen, and compare the writers' speed")
    parser.add_argument("--others", type=int, default=4, help="--soak: visitors of the other endpoints")
    parser.add_argument("--length", type=int, default=500, help="characters per text")
    parser.add_argument("--temperature", type=float, default=0.8)
    parser.add_argument("--same-drawing", type=int, default=0, metavar="CLIENTS",
                        help="only: CLIENTS send the same drawing 10 times each, fetching the output image")
    parser.add_argument("--soak", type=float, default=0, metavar="SECONDS", help="only: mixed traffic this long")
    parser.add_argument("--same-text", action="store_true",
                        help="also check each writer's text against its seed's text alone (loads the model here)")
    args = parser.parse_args()
    if min(args.writers, args.drawers, args.live_drawers, args.others, args.length, args.same_drawing) < 0 \
            or args.soak < 0:
        parser.error("counts and durations cannot be negative")
    if args.pid and not args.url:
        parser.error("--pid goes with --url (a server this script starts is measured anyway)")
    if args.url:
        tally = asyncio.run(run(args, args.url, args.pid))
    else:
        with serve_app() as app:
            tally = asyncio.run(run(args, app.url, app.pid))
    if args.same_text:
        same_text_check(tally, args)


if __name__ == "__main__":
    main()
