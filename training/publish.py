"""Publish Deep Learning Demos on the Hugging Face Hub: the five models, then the Space that runs them.

    python -m training.publish --owner YOU --dry-run   # the plan: repos, every file and its size, variables
    python -m training.publish --owner YOU             # do it (token from `hf auth login` or HF_TOKEN)
    python -m training.publish --owner YOU --space my-demos --private

1. Each ``weights/<name>/`` (weights, config, metrics, model card, the "Under the hood" files) goes to a
   model repo of its own, ``YOU/digits-cnn`` and so on (`MODEL_REPOS`), through `common.push_folder`,
   the same code as the training scripts' ``--push-to-hub``.
2. The Space (Gradio SDK) gets the app's own files only (`SPACE_FILES`: what ``python app.py`` needs
   and what its README shows), with a README whose front matter names the model repos (``models:``,
   so the Hub links the Space and its models both ways; ``preload_from_hub:``, so the Space's build
   fetches them before the app starts) and whose links to files the Space lacks point at the model
   repos or become plain text.
3. One Space variable per model, ``DEMOS_<NAME>_REPO``, tells `demos.runtime` which repo to load it
   from. They are set before the files are uploaded, so the first build already sees them.

The Space carries no ``weights/``: the model repos are the one copy of each model (retrain, push, and a
restarted Space serves the new one), a Space without weights/ is a few MB, and `demos.runtime` prefers a
local ``weights/`` over a variable, so a stale copy there would hide a newer model. Files an earlier
publish left on the Space and this one does not send are deleted in the same commit.

The token is read by huggingface_hub itself and is never printed. ``--dry-run`` builds the Space's
folder and prints the plan without touching the network.
"""

from __future__ import annotations

import argparse
import posixpath
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from demos import runtime
from training import common

# weights/<name>/ -> model repo name under the owner
MODEL_REPOS = {
    "digits": "digits-cnn",
    "fashion": "fashion-cnn",
    "fashion-photos": "fashion-photos-cnn",
    "completion": "mnist-completion-unet",
    "shakespeare": "shakespeare-char-lstm",
}
DEFAULT_SPACE = "deep-learning-demos"
# The app's own files, relative to the repository root: what `python app.py` imports and reads
# (demos/ holds the code, ui.js and the example pictures) and what the README shows (docs/).
SPACE_FILES = ("app.py", "requirements.txt", "README.md", "demos", "docs")
SKIPPED = ("__pycache__", ".pyc", ".pyi", ".gradio")  # caches and generated files under those folders
HUB = "https://huggingface.co"
MARKDOWN_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)\s]+)\)")


@dataclass(frozen=True)
class Upload:
    """One repo's upload: where it goes and the files it sends (relative path, bytes)."""

    repo_id: str
    repo_type: str  # "model" or "space"
    source: str  # what it is made of, as the plan says it
    folder: Path  # the folder uploaded
    files: tuple[tuple[str, int], ...]

    @property
    def size(self) -> int:
        return sum(size for _, size in self.files)

    @property
    def url(self) -> str:
        return f"{HUB}/{'spaces/' if self.repo_type == 'space' else ''}{self.repo_id}"


@dataclass(frozen=True)
class Plan:
    models: tuple[Upload, ...]
    space: Upload
    variables: dict[str, str]  # Space variable -> model repo
    private: bool


def files_of(folder: Path) -> tuple[tuple[str, int], ...]:
    """Every file under ``folder`` with its size, sorted."""
    return tuple((path.relative_to(folder).as_posix(), path.stat().st_size)
                 for path in sorted(folder.rglob("*")) if path.is_file())


def space_sources(root: Path) -> list[Path]:
    """The app's own files under ``root`` (`SPACE_FILES`, caches left out), relative to it."""
    found = []
    for name in SPACE_FILES:
        path = root / name
        if not path.exists():
            raise ValueError(f"{path} is missing: the Space needs it")
        candidates = sorted(path.rglob("*")) if path.is_dir() else [path]
        found += [candidate.relative_to(root) for candidate in candidates if candidate.is_file()
                  and not any(skip in part for part in candidate.relative_to(root).parts for skip in SKIPPED)]
    return found


def model_link(target: str, model_repos: dict[str, str]) -> str | None:
    """The Hub address of ``weights/<name>/<file>`` in its model repo, or None for other paths."""
    parts = target.split("/")
    if len(parts) < 2 or parts[0] != "weights" or parts[1] not in model_repos:
        return None
    inside = "/".join(part for part in parts[2:] if part)
    repo = f"{HUB}/{model_repos[parts[1]]}"
    return repo if inside in ("", "README.md") else f"{repo}/blob/main/{inside}"


def relink(markdown: str, page: str, kept: set[str], model_repos: dict[str, str]) -> str:
    """``markdown`` (the file ``page``, relative to the root) with every relative link to a file the Space
    lacks rewritten: to its model repo for weights/<name>/..., else to the link's text alone."""

    def replace(match: re.Match) -> str:
        image, text, target = match.groups()
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#", target):  # an address (https:, mailto:) or an anchor
            return match.group(0)
        normalised = posixpath.normpath(posixpath.join(posixpath.dirname(page), target.split("#", 1)[0]))
        if normalised in kept or any(name.startswith(normalised + "/") for name in kept):  # a file or a folder
            return match.group(0)
        hub = model_link(normalised, model_repos)
        if hub is not None:
            return f"{image}[{text}]({hub})"
        return text

    return MARKDOWN_LINK.sub(replace, markdown)


def space_card(readme: str, model_repos: dict[str, str]) -> str:
    """The README with ``models:`` and ``preload_from_hub:`` in its front matter (`huggingface_hub.SpaceCard`)."""
    from huggingface_hub import SpaceCard

    card = SpaceCard(readme)
    repos = list(model_repos.values())
    card.data.models = repos
    card.data.preload_from_hub = list(repos)  # a copy: one list twice would be written as a YAML alias
    return str(card)


def stage_space(root: Path, staging: Path, model_repos: dict[str, str]) -> tuple[tuple[str, int], ...]:
    """Copy the app's own files from ``root`` into ``staging``, the README and the docs pages relinked
    and the README's front matter naming the model repos; returns the staged files and sizes."""
    sources = space_sources(root)
    kept = {path.as_posix() for path in sources}
    for relative in sources:
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if relative.suffix == ".md":
            text = relink((root / relative).read_text(encoding="utf-8"), relative.as_posix(), kept, model_repos)
            if relative.as_posix() == "README.md":
                text = space_card(text, model_repos)
            target.write_text(text, encoding="utf-8")
        else:
            shutil.copyfile(root / relative, target)
    return files_of(staging)


def make_plan(owner: str, space: str, private: bool, staging: Path, root: Path = common.REPO_ROOT) -> Plan:
    """What a publish sends, with the Space's files staged in ``staging``."""
    repos = {name: f"{owner}/{repo}" for name, repo in MODEL_REPOS.items()}
    models = []
    for name, repo_id in repos.items():
        folder = root / "weights" / name
        missing = common.missing_weight_files(folder)
        if missing:
            raise ValueError(f"{folder} has no {' and '.join(missing)}: train it first")
        models.append(Upload(repo_id, "model", f"weights/{name}", folder, files_of(folder)))
    space_files = stage_space(root, staging, repos)
    variables = {runtime.hub_repo_variable(name): repo_id for name, repo_id in repos.items()}
    space_upload = Upload(f"{owner}/{space}", "space", ", ".join(SPACE_FILES), staging, space_files)
    return Plan(tuple(models), space_upload, variables, private)


def human_size(size: int) -> str:
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.2f} {unit}"
    return f"{size} B"


def describe(plan: Plan) -> Iterable[str]:
    """The plan, line by line, as ``--dry-run`` prints it."""
    visibility = "private" if plan.private else "public"
    for upload in (*plan.models, plan.space):
        kind = "Space (Gradio, cpu-basic)" if upload.repo_type == "space" else "model"
        yield f"{kind} {upload.repo_id} ({visibility}) <- {upload.source}"
        yield f"  {upload.url}"
        for path, size in upload.files:
            yield f"    {path:<58} {human_size(size):>10}"
        yield f"  {len(upload.files)} files, {human_size(upload.size)}"
    yield f"Space variables of {plan.space.repo_id} (where demos.runtime loads each model from):"
    for key, value in plan.variables.items():
        yield f"  {key}={value}"
    uploads = (*plan.models, plan.space)
    yield (f"Total: {len(uploads)} repos, {sum(len(u.files) for u in uploads)} files, "
           f"{human_size(sum(u.size for u in uploads))}")
    if plan.private:
        yield ("A private Space can read private models only with a token: add a read token as the Space "
               "secret HF_TOKEN (Settings > Variables and secrets).")


def publish(plan: Plan, api: object) -> None:
    """Send ``plan`` through ``api`` (an `huggingface_hub.HfApi`): models, Space, variables, files."""
    for model in plan.models:
        common.push_folder(model.folder, model.repo_id, api=api, private=plan.private,
                           commit_message="Publish from training.publish")
    api.create_repo(repo_id=plan.space.repo_id, repo_type="space", space_sdk="gradio", private=plan.private,
                    exist_ok=True)
    for key, value in plan.variables.items():
        api.add_space_variable(plan.space.repo_id, key, value, description="Hub repo demos.runtime loads this model from")
    api.upload_folder(repo_id=plan.space.repo_id, repo_type="space", folder_path=str(plan.space.folder),
                      commit_message="Publish from training.publish", delete_patterns="*")
    print(f"published {plan.space.url} (it builds and starts on the Hub now)")


def hub_name(value: str) -> str:
    """An argparse type: a Hub user, organisation or repo name."""
    if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,94}[A-Za-z0-9])?", value) or "--" in value or ".." in value:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a Hub name (letters, digits, '-', '_' and '.', at most 96, no '--' or '..')")
    return value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--owner", type=hub_name, required=True, help="Hub user or organisation that gets the repos")
    parser.add_argument("--space", type=hub_name, default=DEFAULT_SPACE, help="the Space's name (default: %(default)s)")
    parser.add_argument("--private", action="store_true", help="make the Space and the model repos private")
    parser.add_argument("--dry-run", action="store_true", help="print the plan; send nothing")
    args = parser.parse_args(argv)
    if not args.dry_run:
        from huggingface_hub import get_token

        if get_token() is None:
            parser.error("no Hugging Face token: run `hf auth login` or set HF_TOKEN (a token that can write)")
    with tempfile.TemporaryDirectory(prefix="space-") as staging:
        try:
            plan = make_plan(args.owner, args.space, args.private, Path(staging))
        except ValueError as error:
            parser.error(str(error))
        print(f"Plan{' (dry run: nothing is sent)' if args.dry_run else ''}:")
        for line in describe(plan):
            print(line)
        if not args.dry_run:
            publish(plan, common.hub_api())


if __name__ == "__main__":
    main()
