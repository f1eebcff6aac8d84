"""What a Hugging Face Space reads from this repository: the README's front matter (the Spaces
configuration) and `.gitattributes` (a plain `git push` to a Space is refused for binary files that
are not stored with LFS)."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version

from huggingface_hub import SpaceCard

from tests.app_process import REPO_ROOT

# from the Spaces configuration reference
COLOURS = {"red", "yellow", "green", "blue", "indigo", "purple", "pink", "gray"}
CPU_HARDWARE = {"cpu-basic", "cpu-upgrade"}


def front_matter() -> dict:
    return SpaceCard.load(REPO_ROOT / "README.md").data.to_dict()


def test_the_front_matter_says_how_the_space_runs():
    config = front_matter()
    assert config["sdk"] == "gradio"
    requirement = re.search(r"^gradio==(\S+)$", (REPO_ROOT / "requirements.txt").read_text(), re.M)
    assert requirement and config["sdk_version"] == requirement.group(1) == version("gradio")
    # the Python the tests ran on (CI runs them), as a string: YAML would read 3.10 as 3.1
    assert config["python_version"] == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert (REPO_ROOT / config["app_file"]).is_file()
    assert config["suggested_hardware"] in CPU_HARDWARE
    assert config["colorFrom"] in COLOURS and config["colorTo"] in COLOURS
    assert 0 < len(config["short_description"]) <= 60
    assert config["title"] and len(config["title"]) <= 30 and config["emoji"]
    assert config["license"] == "mit"
    assert isinstance(config["tags"], list) and config["tags"] and all(isinstance(t, str) for t in config["tags"])
    # the model repos are written in by `training.publish`, which knows their owner
    assert "models" not in config and "preload_from_hub" not in config


def test_every_tracked_binary_file_goes_through_lfs():
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    paths = [path for path in tracked.decode().split("\0") if path]
    binary = [path for path in paths if (REPO_ROOT / path).is_file() and b"\0" in (REPO_ROOT / path).read_bytes()[:8000]]
    assert len(binary) >= 40  # the pictures and the weights
    attributes = subprocess.run(["git", "check-attr", "-z", "filter", "--stdin"], cwd=REPO_ROOT, check=True,
                                input="\0".join(binary).encode(), capture_output=True).stdout.decode().split("\0")
    filters = dict(zip(attributes[0::3], attributes[2::3]))
    assert {path: filters.get(path) for path in binary if filters.get(path) != "lfs"} == {}
    text = [path for path in paths if path.endswith((".py", ".md", ".json", ".txt", ".js"))]
    check = subprocess.run(["git", "check-attr", "filter", "--", *text], cwd=REPO_ROOT, capture_output=True,
                           check=True).stdout.decode()
    assert "filter: lfs" not in check  # text stays diffable


def test_the_readme_is_a_front_page():
    lines = (REPO_ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250  # the rest lives in docs/
    headings = [line for line in lines if line.startswith("## ")]
    for section in ("## Run it", "## Test", "## Deploy to a Space", "## Use the models from Python", "## Retrain",
                    "## Headline figures", "## Layout"):
        assert section in headings
