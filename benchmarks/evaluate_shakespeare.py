"""`demos.shakespeare.nll` of the committed model on the held-out last 10% of tiny Shakespeare.

    python -m benchmarks.evaluate_shakespeare [--data-dir ../shared/data]

Independent of the training script: it splits the corpus itself (the last 10% of the
characters, as the training script holds out) and asks the public API for the mean negative
log-likelihood of each held-out character given all the held-out text before it, read as one
sequence from a fresh state. Also prints the weights file's size.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

from demos import runtime
from demos.shakespeare import nll
from training.common import DEFAULT_DATA_DIR


def main(argv: list[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)
    corpus = args.data_dir / "tinyshakespeare" / "input.txt"
    if not corpus.is_file():
        parser.error(f"no corpus at {corpus}")
    runtime.configure_threads()
    text = corpus.read_text(encoding="utf-8")
    held_out = text[int(len(text) * 0.9):]
    started = time.perf_counter()
    loss = nll(held_out)
    seconds = time.perf_counter() - started
    weights = runtime.WEIGHTS_DIR / "shakespeare" / "model.safetensors"
    print(f"held-out characters: {len(held_out):,} of {len(text):,} (scored: {len(held_out) - 1:,})")
    print(f"validation loss: {loss:.4f} nats per character ({loss / math.log(2):.4f} bits), in {seconds:.1f} s")
    print(f"weights: {weights.stat().st_size / 1e6:.2f} MB ({weights.stat().st_size:,} bytes)")
    return loss


if __name__ == "__main__":
    main()
