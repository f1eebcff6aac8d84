"""Take the README's screenshots of the running app in headless Chromium.

    python -m benchmarks.screenshots            # writes docs/*.png

Draws a 7 on the Digits tab, uploads an example on the Fashion tab, draws the left half
of a 0 on the completion tab, and saves a picture of each.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from demos.fashion.tab import EXAMPLES as FASHION_EXAMPLES
from tests.browser import REPO_ROOT, chromium, draw_strokes, open_page, running_app
from tests.conftest import DIGIT_STROKES

DOCS = REPO_ROOT / "docs"


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    with running_app() as url, chromium() as browser:
        page = open_page(browser, url, width=1100, height=760)
        expect(page.locator("#digits-sketchpad canvas").first).to_be_visible(timeout=30_000)
        draw_strokes(page, "#digits-sketchpad", DIGIT_STROKES["7"])
        expect(page.locator("#digits-label h2")).to_have_text("7", timeout=15_000)
        page.screenshot(path=DOCS / "digits-tab.png")

        page.get_by_role("tab", name="Fashion").click()
        sneaker = next(path for path in FASHION_EXAMPLES if path.stem == "sneaker-12-photo")
        page.locator("#fashion-photo input[type=file]").set_input_files(str(sneaker))
        expect(page.locator("#fashion-label h2")).to_have_text("Sneaker", timeout=15_000)
        page.screenshot(path=DOCS / "fashion-tab.png")

        page.get_by_role("tab", name="Half-digit completion").click()
        draw_strokes(page, "#completion-sketchpad",
                     [[(0.48, 0.2), (0.36, 0.28), (0.3, 0.5), (0.36, 0.72), (0.48, 0.8)]], extent=0.83)
        expect(page.locator("#completion-picture img")).to_be_visible(timeout=15_000)
        page.wait_for_timeout(500)
        page.screenshot(path=DOCS / "completion-tab.png")
    for name in ("digits-tab", "fashion-tab", "completion-tab"):
        print(f"wrote {Path('docs') / name}.png")


if __name__ == "__main__":
    main()
