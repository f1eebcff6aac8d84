"""Helpers for the browser tests (and the latency benchmark): start the app, drive headless Chromium.

The page may reach nothing but 127.0.0.1: every other request is aborted.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from playwright.sync_api import Browser, Page, sync_playwright

REPO_ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(timeout: float = 180.0) -> Iterator[str]:
    """`python app.py` on a free 127.0.0.1 port; yields its URL, stops it afterwards."""
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
           "GRADIO_ANALYTICS_ENABLED": "False", "DEMOS_DEVICE": "cpu", "HF_HUB_OFFLINE": "1"}
    log = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, "app.py"], cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                log.seek(0)
                output = log.read().decode(errors="replace")[-3000:]
                raise RuntimeError(f"app.py exited with code {process.returncode} before serving:\n{output}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"app.py did not serve {url} within {timeout:.0f} s") from None
                time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextlib.contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Browser, url: str, width: int = 1200, height: int = 1000) -> Page:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("http://127.0.0.1")
               else route.abort())
    page.goto(url)
    return page


def draw_strokes(page: Page, container: str, strokes: list[list[tuple[float, float]]], extent: float = 0.7) -> None:
    """Draw polylines with the mouse on a sketch-pad; points are fractions (x, y) of its drawing area.

    The drawing area is the largest centred square of the canvas element, shrunk by ``extent``.
    The app chooses the brush itself (Gradio starts the pad with no tool), so no tool is clicked here.
    """
    box = page.locator(f"{container} canvas").first.bounding_box()
    assert box is not None, "sketch-pad canvas not visible"
    side = min(box["width"], box["height"]) * extent
    left = box["x"] + (box["width"] - side) / 2
    top = box["y"] + (box["height"] - side) / 2
    for stroke in strokes:
        points = [(left + x * side, top + y * side) for x, y in stroke]
        page.mouse.move(*points[0])
        page.mouse.down()
        for start, end in zip(points, points[1:]):
            for step in range(1, 9):  # intermediate moves, as a real hand makes
                t = step / 8
                page.mouse.move(start[0] + t * (end[0] - start[0]), start[1] + t * (end[1] - start[1]))
        page.mouse.up()


def seconds_until_heading(page: Page, container: str, text: str, timeout_ms: float = 15_000) -> float:
    """Seconds until the heading of the gr.Label inside ``container`` reads ``text`` (checked every frame)."""
    started = time.perf_counter()
    page.wait_for_function(
        "([selector, text]) => document.querySelector(selector)?.innerText.trim() === text",
        arg=[f"{container} h2", text], polling="raf", timeout=timeout_ms,
    )
    return time.perf_counter() - started
