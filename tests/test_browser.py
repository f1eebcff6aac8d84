"""The app in a real browser: headless Chromium draws on the sketch-pad and reads the label.

Needs Debian's chromium at /usr/bin/chromium and Playwright from PyPI (`.ci/run` installs
both). The page may talk to 127.0.0.1 only.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from tests.browser import chromium, draw_strokes, open_page, running_app, seconds_until_heading
from tests.conftest import DIGIT_STROKES

PAD, LABEL = "#digits-sketchpad", "#digits-label"


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    with running_app() as url:
        yield url


@pytest.fixture
def page(app_url: str) -> Iterator[Page]:
    with chromium() as browser:
        page = open_page(browser, app_url)
        expect(page.locator(f"{PAD} canvas").first).to_be_visible(timeout=30_000)
        expect(page.locator(f"{LABEL} h2")).to_have_text("Draw a digit")
        yield page


def test_drawn_digits_are_read_and_clear_brings_back_the_hint(page: Page):
    latencies = []
    for digit in ("7", "1", "0", "7", "1"):
        draw_strokes(page, PAD, DIGIT_STROKES[digit])
        latencies.append(seconds_until_heading(page, LABEL, digit))
        expect(page.locator(f"{LABEL} h2")).to_have_text(digit)
        expect(page.locator(".model-view img")).to_be_visible()  # "what the model sees"
        page.locator("#digits-clear").click()
        expect(page.locator(f"{LABEL} h2")).to_have_text("Draw a digit")
    median = statistics.median(latencies)
    print(f"\nmouse-up to label, median of {len(latencies)} strokes: {median:.2f} s "
          f"(each: {', '.join(f'{t:.2f}' for t in latencies)})")
    assert median < 3.0, f"the label took {median:.2f} s after mouse-up (target 1.5 s)"


def test_a_speck_gets_a_hint_not_a_guess(page: Page):
    draw_strokes(page, PAD, [[(0.5, 0.5), (0.51, 0.5)]])
    expect(page.locator(f"{LABEL} h2")).to_contain_text("Draw a digit")
    expect(page.locator(f"{LABEL} h2")).to_contain_text("speck")


def test_gradio_client_calls_the_endpoint(app_url: str, tmp_path):
    from gradio_client import Client, handle_file
    from PIL import Image

    from tests.conftest import draw_sketch

    path = tmp_path / "seven.png"
    Image.fromarray(draw_sketch("7")).save(path)
    client = Client(app_url, verbose=False)
    label, seen = client.predict({"background": None, "layers": [], "composite": handle_file(str(path))},
                                 api_name="/classify_digit")
    assert label["label"] == "7" and len(label["confidences"]) == 3
    assert Image.open(seen).size == (168, 168)
