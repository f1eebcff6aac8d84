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


def write_for_ui(
    prompt: str, length: float, temperature: float, top_k: float, seed: float | None
) -> Iterator[tuple[str, str]]:
    """Stream (text so far, status line): the prompt as the model read it, then what it writes."""
    model = predict.load_lstm()
    seed = secrets.randbelow(MAX_SEED + 1) if seed is None else whole_number(seed)
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
        if time.perf_counter() - last_shown >= REFRESH_SECONDS:
            last_shown = time.perf_counter()
            yield text, " ".join([*notes, f"Writing… {written} of {request.max_new_chars} characters."])
    seconds = time.perf_counter() - started
    yield text, " ".join([*notes, f"{request.max_new_chars} characters in {seconds:.2f} s ({settings})."])


def whole_number(value: float) -> int | float:
    """Sliders and number boxes send floats: 500.0 -> 500; anything else is left for `check_request` to refuse."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def score_for_ui(text: str) -> str:
    """Markdown: the model's nats per character for ``text``, next to held-out Shakespeare's, in words."""
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
    lines = [f"**{loss:.2f} nats per character**: on average the model was as unsure of each next character "
             f"as if choosing between {math.exp(loss):.1f} equally likely ones."]
    if reference is not None:
        lines.append(f"Shakespeare it never trained on (the held-out tenth of its text) scores **{reference:.2f}** "
                     f"({math.exp(reference):.1f} choices). {verdict(loss, reference)}")
    if fitted.note:
        lines.append(fitted.note)
    return "\n\n".join(lines)


def verdict(loss: float, reference: float) -> str:
    """Words for a score relative to held-out Shakespeare (lower is more predictable to the model)."""
    if loss < reference - 0.4:
        return "Even more predictable than new Shakespeare: it may have read this very passage in training."
    if loss <= reference + 0.3:
        return "Very Shakespearean: as predictable to the model as real Shakespeare it has not seen."
    if loss <= reference + 0.8:
        return "Somewhat Shakespearean: English it follows, but not quite in the Bard's manner."
    return "Not Shakespearean to this model: it could hardly guess what comes next."


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
            seed = gr.Number(value=None, label="Seed (optional)", precision=0, minimum=0, maximum=MAX_SEED,
                             info="leave empty for a new text each time")
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
    writing = gr.on([write.click, prompt.submit], write_for_ui, inputs=[prompt, length, temperature, top_k, seed],
                    outputs=[output, status], api_name="write", show_progress="hidden")
    # cancelling ends the stream where it is; the status says so instead of "Writing…"
    stop.click(None, cancels=[writing], api_visibility="private").then(
        lambda: "Stopped.", outputs=status, api_visibility="private", show_progress="hidden")
    gr.on([score.click, pasted.submit], score_for_ui, inputs=pasted, outputs=scored, api_name="score_text")
