"""Rewrite the model cards (weights/<demo>/README.md) from each model's committed metrics.json.

    python -m training.cards                 # all five
    python -m training.cards digits fashion  # some of them

The training scripts write the same card at the end of a run (`model_card` in each script);
this regenerates the committed ones when the card's wording changes, without retraining.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

from demos.completion.model import CompletionUNet
from demos.digits.model import DigitCNN
from demos.fashion.model import FashionCNN, PhotoCNN
from demos.shakespeare.model import CharLSTM
from training import common, train_completion, train_digits, train_fashion, train_fashion_photos, train_shakespeare

CARDS: dict[str, tuple[type, Callable[[object, dict], str]]] = {
    "digits": (DigitCNN, train_digits.model_card),
    "fashion": (FashionCNN, train_fashion.model_card),
    "fashion-photos": (PhotoCNN, train_fashion_photos.model_card),
    "completion": (CompletionUNet, train_completion.model_card),
    "shakespeare": (CharLSTM, train_shakespeare.model_card),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"which cards ({', '.join(CARDS)}; default: all)")
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(CARDS)
    if unknown:
        parser.error(f"no model called {', '.join(sorted(unknown))}; choose from {', '.join(CARDS)}")
    for name in args.names or CARDS:
        model_class, model_card = CARDS[name]
        folder = common.REPO_ROOT / "weights" / name
        model = model_class.from_pretrained(folder, strict=True, map_location="cpu")
        metrics = json.loads((folder / "metrics.json").read_text())
        (folder / "README.md").write_text(model_card(model, metrics))
        print(f"wrote {(folder / 'README.md').relative_to(common.REPO_ROOT)}")


if __name__ == "__main__":
    main()
