"""Take the README's screenshots of the running app in headless Chromium.

    python -m benchmarks.screenshots                       # writes docs/*.png
    python -m benchmarks.screenshots --tabs shakespeare    # only some of them

Draws a 7 on the Digits tab, uploads a real phone photo on the Fashion tab, draws the left half
of a 0 on the completion tab, lets the LSTM write with seed 1 on the Shakespeare tab, and
saves a picture of each, then opens the tab's "Under the hood" panel and saves its first 1,100 px
(docs/<tab>-hood.png); then draws a 7 with a finger on a phone-sized screen (390x844, touch) for
docs/phone-digits.png.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

from PIL import Image
from playwright.sync_api import Page, expect

from demos import imaging
from demos.fashion.tab import PHOTO_EXAMPLES
from tests.browser import REPO_ROOT, chromium, draw_strokes, open_page, running_app, touch_strokes
from tests.conftest import DIGIT_STROKES

DOCS = REPO_ROOT / "docs"


def digits(page: Page) -> None:
    draw_strokes(page, "#digits-sketchpad", DIGIT_STROKES["7"])
    expect(page.locator("#digits-label h2")).to_have_text("7", timeout=15_000)


def phone_digits(page: Page) -> None:
    """On a phone, scrolled to the pad as a visitor would, a 7 drawn with a finger."""
    page.evaluate("document.querySelector('#digits-sketchpad').scrollIntoView({block: 'start'})")
    page.wait_for_timeout(300)
    touch_strokes(page, "#digits-sketchpad", DIGIT_STROKES["7"])
    expect(page.locator("#digits-label h2")).to_have_text("7", timeout=15_000)
    page.wait_for_timeout(300)


def fashion(page: Page) -> None:
    """A real phone photo (a T-shirt on a carpet) and what the photo network sees of it."""
    page.get_by_role("tab", name="Fashion").click()
    t_shirt = next(path for path in PHOTO_EXAMPLES if path.stem == "photo-t-shirt-1")
    page.locator("#fashion-photo input[type=file]").set_input_files(str(t_shirt))
    expect(page.locator("#fashion-label h2")).to_have_text("T-shirt/top", timeout=15_000)
    expect(page.locator("#fashion-seen img")).to_be_visible()


def completion(page: Page) -> None:
    page.get_by_role("tab", name="Half-digit completion").click()
    draw_strokes(page, "#completion-sketchpad",
                 [[(0.48, 0.2), (0.36, 0.28), (0.3, 0.5), (0.36, 0.72), (0.48, 0.8)]], extent=1.0)
    expect(page.locator("#completion-picture img")).to_be_visible(timeout=15_000)
    page.wait_for_timeout(500)


def shakespeare(page: Page) -> None:
    page.get_by_role("tab", name="Shakespeare").click()
    page.locator("#shakespeare-seed input").fill("1")
    length = page.locator("#shakespeare-length input[type=number]")
    length.fill("400")
    length.press("Enter")
    page.locator("#shakespeare-generate").click()
    expect(page.locator("#shakespeare-status")).to_contain_text("characters in", timeout=30_000)


HOOD_HEIGHT = 1100  # px of a panel kept in its screenshot: the visitor's own visuals and the first curves


def write(screenshot: bytes, name: str) -> None:
    """Save a screenshot under docs/ as a small palette PNG (`imaging.save_small_png`)."""
    with Image.open(io.BytesIO(screenshot)) as picture:
        imaging.save_small_png(picture, DOCS / name)
    print(f"wrote {Path('docs') / name}")


def hood(page: Page, tab: str) -> None:
    """Open the tab's panel, wait until its visuals are drawn, and save its top part."""
    panel = page.locator(f"#{tab}-hood")
    panel.get_by_text("Under the hood").click()
    expect(panel.locator(".hood-caption").first).not_to_contain_text("Nothing to look at", timeout=15_000)
    expect(panel.locator("canvas, svg").first).to_be_visible(timeout=15_000)
    page.wait_for_timeout(1500)  # plots and pictures finish drawing
    panel.scroll_into_view_if_needed()
    box = panel.bounding_box()
    write(page.screenshot(full_page=True,
                          clip={"x": box["x"], "y": box["y"] + page.evaluate("window.scrollY"), "width": box["width"],
                                "height": min(box["height"], HOOD_HEIGHT)}), f"{tab}-hood.png")


TABS = {"digits-tab": digits, "fashion-tab": fashion, "completion-tab": completion, "shakespeare-tab": shakespeare}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = [name.removesuffix("-tab") for name in TABS] + ["phone"]
    parser.add_argument("--tabs", nargs="+", choices=names, default=names)
    args = parser.parse_args(argv)
    DOCS.mkdir(exist_ok=True)
    with running_app() as url, chromium() as browser:
        page = open_page(browser, url, width=1100, height=760)
        expect(page.locator("#digits-sketchpad canvas").first).to_be_visible(timeout=30_000)
        for name, show in TABS.items():
            if name.removesuffix("-tab") in args.tabs:
                show(page)
                write(page.screenshot(), f"{name}.png")
                hood(page, name.removesuffix("-tab"))
                page.evaluate("window.scrollTo(0, 0)")
        if "phone" in args.tabs:
            phone = open_page(browser, url, width=390, height=844, phone=True)
            expect(phone.locator("#digits-sketchpad canvas").first).to_be_visible(timeout=30_000)
            phone_digits(phone)
            write(phone.screenshot(), "phone-digits.png")


if __name__ == "__main__":
    main()
