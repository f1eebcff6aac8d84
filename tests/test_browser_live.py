"""The drawing tabs follow the pen (demos.ui.LivePad): readings while drawing, the answer as the pen
lifts, latest wins on a slow network, and the same answers as the pad's own export.

The figures (updates per second, mouse-up to label) come from `python -m benchmarks.browser_latency`;
these tests check the behaviour, with budgets loose enough for a slow machine.
"""

from __future__ import annotations

import statistics

import numpy as np
import pytest
from playwright.sync_api import Page, expect

from demos.completion.predict import complete_drawing
from demos.digits.predict import read_drawing
from tests.browser import (PadExports, draw_strokes, last_live_drawing, live_readings, open_page, seconds_until_heading,
                           stroke_points)
from tests.conftest import DIGIT_STROKES, TEN_DIGIT_STROKES, varied_strokes

pytestmark = [pytest.mark.browser, pytest.mark.weights]

DIGITS, COMPLETION = "#digits-sketchpad", "#completion-sketchpad"


def heading(page: Page, result: str) -> str:
    return page.locator(f"{result} h2").inner_text().strip()


def answer_of(reading) -> str:
    """What a label shows for a `Reading`/`Completion`: its sentence, or its top class."""
    if reading.message:
        return reading.message
    return max(reading.probabilities, key=reading.probabilities.get)


def page_clock(page: Page) -> float:
    return page.evaluate("() => performance.now()")


def wait_for_final_reading(page: Page, pad: str, since: float) -> None:
    """Until the page has shown the reading of a finished drawing, sent after ``since`` (`page_clock`)."""
    page.wait_for_function(
        "([padId, since]) => (window.demoLiveStats?.[padId] ?? []).some(r => r.final && r.sentAt > since)",
        arg=[pad.lstrip("#"), since], timeout=15_000)


def clear(page: Page, button: str, result: str, hint: str) -> None:
    page.locator(button).click()
    expect(page.locator(f"{result} h2")).to_contain_text(hint, timeout=15_000)


def test_the_label_follows_a_slow_stroke_before_the_pen_lifts(page: Page):
    path = stroke_points(page, DIGITS, DIGIT_STROKES["1"][0], 0.85, steps=20)
    page.mouse.move(*path[0])
    page.mouse.down()
    for point in path[1:]:
        page.mouse.move(*point)
        page.wait_for_timeout(40)
    # still drawing: the label has already left the hint, and readings came back meanwhile
    assert heading(page, "#digits-label") != "Draw a digit"
    during = live_readings(page, DIGITS)
    assert len(during) >= 3 and not any(reading["final"] for reading in during)
    page.mouse.up()
    seconds_until_heading(page, "#digits-label", "1")


def test_the_final_label_comes_as_the_pen_lifts(page: Page):
    latencies = []
    for digit in ("7", "1", "0"):
        before = page_clock(page)
        draw_strokes(page, DIGITS, DIGIT_STROKES[digit])
        latencies.append(seconds_until_heading(page, "#digits-label", digit))
        wait_for_final_reading(page, DIGITS, before)
        clear(page, "#digits-clear", "#digits-label", "Draw a digit")
    # the target (0.25 s median) is measured by benchmarks.browser_latency; the pad's own export took 0.84 s
    assert statistics.median(latencies) < 0.5, latencies


SLOW_NETWORK = """
window.liveFetches = { inFlight: 0, most: 0, order: [] };
const pageFetch = window.fetch.bind(window);
window.fetch = async (resource, init) => {
  const live = typeof init?.body === "string" && init.body.includes("data:image/png;base64,");
  if (!live) return pageFetch(resource, init);
  const fetches = window.liveFetches;
  fetches.inFlight += 1;
  fetches.most = Math.max(fetches.most, fetches.inFlight);
  try {
    const response = await pageFetch(resource, init);
    await new Promise((resolve) => setTimeout(resolve, 700));  // a slow network or a busy server
    return response;
  } finally {
    fetches.inFlight -= 1;
  }
};
"""


def test_latest_wins_on_a_slow_network_and_the_pads_own_answer_never_overwrites_it(browser, app_url: str):
    page = open_page(browser, app_url, init_script=SLOW_NETWORK)
    try:
        expect(page.locator(f"{DIGITS} canvas").first).to_be_visible(timeout=30_000)
        # two strokes of a 7, the second right after the first: the first alone is a bar
        draw_strokes(page, DIGITS, [[(0.1, 0.05), (0.9, 0.05)], [(0.9, 0.05), (0.4, 1.0)]])
        seconds_until_heading(page, "#digits-label", "7", timeout_ms=20_000)
        page.wait_for_timeout(3000)  # the pad's own export of each stroke has come and gone meanwhile
        assert heading(page, "#digits-label") == "7"
        fetches = page.evaluate("() => window.liveFetches")
        readings = live_readings(page, DIGITS)
        assert fetches["most"] == 1  # never two readings of one pad in flight
        assert len(readings) < 12  # waiting drawings were replaced, not queued (the strokes took longer)
        assert readings[-1]["final"]
        sent = [reading["sentAt"] for reading in readings]
        assert sent == sorted(sent)
    finally:
        page.context.close()


def test_undo_hands_the_answer_back_to_the_pad(page: Page):
    draw_strokes(page, DIGITS, DIGIT_STROKES["1"])
    seconds_until_heading(page, "#digits-label", "1")
    draw_strokes(page, DIGITS, [[(0.15, 0.1), (0.55, 0.0)]])  # a flag: no 1 any more
    expect(page.locator("#digits-label h2")).not_to_have_text("1", timeout=15_000)
    page.locator(f"{DIGITS} button[aria-label='Undo']").click()
    seconds_until_heading(page, "#digits-label", "1")  # the pad's export of the drawing after undo
    clear(page, "#digits-clear", "#digits-label", "Draw a digit")
    # cleared, the page follows the pen again
    before = page_clock(page)
    draw_strokes(page, DIGITS, DIGIT_STROKES["7"])
    seconds_until_heading(page, "#digits-label", "7")
    wait_for_final_reading(page, DIGITS, before)


def drawings(count: int, seed: int, left_half: bool = False) -> list[list[list[tuple[float, float]]]]:
    """``count`` varied drawings of the ten digits (squeezed into the left half for the completion pad)."""
    rng = np.random.default_rng(seed)
    digits = sorted(TEN_DIGIT_STROKES)
    made = []
    for index in range(count):
        strokes = varied_strokes(TEN_DIGIT_STROKES[digits[index % len(digits)]], rng)
        if left_half:  # x in [0.1, 0.5] of the paper: where the completion pad reads
            strokes = [[(0.12 + 0.38 * x, y) for x, y in stroke] for stroke in strokes]
        made.append(strokes)
    return made


@pytest.mark.parametrize(("tab", "pad", "result", "clear_button", "hint", "read", "count", "left_half"), [
    (None, DIGITS, "#digits-label", "#digits-clear", "Draw a digit", read_drawing, 50, False),
    ("Half-digit completion", COMPLETION, "#completion-label", "#completion-clear", "left half", complete_drawing, 12,
     True),
])
def test_the_reading_after_the_pen_lifts_is_the_pads_own(page: Page, tab, pad, result, clear_button, hint, read,
                                                         count, left_half):
    if tab:
        page.get_by_role("tab", name=tab).click()
        expect(page.locator(f"{pad} canvas").first).to_be_visible(timeout=30_000)
    exports = PadExports(page)
    differing, compared = [], 0
    for index, strokes in enumerate(drawings(count, seed=26, left_half=left_half)):
        exported = len(exports.pictures)
        draw_strokes(page, pad, strokes[:-1], extent=1.0, steps=3)
        before = page_clock(page)  # the reading as the last stroke's pen lifts is the one that counts
        draw_strokes(page, pad, strokes[-1:], extent=1.0, steps=3)
        wait_for_final_reading(page, pad, before)
        exports.settle(page, more_than=exported)  # the pad exports while drawing too: its last is the drawing
        shown = heading(page, result)  # once the pad's own answers have come and gone too
        own, live = answer_of(read(exports.latest())), answer_of(read(last_live_drawing(page, pad)))
        compared += 1
        if not (shown == live == own):
            differing.append((index, shown, live, own))
        clear(page, clear_button, result, hint)
    assert compared == count
    assert not differing, differing
