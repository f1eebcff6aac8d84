"""The shared UI pieces: what the tabs tell the browser-side helpers (demos/ui.js), and the page CSS."""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import app
from demos import ui
from demos.completion import tab as completion_tab
from demos.fashion import tab as fashion_tab

pytestmark = pytest.mark.weights


def page_config() -> dict:
    script = ui.page_js(app.PAGE_SCRIPTS)
    assert script.lstrip().startswith("//") and "() => {" in script and "__CONFIG__" not in script
    return json.loads(re.search(r"const CONFIG = (\{.*?\});\n", script).group(1))


def test_every_tab_tells_the_page_script_about_its_elements():
    config = page_config()
    assert set(config["pads"]) == {"digits-sketchpad", "completion-sketchpad"}
    assert all(pad["canvas"] == 280 and pad["result"] and pad["name"] for pad in config["pads"].values())
    assert config["uploads"] == {"digits-sketchpad": "digits-label", "fashion-photo": "fashion-label"}
    assert {"digits-seen", "fashion-seen", "fashion-photo", "completion-picture", "digits-hood-saliency",
            "fashion-hood-maps", "completion-hood-raw"} <= set(config["images"])
    # every example file has an accessible name
    assert set(config["examples"]) == {path.name for path in fashion_tab.EXAMPLES + completion_tab.EXAMPLES}


def test_fashion_example_names_say_what_the_item_is():
    names = {path.name: fashion_tab.example_name(path) for path in fashion_tab.EXAMPLES}
    assert names["t-shirt-top-27-photo.png"] == "Example: T-shirt/top, test item 27, as a product photo"
    assert names["ankle-boot-0.png"] == "Example: Ankle boot, test item 0"
    assert names["photo-outwear-1.jpg"] == "Example: a phone photo of a jacket"


def test_page_css_carries_the_guides_and_the_pad_rules():
    css = app.page_css()
    assert "#completion-sketchpad .pad-paper { background-image: url(data:image/png;base64," in css
    assert ".drawing-pad canvas { touch-action: pan-y !important; }" in css
    assert css.count("{") == css.count("}")


def test_result_shown_js_names_its_result():
    assert ui.result_shown_js("digits-label") == '() => { window.demoResultShown?.("digits-label"); }'


def test_picture_files_are_written_once_whole_whoever_asks():
    """`ui.picture_file` (no server): the same picture asked for by many threads at once is one
    whole file, never rewritten; another picture is another file."""
    pixels = (np.arange(168 * 168) % 251).astype(np.uint8).reshape(168, 168)
    paths: list[str] = []
    threads = [threading.Thread(target=lambda: paths.append(ui.picture_file(pixels, "view"))) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(paths)) == 1
    path = Path(paths[0])
    written = path.stat().st_mtime_ns
    np.testing.assert_array_equal(np.asarray(Image.open(path)), pixels)
    assert not list(path.parent.glob("*.part"))  # no temporary file left behind
    assert ui.picture_file(pixels, "view") == paths[0] and path.stat().st_mtime_ns == written  # not rewritten
    assert ui.picture_file(255 - pixels, "view") != paths[0]
