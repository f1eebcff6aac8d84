"""Each tab's "Under the hood" panel in a real browser: it opens, shows its visuals for the visitor's own
input, and follows a new input while open. Same setup as tests/test_browser.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from demos.fashion.tab import PHOTO_EXAMPLES
from tests.browser import draw_strokes
from tests.conftest import DIGIT_STROKES, draw_sketch

pytestmark = [pytest.mark.browser, pytest.mark.weights]


def open_hood(page: Page, hood: str) -> None:
    page.locator(f"#{hood}").get_by_text("Under the hood").click()


def expect_plot(page: Page, plot: str) -> None:
    """A Gradio plot that has drawn (Vega renders into a canvas or an SVG)."""
    expect(page.locator(f"#{plot}").locator("canvas, svg").first).to_be_visible(timeout=15_000)


def expect_pictures_loaded(page: Page, selector: str) -> None:
    pictures = page.locator(selector)
    expect(pictures.first).to_be_visible(timeout=15_000)
    pictures.first.scroll_into_view_if_needed()
    page.wait_for_function("(s) => [...document.querySelectorAll(s)].slice(0, 3).every(i => i.complete && i.naturalWidth > 0)",
                           arg=selector, timeout=15_000)


def test_digits_panel_explains_the_drawing_and_follows_the_next(page: Page):
    hood = "#digits-hood"
    open_hood(page, "digits-hood")
    expect(page.locator(f"{hood} .hood-caption").first).to_contain_text("draw a digit above", timeout=15_000)
    page.locator("#digits-sketchpad").scroll_into_view_if_needed()
    draw_strokes(page, "#digits-sketchpad", DIGIT_STROKES["7"])
    expect(page.locator("#digits-label h2")).to_have_text("7")
    captions = page.locator(f"{hood} .hood-caption")
    expect(captions.first).to_contain_text("for its answer 7", timeout=15_000)
    expect(page.locator(f"{hood}-saliency img")).to_be_visible()
    expect(page.locator(f"{hood}-saliency img")).to_have_attribute("alt", re.compile("Where the network looked"))
    expect(page.locator(f"{hood}-maps img")).to_be_visible()
    expect(page.locator(f"{hood}-filters img")).to_be_visible()
    expect(captions.filter(has_text="All the probabilities").first).to_be_visible()
    expect_plot(page, "digits-hood-probabilities")
    expect_plot(page, "digits-hood-loss-0")
    expect_plot(page, "digits-hood-accuracy-0")
    expect(captions.filter(has_text="10,000 MNIST test digits").first).to_be_visible()
    expect_pictures_loaded(page, f"{hood}-mistakes-0 img")
    # a new drawing while the panel is open: the panel follows it
    page.locator("#digits-clear").click()
    page.locator("#digits-sketchpad").scroll_into_view_if_needed()
    draw_strokes(page, "#digits-sketchpad", DIGIT_STROKES["0"])
    expect(page.locator("#digits-label h2")).to_have_text("0")
    expect(captions.first).to_contain_text("for its answer 0", timeout=15_000)


def test_fashion_panel_shows_the_photo_networks_view_and_both_trainings(page: Page):
    page.get_by_role("tab", name="Fashion").click()
    jacket = next(p for p in PHOTO_EXAMPLES if p.stem == "photo-outwear-1")
    page.locator("#fashion-photo input[type=file]").set_input_files(str(jacket))
    expect(page.locator("#fashion-label h2")).to_have_text("Coat", timeout=15_000)
    open_hood(page, "fashion-hood")
    hood = "#fashion-hood"
    expect(page.locator(f"{hood} .hood-caption").first).to_contain_text("for its answer Coat", timeout=15_000)
    expect(page.locator(f"{hood} .hood-caption").first).to_contain_text("photo network")
    expect(page.locator(f"{hood}-saliency img")).to_be_visible()
    expect(page.locator(f"{hood} .hood-caption").filter(has_text="32 filters").first).to_be_visible()
    expect(page.locator(f"{hood} .hood-caption").first).to_contain_text("Grad-CAM")
    expect_plot(page, "fashion-hood-probabilities")
    expect(page.locator(f"{hood}").get_by_text("How the photo network")).to_be_visible()
    expect(page.locator(f"{hood}").get_by_text("How the Fashion-MNIST network")).to_be_visible()
    expect_pictures_loaded(page, f"{hood}-mistakes-0 img")
    expect_plot(page, "fashion-hood-accuracy-1")


def test_completion_panel_shows_the_raw_output_and_what_the_half_added(page: Page):
    page.get_by_role("tab", name="Half-digit completion").click()
    page.locator("#completion-tab .gallery-item").first.click()
    expect(page.locator("#completion-label h2")).to_have_text(re.compile(r"^[0-9]$"), timeout=15_000)
    open_hood(page, "completion-hood")
    hood = "#completion-hood"
    expect(page.locator(f"{hood}-raw img")).to_be_visible(timeout=15_000)
    expect(page.locator(f"{hood} .hood-caption").filter(has_text="What the drawn half added").first).to_be_visible()
    expect_plot(page, "completion-hood-half")
    expect_plot(page, "completion-hood-whole")
    expect_plot(page, "completion-hood-error")


def test_shakespeare_panel_colours_the_text_and_answers_a_click(page: Page):
    page.get_by_role("tab", name="Shakespeare").click()
    page.locator("#shakespeare-seed input").fill("7")
    page.locator("#shakespeare-generate").click()
    expect(page.locator("#shakespeare-status")).to_contain_text("characters in", timeout=30_000)
    open_hood(page, "shakespeare-hood")
    text = page.locator("#shakespeare-hood-surprise [data-i]")
    expect(text.first).to_be_visible(timeout=15_000)
    assert text.count() == len(page.locator("#shakespeare-output textarea").input_value())
    assert "nats" in text.nth(10).get_attribute("title")
    text.nth(10).click()
    expect(page.locator("#shakespeare-hood-position input")).to_have_value("10")
    expect(page.locator("#shakespeare-hood-candidates")).to_contain_text("%", timeout=15_000)
    expect(page.locator("#shakespeare-hood .hood-caption").filter(has_text="Before character 10").first).to_be_visible()
    expect(page.locator("#shakespeare-hood-cell-text span[style]").first).to_be_visible()
    expect(page.locator("#shakespeare-hood .hood-caption").filter(has_text="Found offline to follow").first).to_be_visible()
    expect_plot(page, "shakespeare-hood-curve")
    expect(page.locator("#shakespeare-hood .hood-caption").filter(has_text="epoch 17's").first).to_be_visible()
    # the pasted text, chosen instead
    page.get_by_text("How Shakespearean is this?").click()
    page.locator("#shakespeare-score-input textarea").fill("To be, or not to be: that is the question.")
    page.locator("#shakespeare-hood-source").get_by_text("the pasted text").click()
    expect(text).to_have_count(len("To be, or not to be: that is the question."), timeout=15_000)


def test_gradio_client_reads_the_panels_after_the_answer(app_url: str, tmp_path: Path):
    """An API client's panel endpoints look at what its session's last answer read."""
    from gradio_client import Client, handle_file

    client = Client(app_url, verbose=False)
    assert client.predict(api_name="/digits_saliency")[1].startswith("Nothing to look at yet")
    path = tmp_path / "seven.png"
    Image.fromarray(draw_sketch("7")).save(path)
    client.predict({"background": None, "layers": [], "composite": handle_file(str(path))}, api_name="/classify_digit")
    picture, caption = client.predict(api_name="/digits_saliency")
    assert Image.open(picture).size == (224, 224) and "**7**" in caption
    frame, _ = client.predict(api_name="/digits_probabilities")
    assert [row[0] for row in frame["data"]] == [*map(str, range(10)), "not a digit"]
    surprise, caption = client.predict("the pasted text", "", "Now is the winter", api_name="/shakespeare_surprise")
    assert surprise.count("data-i=") == len("Now is the winter") and "nats" in caption
