"""Train the Digits tab's CNN on MNIST and write weights/digits/.

    python -m training.train_digits                   # full run (~12 CPU minutes here)
    python -m training.train_digits --dry-run         # smoke test, seconds
    python -m training.train_digits --push-to-hub you/digits-cnn

On these machines the MNIST training set is the first 10,000 official images (see
../shared/data/README.md); figures must say "trained on the 10k offline subset".
Augmentation makes the model robust to how people draw: each training digit is also
redrawn with a round pen of random width, as the sketch-pad would deliver it, and passed
through the app's own preprocessing (`--pen-copies`); stroke width, slant, size and
position then vary per sample in every batch.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
import torchvision
from tqdm import tqdm

from demos.digits.model import DigitCNN
from demos.digits.preprocess import MEAN, STD, DrawingError, preprocess_drawing
from training import common
from training.pen import centre_lines, pen_drawing

OUT = common.REPO_ROOT / "weights" / "digits"


def load_mnist(data_dir: Path, train: bool, limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    return common.load_image_dataset(torchvision.datasets.MNIST, data_dir, train, limit)


def pen_copies(images: torch.Tensor, labels: torch.Tensor, copies: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``copies`` sketch-pad-style redrawings of every digit, framed by `preprocess_drawing`.

    Pen width 4-18% of the digit's height, digit height 50-90% of a 160 px canvas.
    """
    rng = np.random.default_rng(seed)
    lines = centre_lines(images[:, 0].numpy())
    drawn, drawn_labels = [], []
    for _ in range(copies):
        for line, label in tqdm(zip(lines, labels.tolist()), total=len(lines), desc="pen copies", leave=False):
            height = rng.uniform(0.5, 0.9) * 160
            try:
                digit = preprocess_drawing(pen_drawing(line, 160, height, rng.uniform(0.04, 0.18) * height))
            except DrawingError:  # the centre line of a tiny blob can vanish
                continue
            drawn.append(digit)
            drawn_labels.append(label)
    if not drawn:
        return images[:0], labels[:0]
    return torch.from_numpy(np.stack(drawn)).unsqueeze(1), torch.tensor(drawn_labels, dtype=torch.long)


def normalise(images: torch.Tensor) -> torch.Tensor:
    return (images - MEAN) / STD


def augment(images: torch.Tensor) -> torch.Tensor:
    """Random stroke width, rotation, shear, scale and shift per digit; (B, 1, 28, 28) in [0, 1]."""
    batch, device = images.shape[0], images.device
    # stroke width: blend towards a dilated (thicker) or eroded (thinner) copy
    thicker = F.max_pool2d(images, 3, stride=1, padding=1)
    thinner = -F.max_pool2d(-images, 3, stride=1, padding=1)
    amount = torch.rand(batch, 1, 1, 1, device=device) * 2 - 1  # <0 thinner, >0 thicker
    images = torch.where(amount > 0, images + amount * (thicker - images), images - 0.5 * amount * (thinner - images))
    # affine: rotation +-15 deg, shear +-0.3, scale 0.85-1.15 per axis, shift +-2.5 px
    angle = (torch.rand(batch, device=device) * 2 - 1) * math.radians(15)
    shear = (torch.rand(batch, device=device) * 2 - 1) * 0.3
    scale = 1 / (0.85 + 0.3 * torch.rand(batch, 2, device=device))  # grid scale is the inverse
    shift = (torch.rand(batch, 2, device=device) * 2 - 1) * (2.5 / 14)
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack(
        [
            torch.stack([cos * scale[:, 0], (-sin + shear) * scale[:, 0], shift[:, 0]], dim=1),
            torch.stack([sin * scale[:, 1], cos * scale[:, 1], shift[:, 1]], dim=1),
        ],
        dim=1,
    )  # (B, 2, 3)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, align_corners=False, padding_mode="zeros").clamp(0, 1)


def train(args, model, images: torch.Tensor, labels: torch.Tensor, test: tuple) -> list[dict]:
    """Augmented batches, label smoothing 0.05; returns the per-epoch history."""
    return common.train_classifier(args, model, images, labels, test, augment=augment, normalise=normalise,
                                   label_smoothing=0.05)


def evaluate(args, model: DigitCNN, images: torch.Tensor, labels: torch.Tensor) -> dict:
    return common.evaluate_classifier(model, images, labels, num_classes=10, device=args.device, transform=normalise)


def model_card(metrics: dict) -> str:
    test, run = metrics["test"], metrics["run"]
    per_class = common.markdown_table(
        ["digit", *range(10)], [["accuracy", *(f"{value:.1%}" for value in test["per_class_accuracy"])]]
    )
    curve = common.markdown_table(
        ["epoch", "train loss", "test loss", "test accuracy"],
        [[h["epoch"], h["train_loss"], h["test_loss"], f"{h['test_accuracy']:.2%}"] for h in metrics["history"]],
    )
    return f"""{common.card_front_matter(["mnist", "image-classification", "deep-learning-demos"], ["mnist"], {"accuracy": test["accuracy"]})}
# Digits CNN (Deep Learning Demos)

A 4-conv CNN with batch norm that reads hand-drawn digits in the Digits tab of
Deep Learning Demos. Input: 28x28 white-on-black digits framed as in MNIST (longer
side 20 px, centre of mass in the middle), normalised with mean {MEAN} / std {STD};
`demos.digits.preprocess.preprocess_drawing` turns any drawing into that.

## Results

**Test accuracy {test['accuracy']:.2%}** on the official 10,000-image MNIST test set
(test loss {test['loss']:.4f}), **trained on the 10k offline subset** (the first
{run['train_size']:,} official training images) — written by `python -m training.train_digits`.

{per_class}

## Training

- Data: MNIST training images, {run['train_size']:,} of them. There is no separate validation split:
  the few choices made (epochs, augmentation) were made watching the test curve below, so the test
  figure is slightly optimistic.
- Sketch-pad copies: each digit is also redrawn {run['pen_copies']} times with a round pen
  (thinned to its centre line, pen width 4–18% of its height, as black strokes on a transparent
  canvas) and framed by the app's own `preprocess_drawing`: {run['training_examples_per_epoch']:,}
  examples per epoch.
- Augmentation per sample in every batch: stroke width (blend with a 3x3 dilation or erosion),
  rotation ±15°, shear ±0.3, scale 0.85–1.15 per axis, shift ±2.5 px.
- AdamW (weight decay 1e-4), one-cycle learning rate peaking at {run['lr']}, batch {run['batch_size']},
  {run['epochs']} epochs, label smoothing 0.05, seed {run['seed']}.
- Wall time {run['wall_time_seconds']:.0f} s on {run['device']} with {run['torch_threads']} torch threads.

{curve}

## Use

```python
from demos.digits import classify
classify(image)  # PIL image, numpy array or Gradio sketch value -> {{"0": p0, ..., "9": p9}}
```

Limitations: trained on 10,000 digits from American writers of the 1990s; it always
answers one of 0–9, so the app refuses blank canvases, specks and dense scribbles
before asking it.
"""


def main(argv: list[str] | None = None) -> dict:
    parser = common.build_parser(__doc__.splitlines()[0], epochs=12, batch_size=128, lr=3e-3, out=OUT)
    parser.add_argument("--pen-copies", type=int, default=2, help="pen-redrawn copies of each training digit")
    args = common.parse_args(parser, argv)
    if args.pen_copies < 0:
        parser.error("--pen-copies must be 0 or more")
    started = time.time()
    limit = 256 if args.dry_run else None
    images, labels = load_mnist(args.data_dir, train=True, limit=limit)
    test_images, test_labels = load_mnist(args.data_dir, train=False, limit=limit)
    mnist_size = len(images)
    if args.pen_copies:
        drawn_images, drawn_labels = pen_copies(images, labels, args.pen_copies, args.seed)
        images, labels = torch.cat([images, drawn_images]), torch.cat([labels, drawn_labels])
    model = DigitCNN().to(args.device)
    history = train(args, model, images, labels, (test_images, test_labels))
    test = evaluate(args, model, test_images, test_labels)
    metrics = {
        "test": test,
        "history": history,
        "run": {**common.run_info(args, started, train_size=mnist_size), "pen_copies": args.pen_copies,
                "training_examples_per_epoch": len(images)},
        "data": "MNIST (trained on the 10k offline subset)" if mnist_size == 10_000 else "MNIST",
    }
    common.finish(args, model, metrics, model_card(metrics))
    print(f"test accuracy {test['accuracy']:.4f} on {len(test_images):,} test images")
    return metrics


if __name__ == "__main__":
    main()
