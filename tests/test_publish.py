"""`python -m training.publish`: the plan it prints offline, what it sends the Hub (a recording fake of
`huggingface_hub.HfApi`), and the whole path: the Space it uploads, materialised in a folder of its
own with its variables and its models served from the fake Hub, starts and answers on all four tabs."""

from __future__ import annotations

import posixpath
import shutil
import socket
from pathlib import Path

import huggingface_hub
import pytest
from gradio_client import Client, handle_file
from huggingface_hub import SpaceCard
from PIL import Image, ImageDraw

from demos import runtime
from tests.app_process import REPO_ROOT, serve_app
from tests.fake_hub import FakeHub
from training import cards, publish

SECRET = "hf_secret_token_value_456"
WEIGHT_NAMES = sorted(p.name for p in (REPO_ROOT / "weights").iterdir() if p.is_dir())


@pytest.fixture
def hub(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeHub:
    fake = FakeHub(tmp_path / "hub")
    monkeypatch.setattr(huggingface_hub, "HfApi", fake.api)
    monkeypatch.setenv("HF_TOKEN", SECRET)
    return fake


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the network was used")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(huggingface_hub, "HfApi", refuse)


def test_every_model_folder_has_a_repo_and_a_card():
    assert sorted(publish.MODEL_REPOS) == WEIGHT_NAMES == sorted(cards.CARDS)


@pytest.mark.weights
def test_dry_run_prints_the_whole_plan_and_touches_no_network(no_network: None, capsys: pytest.CaptureFixture):
    publish.main(["--owner", "me", "--dry-run"])
    out = capsys.readouterr().out
    for name, repo in publish.MODEL_REPOS.items():
        assert f"model me/{repo} (public) <- weights/{name}" in out
        for path in (REPO_ROOT / "weights" / name).iterdir():
            assert path.name in out
        assert f"{runtime.hub_repo_variable(name)}=me/{repo}" in out
    assert "Space (Gradio, cpu-basic) me/deep-learning-demos (public)" in out
    for relative in publish.space_sources(REPO_ROOT):
        assert f"    {relative.as_posix()} " in out
    assert "Total: 6 repos, " in out and " MB" in out
    # every file line ends with its size
    file_lines = [line for line in out.splitlines() if line.startswith("    ")]
    assert file_lines and all(line.rstrip().endswith(("B", "kB", "MB")) for line in file_lines)


def test_the_space_gets_the_app_and_its_pictures_but_no_tests_benchmarks_training_or_weights(tmp_path: Path):
    sent = {path for path, _ in publish.stage_space(REPO_ROOT, tmp_path, {"digits": "me/digits-cnn"})}
    assert {"app.py", "requirements.txt", "README.md", "demos/ui.js", "demos/digits/predict.py",
            "docs/digits-tab.png"} <= sent
    assert not [path for path in sent if path.split("/")[0] in ("tests", "benchmarks", "training", "weights", ".ci")]
    assert not [path for path in sent if "__pycache__" in path or path.endswith((".pyc", ".pyi"))]


def test_links_to_files_the_space_lacks_point_at_the_model_repos_or_become_text():
    kept = {"README.md", "docs/digits.md", "docs/digits-tab.png", "demos/digits/predict.py"}
    repos = {"digits": "me/digits-cnn"}
    page = ("![tab](docs/digits-tab.png) [card](weights/digits/README.md) [curves](weights/digits/metrics.json) "
            "[`load.py`](benchmarks/load.py) [demo](demos/digits/) [web](https://example.org/x) [up](#run-it) "
            "[gone](docs/gone.md#part)")
    assert publish.relink(page, "README.md", kept, repos) == (
        "![tab](docs/digits-tab.png) [card](https://huggingface.co/me/digits-cnn) "
        "[curves](https://huggingface.co/me/digits-cnn/blob/main/metrics.json) `load.py` [demo](demos/digits/) "
        "[web](https://example.org/x) [up](#run-it) gone")
    # relative to the page's own folder
    assert publish.relink("[back](../README.md) [tab](digits-tab.png) [code](../training/pen.py)",
                          "docs/digits.md", kept, repos) == "[back](../README.md) [tab](digits-tab.png) code"


@pytest.mark.weights
def test_publish_sends_the_models_then_the_space_with_its_variables(hub: FakeHub, capsys: pytest.CaptureFixture):
    publish.main(["--owner", "me", "--space", "demos", "--private"])
    repos = {name: f"me/{repo}" for name, repo in publish.MODEL_REPOS.items()}
    for name, repo_id in repos.items():
        assert hub.files(repo_id) == {p.name for p in (REPO_ROOT / "weights" / name).iterdir()}
    names = [name for name, _ in hub.calls]
    assert names == ["create_repo", "upload_folder"] * 5 + ["create_repo"] + ["add_space_variable"] * 5 + ["upload_folder"]
    assert all(call["private"] is True for name, call in hub.calls if name == "create_repo")
    assert hub.calls[10][1] == {"repo_id": "me/demos", "repo_type": "space", "private": True, "space_sdk": "gradio"}
    assert hub.calls[-1][1]["delete_patterns"] == "*"  # files an earlier publish left are removed
    assert hub.variables["me/demos"] == {runtime.hub_repo_variable(name): repo for name, repo in repos.items()}
    card = SpaceCard.load(hub.folder("me/demos", "space") / "README.md")
    assert card.data.models == card.data.preload_from_hub == list(repos.values())
    assert "*id" not in card.content.split("---")[1]  # plain lists, no YAML aliases
    assert card.data.sdk == "gradio" and card.data.app_file == "app.py"
    assert hub.tokens and all(token == SECRET for token in hub.tokens)
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    assert "secret HF_TOKEN" in captured.out  # a private Space is told how to read its private models


@pytest.mark.weights
def test_publishing_again_removes_what_the_space_no_longer_gets(hub: FakeHub):
    publish.main(["--owner", "me"])
    stale = hub.folder("me/deep-learning-demos", "space") / "weights" / "digits" / "model.safetensors"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"an old copy that would hide the Hub's model")
    publish.main(["--owner", "me"])
    assert not stale.exists() and (stale.parents[2] / ".gitattributes").is_file()


@pytest.mark.parametrize(("argv", "message"), [
    (["--owner", "me"], "no Hugging Face token"),
    (["--owner", "me/you", "--dry-run"], "is not a Hub name"),
    (["--owner", "me", "--space", "a--b", "--dry-run"], "is not a Hub name"),
    (["--dry-run"], "--owner"),
])
def test_bad_flags_and_no_token_are_parser_errors(argv: list[str], message: str, no_network: None,
                                                   monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)  # no stored `hf auth login` either
    with pytest.raises(SystemExit) as exit_info:
        publish.main(argv)
    assert exit_info.value.code == 2 and message in capsys.readouterr().err


def test_a_missing_model_is_named(tmp_path: Path):
    root = tmp_path / "repo"
    root.mkdir()
    for name in publish.SPACE_FILES:
        source = REPO_ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, root / name)
    with pytest.raises(ValueError, match="weights/digits has no config.json and model.safetensors"):
        publish.make_plan("me", "demos", False, tmp_path / "staging", root=root)


def seven(path: Path) -> Path:
    image = Image.new("RGBA", (280, 280), (255, 255, 255, 255))
    ImageDraw.Draw(image).line([(70, 60), (210, 60), (120, 230)], fill=(0, 0, 0, 255), width=22)
    image.save(path)
    return path


@pytest.mark.served
@pytest.mark.weights
def test_the_published_space_serves_all_four_tabs_from_the_hub(hub: FakeHub, tmp_path: Path):
    publish.main(["--owner", "me"])
    space = tmp_path / "space"  # exactly the files the Space got, nothing from this checkout
    shutil.copytree(hub.folder("me/deep-learning-demos", "space"), space)
    assert not (space / "weights").exists()
    cache = tmp_path / "hf-cache"
    hub.fill_cache(cache)  # what the Space's build preloads (preload_from_hub)
    environment = {**hub.variables["me/deep-learning-demos"], "HF_HUB_CACHE": str(cache), "HF_HUB_OFFLINE": "1"}
    with serve_app(environment=environment, app_dir=space) as app:
        client = Client(app.url, verbose=False)
        pad = {"background": None, "layers": [], "composite": handle_file(str(seven(tmp_path / "seven.png")))}
        label, _ = client.predict(pad, api_name="/classify_digit")
        assert label["label"] == "7"
        photo = space / "demos" / "fashion" / "examples" / "photo-t-shirt-1.jpg"
        label, _, _ = client.predict(handle_file(str(photo)), api_name="/classify_garment")
        assert label["label"] == "T-shirt/top"
        half = space / "demos" / "completion" / "examples" / "left-half-3-train7.png"
        picture, reading = client.predict({"background": None, "layers": [], "composite": handle_file(str(half))},
                                          api_name="/complete_digit")
        assert Path(picture).is_file() and reading["label"] == "3"
        text, status = client.predict("ROMEO:\n", 80, 0.8, 0, 7, api_name="/write")
        assert text.startswith("ROMEO:\n") and len(text) > len("ROMEO:\n") + 40 and "seed 7" in status


@pytest.mark.weights
def test_every_relative_link_on_the_space_leads_to_a_file_it_has(tmp_path: Path):
    repos = {name: f"me/{repo}" for name, repo in publish.MODEL_REPOS.items()}
    sent = {path for path, _ in publish.stage_space(REPO_ROOT, tmp_path, repos)}
    pages = [path for path in sent if path.endswith(".md")]
    assert "README.md" in pages and len(pages) > 1
    for page in pages:
        for _, _, target in publish.MARKDOWN_LINK.findall((tmp_path / page).read_text(encoding="utf-8")):
            if target.startswith(("https://", "http://", "#")):
                continue
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), target.split("#")[0]))
            assert resolved in sent or any(path.startswith(resolved + "/") for path in sent), (page, target)
