"""Would a distance from the training digits refuse the nonsense the Digits model reads as a digit? Prints figures.

    python -m benchmarks.not_a_digit_distances [--per-kind 500] [--seed 2024] [--data-dir ../shared/data]

Two out-of-distribution scores on the committed models, neither used by the app. Each would refuse an
answer whose score lies beyond the ``q`` quantile of real digits' scores that no test figure uses:

- feature distance (both tabs): the Mahalanobis distance of the digits model's hidden features (each
  ensemble member's ReLU layer, with one covariance per member shared by the classes) from the mean
  of the digit read, summed over the members; fitted on the training digits and pen copies of them
  that the model reads right; its quantiles from the training's validation digits (pen copies of every
  training digit, with a seed the training does not use);
- half distance (completion tab): the pixel distance of the drawn left half (blurred a little, the
  best of moving it one pixel up, down or not) to its third nearest left half of that digit among the
  first HALF_BANK training digits; its quantiles from the other training digits, completed.

Printed for each quantile: real digits refused (MNIST test digits; MNIST test digits pen-drawn on the
Digits pad; completed MNIST test halves) and the share of each kind of nonsense pad
(`benchmarks.digits_styles.nonsense_pads`, drawn on each tab's pad) still read as a digit above 50%.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
import torchvision

from demos import runtime
from demos.completion.model import HALF
from demos.completion.predict import CANVAS as COMPLETION_CANVAS
from demos.completion.predict import complete_batch, complete_drawing
from demos.completion.preprocess import BRUSH as COMPLETION_BRUSH
from demos.digits import read_drawing
from demos.digits.model import DigitCNN
from demos.digits.predict import CLASSIFIER, digit_probabilities
from demos.digits.tab import CANVAS
from benchmarks.digits_styles import PEN, nonsense_pads, pad_drawing, top_probability
from training import train_digits
from training.common import DEFAULT_DATA_DIR
from training.pen import centre_lines

QUANTILES = (0.999, 0.995, 0.99, 0.95)
KINDS = ("scribbles", "random lines", "shapes", "short strokes*", "random walks*")
FIT_PEN_COPIES = 5000  # training digits also fitted as pen copies
NEIGHBOUR = 3  # the half distance is to the third nearest training half
HALF_BANK = 8000  # the first training digits' halves are the bank; the rest set the half distance's threshold


@torch.inference_mode()
def hidden_features(model: DigitCNN, images: np.ndarray) -> torch.Tensor:
    """(N, 28, 28) model inputs in [0, 1] -> (N, members, hidden): each member's ReLU layer, the
    features its last linear layer reads (dropout is off in eval mode)."""
    head = model.classifier[:3]  # dropout, the members' grouped first linear layer, ReLU
    assert isinstance(head[2], torch.nn.ReLU), head
    device = next(model.parameters()).device
    batch = torch.as_tensor(np.asarray(images, np.float32)).reshape(-1, 1, 28, 28)
    features = [head(model.features(model.normalise(part.to(device))))[..., 0].cpu() for part in batch.split(512)]
    return torch.cat(features).view(len(batch), model.members, -1)


class FeatureDistance:
    """Mahalanobis distance from a class mean, one covariance per ensemble member (shared by the
    classes, as in Lee et al. 2018), summed over the members."""

    def __init__(self, features: torch.Tensor, labels: torch.Tensor, ridge: float = 1e-3) -> None:
        features = features.double()  # (N, M, H)
        classes = int(labels.max()) + 1
        self.means = torch.stack([features[labels == c].mean(0) for c in range(classes)])  # (classes, M, H)
        centred = (features - self.means[labels]).transpose(0, 1)  # (M, N, H)
        covariance = centred.transpose(1, 2) @ centred / len(features)  # (M, H, H)
        self.precision = torch.linalg.inv(covariance + ridge * torch.eye(features.shape[2], dtype=torch.float64))

    def __call__(self, features: torch.Tensor, classes: torch.Tensor) -> np.ndarray:
        """(N, M, H) features, (N,) the class each is read as -> (N,) distances."""
        offset = (features.double() - self.means[classes]).transpose(0, 1)  # (M, N, H)
        return torch.einsum("mnh,mhk,mnk->n", offset, self.precision, offset).numpy()


def blurred_halves(digits: np.ndarray) -> torch.Tensor:
    """(N, 28, 28) -> (N, 28, HALF): the left halves, blurred by a 3x3 binomial kernel (nothing from the right)."""
    halves = torch.as_tensor(np.asarray(digits, np.float32))[:, None, :, :HALF]
    kernel = torch.tensor([0.25, 0.5, 0.25])
    return F.conv2d(halves, (kernel[:, None] * kernel[None])[None, None], padding=1)[:, 0]


def half_distance(digits: np.ndarray, classes: np.ndarray, train: torch.Tensor, train_labels: np.ndarray,
                  neighbour: int = NEIGHBOUR) -> np.ndarray:
    """(N, 28, 28) digits whose left half was drawn, the class each is read as -> (N,) the distance of
    the blurred left half, moved one pixel up, down or not (the nearest), to its ``neighbour``-th
    nearest ``train`` half (`blurred_halves` of training digits) of that class."""
    halves, bank = blurred_halves(digits), train.flatten(1)
    other_class = torch.as_tensor(train_labels[None, :] != classes[:, None])  # (N, T)
    shifted = [torch.cdist(halves.roll(rows, dims=1).flatten(1), bank).masked_fill(other_class, float("inf"))
               for rows in (-1, 0, 1)]
    nearest = torch.stack(shifted).min(dim=0).values  # (N, T)
    return nearest.topk(neighbour, largest=False).values[:, -1].numpy()


def stacked(pictures: list[np.ndarray]) -> np.ndarray:
    """A list of (28, 28) pictures -> (N, 28, 28), N possibly 0."""
    return np.stack(pictures) if pictures else np.zeros((0, 28, 28), np.float32)


def read(values: np.ndarray) -> np.ndarray:
    """(N, 11) digit probabilities -> (N,) the digit read."""
    return values[:, :10].argmax(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--per-kind", type=int, default=500, help="nonsense pads of each kind, per tab")
    parser.add_argument("--real", type=int, default=1000, help="MNIST test digits pen-drawn and halved")
    parser.add_argument("--seed", type=int, default=2024, help="drawing seed (training uses 0-5)")
    args = parser.parse_args(argv)
    if args.per_kind < 1 or args.real < 1:
        parser.error("--per-kind and --real must be at least 1")
    runtime.configure_threads()
    started = time.perf_counter()
    model = CLASSIFIER.load()
    rng = np.random.default_rng(args.seed)

    train, train_labels = train_digits.load_mnist(args.data_dir, True)
    pen, pen_labels = train_digits.pen_copies(train[:FIT_PEN_COPIES], train_labels[:FIT_PEN_COPIES], 1, args.seed)
    fit = torch.cat([train, pen])[:, 0].numpy()
    fit_labels = torch.cat([train_labels, pen_labels])
    read_right = torch.as_tensor(read(digit_probabilities(fit))) == fit_labels
    feature_distance = FeatureDistance(hidden_features(model, fit[read_right]), fit_labels[read_right])
    bank = blurred_halves(train[:HALF_BANK, 0].numpy())

    def half_scores(wholes: np.ndarray) -> np.ndarray:
        if not len(wholes):
            return np.zeros(0)
        return half_distance(wholes, read(digit_probabilities(wholes)), bank, train_labels[:HALF_BANK].numpy())

    def feature_scores(inputs: np.ndarray) -> np.ndarray:
        if not len(inputs):
            return np.zeros(0)
        return feature_distance(hidden_features(model, inputs), torch.as_tensor(read(digit_probabilities(inputs))))

    validation = train_digits.validation_digits(train, train_labels, CLASSIFIER.metrics()["run"]["seed"])[:, 0].numpy()
    test = torchvision.datasets.MNIST(root=str(args.data_dir), train=False, download=True)
    test_digits = test.data.numpy().astype(np.float32) / 255.0
    chosen = test_digits[rng.choice(len(test_digits), args.real, replace=False)]
    on_pad = [read_drawing(pad_drawing(line, rng)).model_input for line in centre_lines(chosen)]
    completed = complete_batch(chosen)
    real = {("feature", "MNIST test"): feature_scores(test_digits),
            ("feature", "pen-drawn test digits"): feature_scores(stacked([m for m in on_pad if m is not None])),
            ("feature", "completed test halves"): feature_scores(completed),
            ("half", "completed test halves"): half_scores(completed)}
    held_out = complete_batch(train[HALF_BANK:, 0].numpy())  # training digits' halves not in the bank
    thresholds = {"feature": np.quantile(feature_scores(validation), QUANTILES),
                  "half": np.quantile(half_scores(held_out), QUANTILES)}

    # the nonsense read as a digit above 50% today: its scores, and how many pads of the kind there were
    misread: dict[str, dict[str, dict]] = {"Digits tab": {}, "Completion tab": {}}
    digit_pads = nonsense_pads(rng, CANVAS, PEN, args.per_kind)
    completion_pads = nonsense_pads(rng, COMPLETION_CANVAS, 2 * COMPLETION_BRUSH, args.per_kind)
    for kind in KINDS:
        readings = [read_drawing(pad) for pad in digit_pads[kind]]
        inputs = stacked([r.model_input for r in readings if top_probability(r.probabilities) > 0.5])
        misread["Digits tab"][kind] = {"pads": len(readings), "feature": feature_scores(inputs)}
        completions = [complete_drawing(pad) for pad in completion_pads[kind]]
        wholes = stacked([c.whole for c in completions if top_probability(c.probabilities) > 0.5])
        misread["Completion tab"][kind] = {"pads": len(completions), "feature": feature_scores(wholes),
                                           "half": half_scores(wholes)}

    print(f"Refusing what lies beyond the q quantile: of {len(validation)} validation digits' feature distances, "
          f"of {len(held_out)} completed training halves' half distances (halves not in the bank)")
    header = " ".join(f"{q:>7.3f}" for q in QUANTILES)
    print(f"\nReal digits refused\n{'rule':8s} {'input':24s} {header}")
    for (rule, name), scores in real.items():
        print(f"{rule:8s} {name:24s} " + " ".join(f"{np.mean(scores > t):7.2%}" for t in thresholds[rule]))
    print(f"\nNonsense read as a digit above 50%, of {args.per_kind} pads each: today, and left at q")
    print(f"{'tab':15s} {'rule':8s} {'input':16s} {'today':>7s} {header}")
    for tab, kinds in misread.items():
        for rule in ("feature", "half") if tab == "Completion tab" else ("feature",):
            for kind, found in kinds.items():
                scores, pads = found[rule], found["pads"]
                print(f"{tab:15s} {rule:8s} {kind:16s} {len(scores) / pads:7.1%} "
                      + " ".join(f"{np.sum(scores <= t) / pads:7.1%}" for t in thresholds[rule]))
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
