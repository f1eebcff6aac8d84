"""The running app as clients meet it over HTTP (`gradio_client` and Gradio's plain API): odd inputs
get sentences, identical outputs reach every client whole, and a small crowd gets no errors.
The figures for a real crowd come from `python -m benchmarks.load`, not from here."""

from __future__ import annotations

import asyncio
import threading
from argparse import Namespace
from pathlib import Path

import pytest
from gradio_client import Client, handle_file
from PIL import Image, ImageDraw

from benchmarks import load
from demos import imaging

pytestmark = [pytest.mark.served, pytest.mark.weights]


@pytest.fixture(scope="module")
def client(app_url: str) -> Client:
    return Client(app_url, verbose=False)


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("uploads")
    made = {"junk": folder / "junk.png", "empty": folder / "empty.png", "seven": folder / "seven.png",
            "huge": folder / "huge.png"}
    made["junk"].write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    made["empty"].write_bytes(b"")
    seven = Image.new("RGBA", (280, 280), (255, 255, 255, 255))
    ImageDraw.Draw(seven).line([(70, 60), (210, 60), (120, 230)], fill=(0, 0, 0, 255), width=22)
    seven.save(made["seven"])
    half = Image.new("L", (6000, 6000), 255)
    ImageDraw.Draw(half).arc((1500, 800, 4500, 5200), 90, 270, fill=0, width=500)  # the left half of a 0
    half.save(made["huge"])
    return made


def pad(path: Path) -> dict:
    return {"background": None, "layers": [], "composite": handle_file(str(path))}


def label_of(answer: dict) -> str:
    return answer["label"]


@pytest.mark.parametrize("kind", ["junk", "empty"])
def test_a_file_that_is_no_picture_gets_a_sentence_on_every_image_tab(client: Client, files: dict, kind: str):
    sentence = "Could not read that image: " + imaging.UNREADABLE
    label, seen, note = client.predict(handle_file(str(files[kind])), api_name="/classify_garment")
    assert label_of(label) == sentence and seen is None and note == ""
    label, seen = client.predict(pad(files[kind]), api_name="/classify_digit")
    assert label_of(label) == sentence and seen is None
    picture, label = client.predict(pad(files[kind]), api_name="/complete_digit")
    assert label_of(label) == sentence and picture is None


@pytest.mark.parametrize(("arguments", "named"), [
    (["ROMEO:", None, 0.8, 0, 0], "max_new_chars"), (["ROMEO:", "lots", 0.8, 0, 0], "max_new_chars"),
    (["ROMEO:", 50, "hot", 0, 0], "temperature"), (["ROMEO:", 50, 0.8, 0, "x"], "seed"),
    (["ROMEO:", 50, 0.8, 0, -5], "seed"), (["ROMEO:", 10**9, 0.8, 0, 0], "max_new_chars"),
    ([12, 50, 0.8, 0, 0], "prompt"), (["ROMEO:", 50, 0.8, 2.5, 0], "top_k"),
])
def test_write_refuses_wrong_values_with_a_sentence(client: Client, arguments: list, named: str):
    text, status = client.predict(*arguments, api_name="/write")
    assert text == "" and status.startswith("⚠️") and named in status


def test_the_images_still_read_and_a_huge_completion_upload_is_shrunk_first(client: Client, files: dict):
    label, seen = client.predict(pad(files["seven"]), api_name="/classify_digit")
    assert label_of(label) == "7" and Image.open(seen["path"] if isinstance(seen, dict) else seen).size == (168, 168)
    picture, label = client.predict(pad(files["huge"]), api_name="/complete_digit")
    assert label_of(label) == "0" and Image.open(picture).size == (280, 280)


def test_identical_drawings_reach_every_client_whole(app_url: str, files: dict):
    """Everyone who sends the same drawing gets the same output picture (one file name): 12 clients
    send it back to back and download the picture each time; every download is a whole PNG."""
    failures, pictures = [], []

    def visitor() -> None:
        own = Client(app_url, verbose=False)
        for _ in range(4):
            try:
                _, seen = own.predict(pad(files["seven"]), api_name="/classify_digit")
                with Image.open(seen) as picture:
                    picture.load()
                pictures.append(Path(seen).read_bytes())
            except Exception as error:  # any failure of any client is the finding
                failures.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=visitor) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == [] and len(pictures) == 48 and len(set(pictures)) == 1


def test_a_small_crowd_writing_and_drawing_gets_no_errors_and_the_texts_alone(app_url: str):
    """4 writers press Generate at once while 4 people draw, alone and then beside 2 drawing as the tab
    follows the pen: no errors, every text whole, and each text the one its seed gives alone
    (`CharLSTM.generate`)."""
    args = Namespace(writers=4, drawers=4, live_drawers=2, seconds=3.0, length=200, temperature=0.8, others=0,
                     same_drawing=0, soak=0)
    done: dict[str, load.Tally] = {}
    # a thread with its own event loop: the browser tests' Playwright keeps one running on this thread
    crowd = threading.Thread(target=lambda: done.update(tally=asyncio.run(load.run(args, app_url, pid=None))))
    crowd.start()
    crowd.join(timeout=300)
    tally = done["tally"]
    assert not tally.errors
    assert len(tally.texts) == 4 and len(tally.seconds["classify_digit"]) >= 8
    assert len(tally.seconds["classify_digit_live"]) >= 10  # several readings per stroke
    from demos.shakespeare.predict import load_lstm

    model = load_lstm()
    prompt = model.encode(load.PROMPT)
    assert all(text == model.decode(list(model.generate(prompt, 200, 0.8, None, seed))) for seed, text in tally.texts)
