"""The Shakespeare tab: type a start, a character-level LSTM writes on, streaming; and a scorer
that says how Shakespearean a pasted text looks to the model."""

from __future__ import annotations

import math
import secrets
import time
from collections.abc import Iterator

import gradio as gr

from demos.shakespeare import predict
from demos.shakespeare.predict import MAX_NEW_CHARS, MAX_PROMPT_CHARS, MAX_SEED, MAX_TEMPERATURE
from demos.shakespeare.text import fit_to_vocabulary

DEFAULT_PROMPT = "ROMEO:\n"
MAX_SCORED_CHARS = 5_000  # the model reads text in order: about 2 s for this much on one CPU thread
REFRESH_SECONDS = 0.05  # stream to the browser at most 20 times a second, however fast the model writes
# Browser sessions whose visitor pressed Stop: the writer checks after every character and ends its
# stream itself (cancelling the event instead races with the stream and can leave an "Error" badge).
STOP_REQUESTS: set[str] = set()


def write_for_ui(
    prompt: str, length: float, temperature: float, top_k: float, seed: float | None,
    visit: gr.Request | None = None,
) -> Iterator[tuple[str, str]]:
    """Stream (text so far, status line): the prompt as the model read it, then what it writes.
    ``visit`` (filled in by Gradio) says which browser session a Stop belongs to."""
    session = visit.session_hash if visit is not None else None
    STOP_REQUESTS.discard(session)  # a Stop pressed while nothing was being written
    model = predict.load_lstm()
    # 0 (the box's starting value: Gradio's number box cannot be empty) or None: a new seed, from 1 up,
    # shown afterwards so that the text can be had again
    seed = 1 + secrets.randbelow(MAX_SEED) if seed is None or seed == 0 else whole_number(seed)
    top_k = None if top_k == 0 else whole_number(top_k)
    try:
        request = predict.check_request(model, prompt or "", whole_number(length), temperature, top_k, seed)
    except ValueError as problem:
        yield "", f"⚠️ {problem}"
        return
    notes = [request.prompt.note] if request.prompt.note else []
    if not request.prompt.text:
        notes.append("With no prompt, the model starts as if at a new line.")
    settings = (f"seed {seed} — enter it to get this text again; "
                + ("greedy (temperature 0)" if request.temperature == 0 else f"temperature {request.temperature:g}")
                + (f", top-{request.top_k}" if request.top_k else ""))
    text, last_shown, started = request.prompt.text, 0.0, time.perf_counter()
    yield text, " ".join([*notes, "Writing…"])
    for written, char in enumerate(predict.sample_chars(model, request), start=1):
        text += char
        if session in STOP_REQUESTS:
            STOP_REQUESTS.discard(session)
            yield text, " ".join([*notes, f"Stopped after {written} character{'s' * (written != 1)} ({settings})."])
            return
        if time.perf_counter() - last_shown >= REFRESH_SECONDS:
            last_shown = time.perf_counter()
            yield text, " ".join([*notes, f"Writing… {written} of {request.max_new_chars} characters."])
    seconds = time.perf_counter() - started
    yield text, " ".join([*notes, f"{request.max_new_chars} characters in {seconds:.2f} s ({settings})."])


def stop_for_ui(visit: gr.Request) -> None:
    """The Stop button: the writer of this browser session ends after its next character."""
    STOP_REQUESTS.add(visit.session_hash)


def whole_number(value: float) -> int | float:
    """Sliders and number boxes send floats: 500.0 -> 500; anything else is left for `check_request` to refuse."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def score_for_ui(text: str) -> str:
    """Markdown: a verdict in words, the model's surprise per character for ``text`` next to held-out
    Shakespeare's, and what that means as odds."""
    if not text or not text.strip():
        return "Paste some text to score."
    if len(text) > MAX_SCORED_CHARS:
        return f"That is {len(text):,} characters; please paste at most {MAX_SCORED_CHARS:,}."
    model = predict.load_lstm()
    fitted = fit_to_vocabulary(text, model.vocab)
    if len(fitted.text) < 2:
        return "Too little text left to score: " + (fitted.note or "paste at least two characters.")
    loss = predict.text_nll(model, fitted.text)
    reference = predict.validation_loss()
    choices = len(model.vocab)
    lines = [f"**{verdict(loss, reference, choices)}**"] if reference is not None else []
    blind = f"blind guessing among the {choices} characters it knows"
    odds = (f"{blind} would do better: 1 in {choices}" if loss > math.log(choices) else f"{blind}: 1 in {choices}")
    lines.append(
        f"Surprise per character: **{loss:.2f}**"
        + (f" (Shakespeare it never read, the held-out tenth of its text: {reference:.2f})." if reference is not None
           else ".")
        + f" On average the model gave the character that actually came next a **1 in {math.exp(loss):,.1f}** "
          f"chance ({odds})."
    )
    if fitted.note:
        lines.append(fitted.note)
    lines.append("*Surprise is −ln p, where p is the probability the model gave each character before seeing it, "
                 "averaged over the text (in nats); lower means more predictable to the model.*")
    return "\n\n".join(lines)


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


def build_tab(demo: gr.Blocks) -> None:
    """The tab's components and events, inside ``demo``."""
    model = predict.load_lstm()
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
            top_k = gr.Slider(0, len(model.vocab), value=0, step=1, label="Top-k",
                              info=f"sample only among the k likeliest characters; 0 = all {len(model.vocab)}")
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
        score = gr.Button("Score it", elem_id="shakespeare-score")
        scored = gr.Markdown(elem_id="shakespeare-score-output")
    gr.on([write.click, prompt.submit], write_for_ui, inputs=[prompt, length, temperature, top_k, seed],
                    outputs=[output, status], api_name="write", show_progress="hidden")
    stop.click(stop_for_ui, api_visibility="private", show_progress="hidden", queue=False)
    gr.on([score.click, pasted.submit], score_for_ui, inputs=pasted, outputs=scored, api_name="score_text")
