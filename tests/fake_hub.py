"""A recording fake of the Hugging Face Hub API (`huggingface_hub.HfApi`), the app's one network boundary
when it is published, and the Hub cache a Space's build fills (``preload_from_hub``).

`FakeHub` keeps every repo it is sent as a folder and records each call in order; `fill_cache` lays
its model repos out as huggingface_hub's cache does, so the real `snapshot_download` finds them with
``HF_HUB_OFFLINE=1``, as a Space finds the models its build preloaded.
"""

from __future__ import annotations

import fnmatch
import shutil
from pathlib import Path

CACHED_COMMIT = "0123456789abcdef0123456789abcdef01234567"


class FakeHub:
    """Stands in for `huggingface_hub.HfApi` (``monkeypatch.setattr(huggingface_hub, "HfApi", hub.api)``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.calls: list[tuple[str, dict]] = []
        self.variables: dict[str, dict[str, str]] = {}
        self.tokens: list[str | None] = []

    def api(self, token: str | None = None) -> FakeHub:
        """What ``HfApi(token=...)`` returns."""
        self.tokens.append(token)
        return self

    def folder(self, repo_id: str, repo_type: str = "model") -> Path:
        return self.root / f"{repo_type}s" / repo_id

    def create_repo(self, repo_id: str, *, repo_type: str | None = None, private: bool | None = None,
                    exist_ok: bool = False, space_sdk: str | None = None) -> str:
        self.calls.append(("create_repo", {"repo_id": repo_id, "repo_type": repo_type, "private": private,
                                           "space_sdk": space_sdk}))
        folder = self.folder(repo_id, repo_type or "model")
        if folder.exists() and not exist_ok:
            raise ValueError(f"{repo_id} exists")
        if repo_type == "space" and space_sdk is None:
            raise ValueError("a new Space needs space_sdk")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".gitattributes").write_text("*.png filter=lfs diff=lfs merge=lfs -text\n")  # the Hub adds one
        return f"https://huggingface.co/{repo_id}"

    def upload_folder(self, *, repo_id: str, folder_path: str, repo_type: str | None = None,
                      commit_message: str | None = None, delete_patterns: str | list[str] | None = None) -> None:
        self.calls.append(("upload_folder", {"repo_id": repo_id, "repo_type": repo_type, "folder_path": folder_path,
                                             "delete_patterns": delete_patterns}))
        target = self.folder(repo_id, repo_type or "model")
        if not target.is_dir():
            raise ValueError(f"no repo {repo_id}: create it first")
        patterns = [delete_patterns] if isinstance(delete_patterns, str) else delete_patterns or []
        for path in [p for p in target.rglob("*") if p.is_file()]:  # as the Hub: .gitattributes is always kept
            relative = path.relative_to(target).as_posix()
            if relative != ".gitattributes" and any(fnmatch.fnmatch(relative, pattern) for pattern in patterns):
                path.unlink()
        shutil.copytree(folder_path, target, dirs_exist_ok=True)

    def add_space_variable(self, repo_id: str, key: str, value: str, *, description: str | None = None) -> None:
        self.calls.append(("add_space_variable", {"repo_id": repo_id, "key": key, "value": value}))
        if not self.folder(repo_id, "space").is_dir():
            raise ValueError(f"no Space {repo_id}")
        self.variables.setdefault(repo_id, {})[key] = value

    def files(self, repo_id: str, repo_type: str = "model") -> set[str]:
        folder = self.folder(repo_id, repo_type)
        return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {".gitattributes"}

    def fill_cache(self, cache: Path) -> None:
        """Every model repo in huggingface_hub's cache layout under ``cache`` (``HF_HUB_CACHE``)."""
        for folder in sorted((self.root / "models").glob("*/*")):
            owner, name = folder.parts[-2:]
            storage = cache / f"models--{owner}--{name}"
            (storage / "refs").mkdir(parents=True, exist_ok=True)
            (storage / "refs" / "main").write_text(CACHED_COMMIT)
            shutil.copytree(folder, storage / "snapshots" / CACHED_COMMIT, dirs_exist_ok=True)
