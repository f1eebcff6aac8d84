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


def test_checked_components_describe_the_same_api_as_gradios_own():
    import gradio as gr

    assert ui.Photo(type="filepath").api_info() == gr.Image(type="filepath").api_info()
    assert ui.Number(precision=0).api_info() == gr.Number(precision=0).api_info()
    assert ui.Slider(0, 9, step=1).api_info() == gr.Slider(0, 9, step=1).api_info()
    pad = ui.sketchpad("pad", "Draw", 280, 10)
    assert pad.api_info() == gr.Sketchpad(type="numpy", image_mode="RGBA", canvas_size=(280, 280), layers=False,
                                          transforms=(), fixed_canvas=True).api_info()


@pytest.mark.parametrize("value", [None, "lots", [1, 2]])
def test_a_checked_slider_answers_a_value_of_the_wrong_kind_with_a_sentence(value):
    import gradio as gr

    with pytest.raises(gr.Error, match="This input takes a number, not ") as refused:
        ui.Slider(0, 9, step=1).preprocess(value)
    assert ("None" if value is None else repr(value)) in refused.value.message
    assert ui.Slider(0, 9, step=1).preprocess(4) == 4


@pytest.mark.parametrize("value", ["lots", 2.5, [1, 2]])
def test_a_checked_pictures_validation_answers_with_a_sentence(value):
    import gradio as gr

    with pytest.raises(gr.Error, match="This input takes a picture, handle_file"):
        ui.Photo.data_model.model_validate(value, context={"validate_meta": True})
    good = {"path": "x.png", "meta": {"_type": "gradio.FileData"}}
    assert ui.Photo.data_model.model_validate(good, context={"validate_meta": True}).path == "x.png"


def png_data_url(pixels: np.ndarray) -> str:
    import base64
    import io as io_module

    encoded = io_module.BytesIO()
    Image.fromarray(pixels).save(encoded, format="PNG")
    return "data:image/png;base64," + base64.b64encode(encoded.getvalue()).decode()


def test_a_live_drawing_decodes_to_the_pads_pixels():
    from demos import imaging
    from tests.conftest import draw_sketch

    sketch = draw_sketch("7")
    assert np.array_equal(imaging.pixels_of_png_data_url(png_data_url(sketch), 280), sketch)


@pytest.mark.parametrize(("value", "says"), [
    (None, "PNG data URL"), (7, "PNG data URL"), ("lots", "PNG data URL"),
    ("data:image/png;base64,not base64!", "not a PNG picture"),
    ("data:image/png;base64," + "iVBORw0KGgo=", "not a PNG picture"),
    ("data:image/png;base64," + "A" * 400_000, "larger than"),
])
def test_a_live_drawing_that_is_no_pad_picture_gets_a_sentence(value, says):
    from demos import imaging

    with pytest.raises(ValueError, match=says):
        imaging.pixels_of_png_data_url(value, 280)


def test_a_live_drawing_of_another_size_is_refused_before_it_is_decoded():
    from demos import imaging

    with pytest.raises(ValueError, match="280x280 pixels, not 28x28"):
        imaging.pixels_of_png_data_url(png_data_url(np.zeros((28, 28, 4), np.uint8)), 280)


def test_the_pads_own_event_answers_only_what_the_page_does_not_follow():
    from tests.conftest import draw_sketch, sketch_value

    white = np.full((280, 280, 4), 255, np.uint8)  # what the pad sends as its background when it has none
    drawn = {**sketch_value(draw_sketch("7")), "background": white}
    photo = {**drawn, "background": draw_sketch("1", background="white")}
    assert ui.pad_answers(drawn, following=False)  # no live readings: an API call, undo, ?live=off
    assert not ui.pad_answers(drawn, following=True)  # the live readings answered it
    assert ui.pad_answers(photo, following=True)  # an upload or an example: the pad answers
    assert not ui.holds_a_picture(drawn) and ui.holds_a_picture(photo) and not ui.holds_a_picture(None)


def test_both_drawing_tabs_have_a_live_endpoint_beside_their_own():
    names = {function.api_name for function in app.build_app().fns.values()}
    assert {"classify_digit", "classify_digit_live", "complete_digit", "complete_digit_live"} <= names
