"""A visit without snags, on a laptop (mouse, 1280x800) and on a phone (touch, 390x844).

Each test is one snag a new visitor hit, in headless Chromium against the running app:
a pad that jammed after Clear, a "random" text that was always the same, a pad left with no
tool, strokes that did not start, no sign of work while waiting, results out of sight on a
phone, a pad that swallowed the page's scrolling, examples that did not reach the pad,
an honest score, a thumbnail-sized example, and names for screen readers and keyboards.
"""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect

import app
from tests.browser import (
    draw_strokes, in_viewport, ink_on_paper, open_page, paper_box, touch_path, touch_strokes,
)
from tests.conftest import DIGIT_STROKES

pytestmark = [pytest.mark.browser, pytest.mark.weights]

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844, "phone": True}
LEFT_ARC = [[(0.48, 0.2), (0.36, 0.28), (0.3, 0.5), (0.36, 0.72), (0.48, 0.8)]]  # left half of a 0
DIGIT = re.compile(r"^[0-9]$")


def ready(page: Page) -> Page:
    expect(page.locator("#digits-sketchpad canvas").first).to_be_visible(timeout=30_000)
    paper_box(page, "#digits-sketchpad")
    return page


@pytest.fixture
def laptop(app_url: str, browser) -> Iterator[Page]:
    page = ready(open_page(browser, app_url, **DESKTOP))
    yield page
    page.context.close()


@pytest.fixture
def phone(app_url: str, browser) -> Iterator[Page]:
    page = ready(open_page(browser, app_url, **PHONE))
    yield page
    page.context.close()


def open_tab(page: Page, title: str) -> None:
    page.get_by_role("tab", name=title).click()


def wait_for_ink(page: Page, pad: str, timeout: float, minimum: int = 200) -> float:
    """Seconds until the pad shows at least ``minimum`` ink-dark screen pixels; fails after ``timeout``."""
    started = time.perf_counter()
    while (ink := ink_on_paper(page, pad)) < minimum:
        assert time.perf_counter() - started < timeout, f"{pad} drew nothing within {timeout} s ({ink} dark pixels)"
        page.wait_for_timeout(50)
    return time.perf_counter() - started


def digit_photo(path: Path, digit: str = "7", size: tuple[int, int] = (1200, 900)) -> Path:
    """A large 'photo' of a handwritten digit: dark ink on slightly uneven light paper."""
    rng = np.random.default_rng(0)
    paper = (225 + rng.normal(0, 6, (size[1], size[0]))).clip(0, 255).astype(np.uint8)
    image = Image.fromarray(paper).convert("RGB")
    draw = ImageDraw.Draw(image)
    left, top, side = size[0] * 0.35, size[1] * 0.2, size[1] * 0.6
    for stroke in DIGIT_STROKES[digit]:
        draw.line([(left + x * side * 0.6, top + y * side) for x, y in stroke], fill=(30, 30, 40), width=40, joint="curve")
    image.save(path, quality=90)
    return path


# --- 1. Half-digit completion: Clear never jams the pad ---------------------------------------

def test_completion_clear_twenty_times_the_pad_draws_again_within_a_second(laptop: Page):
    page, pad = laptop, "#completion-sketchpad"
    open_tab(page, "Half-digit completion")
    for attempt in range(20):
        draw_strokes(page, pad, LEFT_ARC, extent=1.0)
        wait_for_ink(page, pad, timeout=1.0)
        expect(page.locator("#completion-label h2")).to_have_text(DIGIT, timeout=10_000)
        page.locator("#completion-clear").click()
        expect(page.locator("#completion-label h2")).to_contain_text("left half", timeout=5_000)
        assert ink_on_paper(page, pad) == 0, f"attempt {attempt + 1}: Clear left ink on the pad"
        expect(page.locator(f"{pad} .pad-paper")).to_be_visible()  # the guides stay
    expect(page.locator("#completion-picture img")).to_have_count(0)


# --- 2. Shakespeare: a new text each time unless a seed is given ------------------------------

def test_two_default_generates_write_different_texts_and_show_their_seeds(laptop: Page):
    page = laptop
    open_tab(page, "Shakespeare")
    expect(page.locator("#shakespeare-seed")).to_contain_text("0 = a new text each time")
    length = page.locator("#shakespeare-length input[type=number]")
    length.fill("100")
    length.press("Enter")
    output, status = page.locator("#shakespeare-output textarea"), page.locator("#shakespeare-status")
    texts, seeds = [], []
    for _ in range(2):
        # the status ends "N characters in T s (seed S ...)" once a text is done (its timer text changes too)
        page.locator("#shakespeare-generate").click()
        page.wait_for_function("([selector, seen]) => { const m = document.querySelector(selector).textContent"
                               ".match(/100 characters in [0-9.]+ s \\(seed (\\d+)/); return m && !seen.includes(m[1]); }",
                               arg=["#shakespeare-status", seeds], timeout=15_000)
        texts.append(output.input_value())
        seeds.append(re.search(r"\(seed (\d+)", status.text_content()).group(1))
    assert texts[0] != texts[1] and seeds[0] != seeds[1]
    # the seed shown gives the same text again
    seed_box = page.locator("#shakespeare-seed input")
    seed_box.fill(seeds[0])
    seed_box.press("Tab")
    page.locator("#shakespeare-generate").click()
    expect(status).to_contain_text(f"seed {seeds[0]}", timeout=15_000)
    expect(status).to_contain_text("100 characters in", timeout=15_000)
    assert output.input_value() == texts[0]


# --- 3. Digits: the pad's own trash icon leaves the brush chosen ------------------------------

def test_after_the_trash_icon_a_stroke_draws(laptop: Page):
    page, pad = laptop, "#digits-sketchpad"
    draw_strokes(page, pad, DIGIT_STROKES["1"])
    expect(page.locator("#digits-label h2")).to_have_text("1", timeout=10_000)
    page.locator(f"{pad} button[aria-label='Clear canvas']").click()
    expect(page.locator("#digits-label h2")).to_have_text("Draw a digit", timeout=10_000)
    assert ink_on_paper(page, pad) == 0
    draw_strokes(page, pad, DIGIT_STROKES["7"])
    wait_for_ink(page, pad, timeout=1.0)
    expect(page.locator("#digits-label h2")).to_have_text("7", timeout=10_000)


# --- 4. A stroke that starts just outside the paper draws; the paper stands out ----------------

def test_a_stroke_starting_just_outside_the_paper_draws(laptop: Page):
    page, pad = laptop, "#digits-sketchpad"
    box = paper_box(page, pad)
    # a 1 whose stroke starts 12 px above the paper's top edge
    x, top = box["x"] + box["width"] * 0.5, box["y"] - 12
    page.mouse.move(x, top)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(x - step * 0.5, top + step * (box["height"] * 0.85 / 24))
    page.mouse.up()
    wait_for_ink(page, pad, timeout=1.0)
    expect(page.locator("#digits-label h2")).to_have_text("1", timeout=10_000)


def test_the_paper_stands_out_from_its_frame(laptop: Page):
    page, pad = laptop, "#digits-sketchpad"
    box = paper_box(page, pad)
    shot = np.asarray(Image.open(io.BytesIO(page.screenshot())).convert("L"), dtype=float)
    paper = shot[int(box["y"]) + 10 : int(box["y"] + box["height"]) - 10, int(box["x"]) + 10 : int(box["x"] + box["width"]) - 10]
    frame = shot[int(box["y"]) + 10 : int(box["y"] + box["height"]) - 10, int(box["x"] + box["width"]) + 8 : int(box["x"] + box["width"]) + 24]
    assert paper.mean() > 250 and paper.mean() - frame.mean() >= 12, (paper.mean(), frame.mean())


# --- 5. A sign of work between a stroke (or an upload) and the answer -------------------------

def test_the_result_says_it_is_coming_right_after_a_stroke_and_an_upload(laptop: Page, tmp_path: Path):
    page, pad, label = laptop, "#digits-sketchpad", "#digits-label"
    coming = f"{label}.demo-pending"
    draw_strokes(page, pad, DIGIT_STROKES["7"])
    expect(page.locator(coming)).to_have_count(1, timeout=200)  # within a frame or two of mouse-up
    assert page.evaluate("getComputedStyle(document.querySelector('#digits-label'), '::after').content") == '"Reading…"'
    expect(page.locator(f"{label} h2")).to_have_text("7", timeout=10_000)
    expect(page.locator(coming)).to_have_count(0, timeout=2_000)
    page.locator("#digits-clear").click()
    expect(page.locator(f"{label} h2")).to_have_text("Draw a digit", timeout=10_000)
    # a 1200x900 photo of a digit, uploaded into the pad
    page.locator(f"{pad} input[type=file]").set_input_files(str(digit_photo(tmp_path / "seven.jpg")))
    expect(page.locator(coming)).to_have_count(1, timeout=300)
    expect(page.locator(f"{label} h2")).to_have_text("7", timeout=15_000)
    expect(page.locator(coming)).to_have_count(0, timeout=2_000)


# --- 6. On a phone the answer is in view with the input, and every tab is one tap away --------

def test_phone_all_four_tabs_are_one_tap_away(phone: Page):
    tabs = phone.get_by_role("tab")
    assert [tab.inner_text().strip() for tab in tabs.all()] == [tab.title for tab in app.TABS]
    assert all(tab.is_visible() and in_viewport(phone, f"#{tab.get_attribute('id')}") for tab in tabs.all())
    assert not phone.get_by_role("button", name="More tabs").is_visible()
    for title in reversed([tab.title for tab in app.TABS]):
        tabs.filter(has_text=title).tap()
        expect(phone.get_by_role("tab", name=title)).to_have_attribute("aria-selected", "true")


def scroll_to_top_of(page: Page, selector: str) -> None:
    """Scroll as a visitor does before using an input: its top at the top of the screen."""
    page.evaluate("(s) => document.querySelector(s).scrollIntoView({block: 'start'})", selector)
    page.wait_for_timeout(300)


def test_phone_digit_drawn_with_a_finger_is_read_in_view(phone: Page):
    page, pad = phone, "#digits-sketchpad"
    scroll_to_top_of(page, pad)
    touch_strokes(page, pad, DIGIT_STROKES["7"])
    expect(page.locator("#digits-label h2")).to_have_text("7", timeout=10_000)
    assert in_viewport(page, "#digits-label h2") and in_viewport(page, f"{pad} .pad-paper")


def test_phone_completion_is_in_view_with_the_pad(phone: Page):
    page, pad = phone, "#completion-sketchpad"
    open_tab(page, "Half-digit completion")
    paper_box(page, pad)
    scroll_to_top_of(page, pad)
    touch_strokes(page, pad, LEFT_ARC, extent=1.0)
    expect(page.locator("#completion-label h2")).to_have_text(DIGIT, timeout=10_000)
    expect(page.locator("#completion-picture img")).to_be_visible()
    assert in_viewport(page, "#completion-label h2") and in_viewport(page, f"{pad} .pad-paper")
    assert in_viewport(page, "#completion-picture img")


def test_phone_fashion_prediction_is_in_view_with_the_photo(phone: Page):
    from demos.fashion.tab import PHOTO_EXAMPLES

    page = phone
    open_tab(page, "Fashion")
    scroll_to_top_of(page, "#fashion-photo")
    trousers = next(path for path in PHOTO_EXAMPLES if path.stem == "photo-pants-1")  # a phone photo
    page.locator("#fashion-photo input[type=file]").set_input_files(str(trousers))
    expect(page.locator("#fashion-label h2")).to_have_text("Trouser", timeout=15_000)
    assert in_viewport(page, "#fashion-label h2")
    photo = page.locator("#fashion-photo img").bounding_box()
    assert photo is not None and photo["y"] >= 0 and photo["y"] + photo["height"] / 2 < PHONE["height"]


# --- 7. On a phone the pad does not swallow the page ------------------------------------------

def test_phone_a_swipe_off_the_paper_scrolls_and_a_stroke_on_it_draws(phone: Page):
    page, pad = phone, "#digits-sketchpad"
    frame = page.locator(pad).bounding_box()
    paper = paper_box(page, pad)
    # the tool strip does not cover the paper
    tools = page.locator(f"{pad} .toolbar-wrap").bounding_box()
    assert tools["x"] + tools["width"] <= paper["x"], (tools, paper)
    # a swipe up starting on the frame below the paper scrolls the page
    x = paper["x"] + paper["width"] / 2
    start = (frame["y"] + frame["height"] + paper["y"] + paper["height"]) / 2 + 10
    touch_path(page, [(x, start - dy) for dy in range(0, 160, 16)])
    page.wait_for_timeout(400)
    scrolled = page.evaluate("window.scrollY")
    assert scrolled > 60, f"a swipe on the pad's frame scrolled the page by {scrolled} px"
    assert ink_on_paper(page, pad) == 0
    # a stroke on the paper draws and does not scroll
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    touch_strokes(page, pad, DIGIT_STROKES["1"])
    page.wait_for_timeout(300)
    assert page.evaluate("window.scrollY") == 0
    wait_for_ink(page, pad, timeout=1.0)
    expect(page.locator("#digits-label h2")).to_have_text("1", timeout=10_000)


# --- 8. A completion example goes onto the pad, and can be extended ---------------------------

def test_completion_example_is_put_on_the_pad_and_can_be_extended(laptop: Page):
    page, pad = laptop, "#completion-sketchpad"
    open_tab(page, "Half-digit completion")
    paper_box(page, pad)
    page.locator("#completion-tab .gallery-item").first.click()  # the left half of a 2
    expect(page.locator("#completion-label h2")).to_have_text(DIGIT, timeout=15_000)
    wait_for_ink(page, pad, timeout=5.0, minimum=1000)
    before = ink_on_paper(page, pad)
    draw_strokes(page, pad, [[(0.2, 0.9), (0.45, 0.9)]], extent=1.0)  # a bar below it
    wait_for_ink(page, pad, timeout=2.0, minimum=before + 300)
    page.locator("#completion-clear").click()
    expect(page.locator("#completion-label h2")).to_contain_text("left half", timeout=5_000)
    assert ink_on_paper(page, pad) == 0
    # the same example again, after Clear: it comes back
    page.locator("#completion-tab .gallery-item").first.click()
    expect(page.locator("#completion-label h2")).to_have_text(DIGIT, timeout=15_000)
    wait_for_ink(page, pad, timeout=5.0, minimum=1000)


# --- 9. The score speaks plainly: tests/test_browser.py::test_shakespeare_scores_pasted_text ---------


# --- 10. A 28x28 example fills the photo box -------------------------------------------------

def test_a_28_pixel_example_fills_the_photo_box(laptop: Page):
    page = laptop
    open_tab(page, "Fashion")
    page.get_by_role("button", name="Example: Ankle boot, test item 0").click()
    expect(page.locator("#fashion-label h2")).to_have_text("Ankle boot", timeout=15_000)
    shown = page.locator("#fashion-photo img").bounding_box()
    assert shown["width"] >= 250 and shown["height"] >= 250, shown


# --- 11. Names for screen readers, arrow keys for the tabs ------------------------------------

def test_accessible_names_and_arrow_keys(laptop: Page):
    page = laptop
    canvas = page.locator("#digits-sketchpad canvas").first
    expect(canvas).to_have_attribute("aria-label", re.compile("draw one digit"))
    draw_strokes(page, "#digits-sketchpad", DIGIT_STROKES["7"])
    expect(page.locator("#digits-label h2")).to_have_text("7", timeout=10_000)
    expect(page.locator("#digits-seen img")).to_have_attribute("alt", re.compile("What the model sees"))
    open_tab(page, "Fashion")
    items = page.locator("#fashion-tab .gallery-item")
    expect(items.first).to_have_attribute("aria-label", "Example: a phone photo of a dress")
    assert all(item.get_attribute("aria-label") for item in items.all())
    items.nth(1).click()
    expect(page.locator("#fashion-seen img")).to_have_attribute("alt", re.compile("28 by 28"), timeout=15_000)
    expect(page.locator("#fashion-photo img")).to_have_attribute("alt", "Your photo")
    open_tab(page, "Half-digit completion")
    expect(page.locator("#completion-tab .gallery-item").first).to_have_attribute("aria-label", re.compile("left half of a 2"))
    # keyboard: arrows move along the tabs, Home and End jump to the ends
    page.get_by_role("tab", name="Digits").focus()
    for key, expected in [("ArrowRight", "Fashion"), ("ArrowRight", "Half-digit completion"), ("End", "Shakespeare"),
                          ("ArrowRight", "Digits"), ("ArrowLeft", "Shakespeare"), ("Home", "Digits")]:
        page.keyboard.press(key)
        expect(page.get_by_role("tab", name=expected)).to_have_attribute("aria-selected", "true")
        assert page.evaluate("document.activeElement.innerText.trim()") == expected
