"""Start `python app.py` as visitors meet it, on a free 127.0.0.1 port (the browser tests, the
serving tests and the load benchmark use this; no browser needed here)."""

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
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class ServedApp:
    url: str  # ends with "/"
    pid: int


@contextlib.contextmanager
def serve_app(timeout: float = 180.0, environment: dict[str, str] | None = None,
              app_dir: Path = REPO_ROOT) -> Iterator[ServedApp]:
    """`python app.py` in ``app_dir`` (default: this repository) on a free 127.0.0.1 port
    (``environment`` added to this process's); yields its URL and process id once it serves, stops it
    afterwards."""
    port = free_port()
    env = {**os.environ, "GRADIO_SERVER_NAME": "127.0.0.1", "GRADIO_SERVER_PORT": str(port),
           "GRADIO_ANALYTICS_ENABLED": "False", "DEMOS_DEVICE": "cpu", "HF_HUB_OFFLINE": "1", **(environment or {})}
    log = tempfile.TemporaryFile()
    process = subprocess.Popen([sys.executable, "app.py"], cwd=app_dir, env=env, stdout=log, stderr=subprocess.STDOUT)
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
        yield ServedApp(url, process.pid)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextlib.contextmanager
def running_app(timeout: float = 180.0) -> Iterator[str]:
    """`serve_app`, yielding only the URL."""
    with serve_app(timeout) as app:
        yield app.url
