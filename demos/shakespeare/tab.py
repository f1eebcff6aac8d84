"""The Shakespeare tab: type a start, a character-level LSTM writes on, streaming; and a scorer
that says how Shakespearean a pasted text looks to the model.

The tab lays out and wires; the demo decides. `build_tab` gets the demo's functions
(`start_writing`, `score`, and the under-the-hood views of `demos.shakespeare.inside`) and hands
them to `Handlers` and `HoodHandlers`, whose methods are the events (tests call them with fakes,
no browser and no monkeypatching).
"""

from __future__ import annotations

import contextlib
import html
import math
import time
from collections.abc import Callable, Iterator

import gradio as gr

from demos import hood, ui
from demos.shakespeare.batching import MAX_BATCH
from demos.shakespeare.inside import Views
from demos.shakespeare.predict import MAX_NEW_CHARS, MAX_PROMPT_CHARS, MAX_SEED, MAX_TEMPERATURE, Score, Writing

DEFAULT_PROMPT = "ROMEO:\n"
HOOD_ID = "shakespeare-hood"
GENERATED, PASTED = "the generated text", "the pasted text"  # which text the panel looks at
SURPRISE_FULL = 6.0  # nats (a 1-in-400 character) and more: the deepest red
SHOWN = {"\n": "⏎ (line break)", " ": "␣ (space)"}  # characters that would be invisible as labels
RED, BLUE = "239, 68, 60", "59, 130, 246"  # surprise and positive activations; negative activations
# a click on a character of the surprise view reports its number (the view's `click` event)
PICK_CHARACTER_JS = ("element.addEventListener('click', (event) => { const picked = event.target.closest('[data-i]'); "
                     "if (picked) trigger('click', {index: Number(picked.dataset.i)}); });")
TEXT_VIEW_CSS = """
.hood-text { white-space: pre-wrap; font-family: var(--font-mono); font-size: 14px; line-height: 1.7;
             padding: 8px 10px; max-height: 420px; overflow-y: auto; border: 1px solid var(--border-color-primary);
             border-radius: var(--radius-md); }
.hood-text span { border-radius: 2px; }
.hood-text span[data-i] { cursor: pointer; }
.hood-text .newline { opacity: 0.45; }
"""
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


def shown(char: str) -> str:
    """A character as a label shows it: line breaks and spaces in words."""
    return SHOWN.get(char, char)


def coloured_text(text: str, strengths: list[float | None], titles: list[str], pickable: bool = False) -> str:
    """HTML: each character of ``text`` on a background whose opacity is its strength (red for
    positive, blue for negative, none for None), with a tooltip (``titles``); a line break shows as
    a faint ↵ before it breaks the line. Every character is escaped. ``pickable``: characters carry
    their number for a click (`PICK_CHARACTER_JS`)."""
    spans = []
    for index, (char, strength, title) in enumerate(zip(text, strengths, titles)):
        style = ""
        if strength is not None:
            alpha = min(abs(strength), 1.0)
            style = f' style="background: rgba({RED if strength >= 0 else BLUE}, {alpha:.2f});'
            style += ' color: white;"' if alpha > 0.65 else '"'
        picked = f' data-i="{index}"' if pickable else ""
        shown_char = '<span class="newline">↵</span>' if char == "\n" else html.escape(char)
        spans.append(f'<span{style}{picked} title="{html.escape(title, quote=True)}">{shown_char}</span>'
                     + ("\n" if char == "\n" else ""))
    return f'<div class="hood-text">{"".join(spans)}</div>'


class HoodHandlers:
    """The "Under the hood" panel's events, given the demo's views (`demos.shakespeare.inside.Views`)."""

    def __init__(self, views: Views) -> None:
        self.views = views

    @staticmethod
    def text(source: str, generated: str | None, pasted: str | None) -> str:
        """The text the visitor chose to look at."""
        return (pasted if source == PASTED else generated) or ""

    @staticmethod
    def picked(event: gr.EventData) -> int:
        """The number of the character clicked in the surprise view (`PICK_CHARACTER_JS`)."""
        return int(event.index)

    @staticmethod
    def missing(source: str) -> str:
        return ("Nothing to look at yet: paste a text under \"How Shakespearean is this?\"." if source == PASTED
                else "Nothing to look at yet: generate a text first (or choose the pasted text).")

    def surprise(self, source: str, generated: str | None, pasted: str | None) -> tuple[str, str]:
        """(the text coloured by each character's surprise, HTML, each with its top 5 in a tooltip; caption)."""
        text = self.text(source, generated, pasted)
        if not text.strip():
            return "", self.missing(source)
        try:
            seen = self.views.surprise(text)
        except ValueError as problem:
            return "", str(problem)
        titles = ["the first character: context only"] + [
            f"{shown(char)}: {nats:.2f} nats (p = {math.exp(-nats):.1%}); expected "
            + ", ".join(f"{shown(candidate)} {p:.0%}" for candidate, p in candidates)
            for char, nats, candidates in zip(seen.text[1:], seen.nats[1:], seen.candidates[1:])]
        strengths = [None if nats is None else nats / SURPRISE_FULL for nats in seen.nats]
        caption = (f"**Surprise, character by character**: the redder a character, the less the model expected it "
                   f"(−ln p; deepest red: {SURPRISE_FULL:g} nats or more, a 1-in-400 guess). Average {seen.mean:.2f} "
                   "nats per character. Point at a character, or click it, to see what the model expected there."
                   + (f" {seen.note}" if seen.note else ""))
        return coloured_text(seen.text, strengths, titles, pickable=True), caption

    def candidates(self, source: str, generated: str | None, pasted: str | None,
                   position: float | None) -> tuple[dict[str, float] | None, str]:
        """(the model's 5 likeliest characters before the one at ``position``, caption)."""
        text = self.text(source, generated, pasted)
        if not text.strip():
            return None, self.missing(source)
        try:
            seen = self.views.surprise(text)
        except ValueError as problem:
            return None, str(problem)
        if position is None or not float(position).is_integer() or not 0 <= position < len(seen.text):
            return None, f"Pick a character: a position from 1 to {len(seen.text) - 1}."
        index = int(position)
        if index == 0:
            return None, "The first character has nothing before it: the model reads it as context only."
        char, nats = seen.text[index], seen.nats[index]
        return ({shown(candidate): p for candidate, p in seen.candidates[index]},
                f"Before character {index}, **{shown(char)}**, the model's five likeliest next characters. It gave "
                f"{shown(char)} a {math.exp(-nats):.1%} chance ({nats:.2f} nats of surprise).")

    def cell(self, source: str, generated: str | None, pasted: str | None, cell: float | None) -> tuple[str, str]:
        """(the text coloured by the chosen cell's activation after each character, HTML; caption)."""
        text = self.text(source, generated, pasted)
        if not text.strip():
            return "", self.missing(source)
        if cell is None or not float(cell).is_integer() or not 0 <= cell < self.views.cells:
            return "", f"Choose a cell from 0 to {self.views.cells - 1}."
        try:
            read, activations = self.views.cell_activations(text, int(cell))
        except ValueError as problem:
            return "", str(problem)
        named = next((found for found in self.views.named_cells() if found.cell == int(cell)), None)
        layer, index = divmod(int(cell), self.views.cells // 2)
        titles = [f"{shown(char)}: {value:+.2f}" for char, value in zip(read, activations)]
        return (coloured_text(read, [float(value) for value in activations], titles),
                f"**Cell {int(cell)}** (layer {layer + 1}, cell {index}) after each character: red where its "
                f"activation (tanh of its state) is positive, blue where negative, the deeper the nearer ±1."
                + (f" Found offline to follow: {named.name} (r = {named.correlation:+.2f})." if named else ""))

    def curve(self) -> tuple[object, str]:
        """(the learning curve rows, caption naming the epoch kept)."""
        found = self.views.learning_curve()
        kept = (f" The weights kept are epoch {found.chosen_epoch}'s, the lowest validation loss "
                f"({found.chosen_loss:.3f} nats per character); after it the model starts to memorise its training "
                "text." if found.chosen_epoch else "")
        return hood.curve_frame(found.rows), ("**Learning curve**: the loss (nats per character) on the training "
                                              "text and on held-out Shakespeare, per epoch." + kept)


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


def build_tab(start_writing: Callable[..., Writing], score: Callable[[str], Score], vocabulary_size: int,
              views: Views) -> None:
    """The tab's components and events; ``vocabulary_size``: how many characters the model knows;
    ``views``: what the "Under the hood" panel shows."""
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
    build_hood(HoodHandlers(views), output, pasted)
    refresh_hood = f"() => {{ {ui.hood_refresh_call(HOOD_ID)} }}"
    gr.on([write.click, prompt.submit], handlers.write, inputs=[prompt, length, temperature, top_k, seed],
          outputs=[output, status], api_name="write", show_progress="hidden",
          concurrency_limit=MAX_BATCH,  # all texts are stepped in one batch: a crowd costs little more than one
          preprocess=False,  # values reach `Handlers.write` as sent: an API call's None or "lots" gets a sentence
          ).then(None, js=refresh_hood, api_visibility="private")
    stop.click(handlers.stop, api_visibility="private", show_progress="hidden", queue=False)
    gr.on([score_button.click, pasted.submit], handlers.score, inputs=pasted, outputs=scored, api_name="score_text"
          ).then(None, js=refresh_hood, api_visibility="private")


def build_hood(handlers: HoodHandlers, generated: gr.Textbox, pasted: gr.Textbox) -> None:
    """The "Under the hood" panel: surprise per character, what the model expected, one cell along the
    text, the learning curve."""
    cells = handlers.views.named_cells()
    with hood.Hood(HOOD_ID) as panel:
        source = gr.Radio([GENERATED, PASTED], value=GENERATED, label="Look at", elem_id=f"{HOOD_ID}-source")
        with gr.Row(equal_height=False):
            with gr.Column(scale=3, min_width=300):
                surprised = gr.HTML(label="How surprised the model was", js_on_load=PICK_CHARACTER_JS,
                                    css_template=TEXT_VIEW_CSS, elem_id=f"{HOOD_ID}-surprise")
                surprise_caption = hood.caption()
            with gr.Column(scale=2, min_width=220):
                position = ui.Number(value=None, label="Character number (click one in the text)", precision=0,
                                     minimum=0, elem_id=f"{HOOD_ID}-position")
                expected = gr.Label(num_top_classes=5, label="What the model expected there",
                                    elem_id=f"{HOOD_ID}-candidates")
                expected_caption = hood.caption()
        gr.Markdown("#### One LSTM cell along the text")
        with gr.Row(equal_height=False):
            named = gr.Dropdown([(found.title, found.cell) for found in cells], value=cells[0].cell if cells else None,
                                label="Cells found offline (correlation with what they follow)",
                                elem_id=f"{HOOD_ID}-named-cells", scale=3)
            cell = ui.Slider(0, handlers.views.cells - 1, value=cells[0].cell if cells else 0, step=1,
                             label=f"Any cell (0–{handlers.views.cells // 2 - 1}: layer 1, then layer 2)",
                             elem_id=f"{HOOD_ID}-cell", scale=2)
        cell_text = gr.HTML(label="The cell's activation after each character", js_on_load=None,
                            css_template=TEXT_VIEW_CSS, elem_id=f"{HOOD_ID}-cell-text")
        cell_caption = hood.caption()
        curve = hood.curve_plot("Loss per epoch", "nats per character", f"{HOOD_ID}-curve")
        curve_caption = hood.caption()
    texts = [source, generated, pasted]
    panel.follow(handlers.surprise, texts, [surprised, surprise_caption], "shakespeare_surprise", also=[source.change])
    # a click on a character picks its number; the number (also typed, or sent by an API call) gives the candidates,
    # which follow a new text too
    surprised.click(HoodHandlers.picked, None, position, api_visibility="private", show_progress="hidden", queue=False)
    panel.follow(handlers.candidates, [*texts, position], [expected, expected_caption], "shakespeare_candidates",
                 also=[position.change, source.change])
    named.change(None, named, cell, js="(picked) => picked", api_visibility="private")
    panel.follow(handlers.cell, [*texts, cell], [cell_text, cell_caption], "shakespeare_cell",
                 also=[cell.change, source.change])
    panel.once(handlers.curve, [curve, curve_caption], "shakespeare_learning_curve")
