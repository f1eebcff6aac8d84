"""Helpers for the browser tests (and the latency benchmark): start the app, drive headless Chromium.

The page may reach nothing but 127.0.0.1: every other request is aborted.
"""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Iterator

import numpy as np
from PIL import Image
from playwright.sync_api import Browser, Page, sync_playwright

from tests.app_process import REPO_ROOT, running_app  # noqa: F401 - the browser tests start the app from here

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Browser, url: str, width: int = 1200, height: int = 1000, phone: bool = False,
              init_script: str | None = None) -> Page:
    """A new page on ``url`` that may reach 127.0.0.1 only; ``phone``: a touch screen, as a phone has;
    ``init_script``: JS run in the page before its own scripts."""
    if phone:
        context = browser.new_context(viewport={"width": width, "height": height}, has_touch=True, is_mobile=True,
                                      device_scale_factor=2)
    else:
        context = browser.new_context(viewport={"width": width, "height": height})
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    # only requests elsewhere are intercepted (and aborted): intercepting the app's own would hold
    # back its streamed responses
    page.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
    page.goto(url)
    return page


def paper_box(page: Page, pad: str) -> dict[str, float]:
    """The client rectangle of a sketch-pad's paper (the white square that is drawn on and exported)."""
    paper = page.locator(f"{pad} .pad-paper")
    paper.wait_for(state="attached", timeout=30_000)
    box = paper.bounding_box()
    assert box is not None and box["width"] > 100, f"{pad}: paper not laid out ({box})"
    return box


def stroke_points(page: Page, pad: str, stroke: list[tuple[float, float]], extent: float,
                  steps: int = 8) -> list[tuple[float, float]]:
    """Fractions (x, y) of the centred ``extent`` part of the pad's paper -> client coordinates, with
    intermediate points every ``steps``-th of a segment, as a real hand makes."""
    box = paper_box(page, pad)
    side = box["width"] * extent
    left, top = box["x"] + (box["width"] - side) / 2, box["y"] + (box["height"] - side) / 2
    points = [(left + x * side, top + y * side) for x, y in stroke]
    path = [points[0]]
    for start, end in zip(points, points[1:]):
        path += [(start[0] + t / steps * (end[0] - start[0]), start[1] + t / steps * (end[1] - start[1]))
                 for t in range(1, steps + 1)]
    return path


def draw_strokes(page: Page, pad: str, strokes: list[list[tuple[float, float]]], extent: float = 0.85,
                 steps: int = 8) -> None:
    """Draw polylines with the mouse on a sketch-pad; points are fractions (x, y) of the centred
    ``extent`` part of its paper. The app chooses the brush itself (Gradio starts the pad with no
    tool), so no tool is clicked here."""
    for stroke in strokes:
        path = stroke_points(page, pad, stroke, extent, steps)
        page.mouse.move(*path[0])
        page.mouse.down()
        for point in path[1:]:
            page.mouse.move(*point)
        page.mouse.up()


def touch_path(page: Page, path: list[tuple[float, float]], pause: float = 0.016) -> None:
    """One finger along ``path`` (client coordinates): real touch events through the browser's input
    pipeline, so a swipe scrolls the page unless the page stops it."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": path[0][0], "y": path[0][1]}]})
        for x, y in path[1:]:
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
            time.sleep(pause)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    finally:
        cdp.detach()


def touch_strokes(page: Page, pad: str, strokes: list[list[tuple[float, float]]], extent: float = 0.85) -> None:
    """`draw_strokes` with a finger."""
    for stroke in strokes:
        touch_path(page, stroke_points(page, pad, stroke, extent))


def ink_on_paper(page: Page, pad: str) -> int:
    """How many screen pixels of the pad's paper are ink-dark (the pad's own rendering, as a visitor sees it)."""
    box = paper_box(page, pad)
    shot = Image.open(io.BytesIO(page.screenshot(clip=box))).convert("L")
    return int((np.asarray(shot) < 60).sum())


def in_viewport(page: Page, selector: str) -> bool:
    """Whether the whole of the first element matching ``selector`` is inside the viewport now."""
    return page.evaluate(
        """(selector) => { const box = document.querySelector(selector)?.getBoundingClientRect();
           return !!box && box.height > 0 && box.top >= 0 && box.bottom <= window.innerHeight
                  && box.left >= 0 && box.right <= window.innerWidth; }""", selector)


def seconds_until_heading(page: Page, container: str, text: str, timeout_ms: float = 15_000) -> float:
    """Seconds until the heading of the gr.Label inside ``container`` reads ``text`` (checked every frame)."""
    started = time.perf_counter()
    page.wait_for_function(
        "([selector, text]) => document.querySelector(selector)?.innerText.trim() === text",
        arg=[f"{container} h2", text], polling="raf", timeout=timeout_ms,
    )
    return time.perf_counter() - started


def live_readings(page: Page, pad: str) -> list[dict]:
    """The pad's readings while drawing so far, as `ui.js` logged them: {sentAt, shownAt, final} (ms,
    the page's clock)."""
    return page.evaluate("(padId) => window.demoLiveStats?.[padId] ?? []", pad.lstrip("#"))


def last_live_drawing(page: Page, pad: str) -> np.ndarray:
    """The last drawing the page sent for a live reading (its hidden textbox), as RGBA pixels."""
    from demos.imaging import pixels_of_png_data_url

    value = page.locator(f"{pad}-live textarea").input_value()
    return pixels_of_png_data_url(value, 280)


class PadExports:
    """The pictures a page's sketch-pads upload when they export their layers (Gradio's own path to
    the pad's event), caught on their way to the server: `latest()` is the last composite."""

    def __init__(self, page: Page) -> None:
        self.pictures: list[np.ndarray] = []
        page.route("**/gradio_api/upload*", self._catch)

    def _catch(self, route) -> None:
        import email.parser
        import email.policy

        request = route.request
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + request.headers["content-type"].encode() + b"\r\n\r\n" + request.post_data_buffer)
        for part in message.iter_parts():  # background.png, layer_0.png, composite.png
            if part.get_filename() == "composite.png":
                self.pictures.append(np.asarray(Image.open(io.BytesIO(part.get_payload(decode=True))).convert("RGBA")))
        route.continue_()

    def settle(self, page: Page, more_than: int, quiet_ms: int = 1500, timeout_ms: int = 20_000) -> None:
        """Wait until more than ``more_than`` pictures came and then none for ``quiet_ms``."""
        waited, last_count, quiet = 0, len(self.pictures), 0
        while waited < timeout_ms and (len(self.pictures) <= more_than or quiet < quiet_ms):
            page.wait_for_timeout(100)
            waited += 100
            quiet = 0 if len(self.pictures) != last_count else quiet + 100
            last_count = len(self.pictures)
        assert len(self.pictures) > more_than and quiet >= quiet_ms, "the pad's exports did not settle"

    def latest(self) -> np.ndarray | None:
        return self.pictures[-1] if self.pictures else None
