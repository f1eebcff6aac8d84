"""The Shakespeare tab: type a start, a character-level LSTM writes on, streaming; and a scorer
that says how Shakespearean a pasted text looks to the model.

The tab lays out and wires; the demo decides. `build_tab` gets the demo's functions
(`start_writing`, `score`) and hands them to `Handlers`, whose methods are the events
(tests call them with fakes, no browser and no monkeypatching).
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator

import gradio as gr

from demos.shakespeare.batching import MAX_BATCH
from demos.shakespeare.predict import MAX_NEW_CHARS, MAX_PROMPT_CHARS, MAX_SEED, MAX_TEMPERATURE, Score, Writing

DEFAULT_PROMPT = "ROMEO:\n"
REFRESH_SECONDS = 0.1  # a new piece of text at most 10 times a second, however fast the model writes


class Handlers:
    """The tab's events, given the demo's functions."""

    def __init__(self, start_writing: Callable[..., Writing], score: Callable[[str], Score]) -> None:
        self.start_writing, self.score_text = start_writing, score
        # Browser sessions whose visitor pressed Stop: the writer checks after every piece of text and ends
        # its stream itself (cancelling the event instead races with the stream and can leave an "Error").
        self.stop_requests: set[str] = set()

    def write(
        self, prompt: str, length: float, temperature: float, top_k: float, seed: float | None,
        visit: gr.Request | None = None,
    ) -> Iterator[tuple[str, str]]:
        """Stream (text so far, status line): the prompt as the model read it, then what it writes.
        The values come as sent (the sliders send numbers; an API call may send anything, which
        `start_writing` refuses with a sentence). ``visit`` (filled in by Gradio) says which
        browser session a Stop belongs to."""
        session = visit.session_hash if visit is not None else None
        self.stop_requests.discard(session)  # a Stop pressed while nothing was being written
        try:
            # 0 (the box's starting value: a number box cannot be empty) or None: a new seed, shown afterwards
            writing = self.start_writing(prompt or "", whole_number(length), temperature,
                                         None if top_k == 0 else whole_number(top_k),
                                         None if seed is None or seed == 0 else whole_number(seed))
        except ValueError as problem:
            yield "", f"⚠️ {problem}"
            return
        notes = [writing.prompt.note] if writing.prompt.note else []
        if not writing.prompt.text:
            notes.append("With no prompt, the model starts as if at a new line.")
        settings = (f"seed {writing.seed} — enter it to get this text again; "
                    + ("greedy (temperature 0)" if writing.temperature == 0 else f"temperature {writing.temperature:g}")
                    + (f", top-{writing.top_k}" if writing.top_k else ""))
        text, written, started = writing.prompt.text, 0, time.perf_counter()
        yield text, " ".join([*notes, "Writing…"])
        with contextlib.closing(writing.pieces(every=REFRESH_SECONDS)) as pieces:  # closing it ends the generation
            for piece in pieces:
                text, written = text + piece, written + len(piece)
                if session in self.stop_requests:
                    self.stop_requests.discard(session)
                    yield text, " ".join([*notes, f"Stopped after {written} character{'s' * (written != 1)} ({settings})."])
                    return
                if written < writing.max_new_chars:
                    yield text, " ".join([*notes, f"Writing… {written} of {writing.max_new_chars} characters."])
        seconds = time.perf_counter() - started
        yield text, " ".join([*notes, f"{writing.max_new_chars} characters in {seconds:.2f} s ({settings})."])

    def stop(self, visit: gr.Request) -> None:
        """The Stop button: the writer of this browser session ends after its next character."""
        self.stop_requests.add(visit.session_hash)

    def score(self, text: str) -> str:
        """Markdown: the verdict in words, the surprise per character next to held-out Shakespeare's, the odds."""
        try:
            scored = self.score_text(text or "")
        except ValueError as problem:
            return str(problem)
        return score_report(scored)


def whole_number(value: float) -> int | float:
    """Sliders and number boxes send floats: 500.0 -> 500; anything else is left for `start_writing` to refuse."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def score_report(scored: Score) -> str:
    """A `Score` in plain words (Markdown)."""
    loss, reference, choices = scored.loss, scored.reference, scored.choices
    lines = [f"**{scored.verdict}**"] if scored.verdict else []
    blind = f"blind guessing among the {choices} characters it knows"
    odds = f"{blind} would do better: 1 in {choices}" if loss > math.log(choices) else f"{blind}: 1 in {choices}"
    lines.append(
        f"Surprise per character: **{loss:.2f}**"
        + (f" (Shakespeare it never read, the held-out tenth of its text: {reference:.2f})." if reference is not None
           else ".")
        + f" On average the model gave the character that actually came next a **1 in {math.exp(loss):,.1f}** "
          f"chance ({odds})."
    )
    if scored.note:
        lines.append(scored.note)
    lines.append("*Surprise is −ln p, where p is the probability the model gave each character before seeing it, "
                 "averaged over the text (in nats); lower means more predictable to the model.*")
    return "\n\n".join(lines)


def build_tab(start_writing: Callable[..., Writing], score: Callable[[str], Score], vocabulary_size: int) -> None:
    """The tab's components and events; ``vocabulary_size``: how many characters the model knows."""
    handlers = Handlers(start_writing, score)
    gr.Markdown(
        "Type the start of a scene — a name in capitals and a colon, like `ROMEO:`, is how the plays set out a "
        "speech. A two-layer LSTM that learned Shakespeare one character at a time writes on. Temperature sets "
        "how daring it is (0: always the likeliest character); the same seed gives the same text."
    )
    with gr.Row(equal_height=False):
        with gr.Column(scale=2, min_width=280):
            prompt = gr.Textbox(value=DEFAULT_PROMPT, label="Start of the text", lines=3, max_length=MAX_PROMPT_CHARS,
                                elem_id="shakespeare-prompt")
            length = gr.Slider(10, MAX_NEW_CHARS, value=500, step=10, label="Length (characters)",
                               elem_id="shakespeare-length")
            temperature = gr.Slider(0, MAX_TEMPERATURE, value=0.8, step=0.05, label="Temperature",
                                    info="0 = greedy (always the likeliest character); higher = bolder, then wilder")
            top_k = gr.Slider(0, vocabulary_size, value=0, step=1, label="Top-k",
                              info=f"sample only among the k likeliest characters; 0 = all {vocabulary_size}")
            seed = gr.Number(value=0, label="Seed", precision=0, minimum=0, maximum=MAX_SEED,
                             info="0 = a new text each time; enter the seed shown below to get a text again",
                             elem_id="shakespeare-seed")
            with gr.Row():
                write = gr.Button("Generate", variant="primary", elem_id="shakespeare-generate")
                stop = gr.Button("Stop", variant="stop", elem_id="shakespeare-stop")
        with gr.Column(scale=3, min_width=300):
            output = gr.Textbox(label="The LSTM writes", lines=18, max_lines=30, interactive=False, autoscroll=True,
                                buttons=["copy"], elem_id="shakespeare-output")
            status = gr.Markdown(elem_id="shakespeare-status")
    with gr.Accordion("How Shakespearean is this?", open=False):
        pasted = gr.Textbox(label="Paste any text", lines=4, placeholder="To be, or not to be: that is the question",
                            elem_id="shakespeare-score-input")
        score_button = gr.Button("Score it", elem_id="shakespeare-score")
        scored = gr.Markdown(elem_id="shakespeare-score-output")
    gr.on([write.click, prompt.submit], handlers.write, inputs=[prompt, length, temperature, top_k, seed],
          outputs=[output, status], api_name="write", show_progress="hidden",
          concurrency_limit=MAX_BATCH,  # all texts are stepped in one batch: a crowd costs little more than one
          preprocess=False)  # values reach `Handlers.write` as sent: an API call's None or "lots" gets a sentence
    stop.click(handlers.stop, api_visibility="private", show_progress="hidden", queue=False)
    gr.on([score_button.click, pasted.submit], handlers.score, inputs=pasted, outputs=scored, api_name="score_text")
