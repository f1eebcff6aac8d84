"""Train the Digits tab's CNN on MNIST and write weights/digits/.

    python -m training.train_digits                   # full run (the model card says how long it took)
    python -m training.train_digits --device cuda     # same, on a GPU
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
from demos.digits.preprocess import DrawingError, preprocess_drawing
from training import common
from training.pen import centre_lines, pen_drawing

OUT = common.REPO_ROOT / "weights" / "digits"
# sketch-pad copies: a digit drawn on a PEN_CANVAS px canvas, its height and the pen's width drawn
# uniformly from these ranges (fractions of the canvas, and of the digit's height)
PEN_CANVAS = 160
PEN_DIGIT_HEIGHT = (0.5, 0.9)
PEN_WIDTH = (0.04, 0.18)
# per-sample augmentation in every batch
AUGMENTATION = {"rotation_degrees": 15, "shear": 0.3, "scale": (0.85, 1.15), "shift_pixels": 2.5,
                "stroke_width": "blend with a 3x3 dilation (thicker) or erosion (thinner)"}


def load_mnist(data_dir: Path, train: bool, limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    return common.load_image_dataset(torchvision.datasets.MNIST, data_dir, train, limit)


def pen_copies(images: torch.Tensor, labels: torch.Tensor, copies: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``copies`` sketch-pad-style redrawings of every digit, framed by `preprocess_drawing`
    (pen width and digit height from PEN_WIDTH and PEN_DIGIT_HEIGHT)."""
    rng = np.random.default_rng(seed)
    lines = centre_lines(images[:, 0].numpy())
    drawn, drawn_labels = [], []
    for _ in range(copies):
        for line, label in tqdm(zip(lines, labels.tolist()), total=len(lines), desc="pen copies", leave=False):
            height = rng.uniform(*PEN_DIGIT_HEIGHT) * PEN_CANVAS
            try:
                digit = preprocess_drawing(pen_drawing(line, PEN_CANVAS, height, rng.uniform(*PEN_WIDTH) * height))
            except DrawingError:  # the centre line of a tiny blob can vanish
                continue
            drawn.append(digit)
            drawn_labels.append(label)
    if not drawn:
        return images[:0], labels[:0]
    return torch.from_numpy(np.stack(drawn)).unsqueeze(1), torch.tensor(drawn_labels, dtype=torch.long)


def augment(images: torch.Tensor) -> torch.Tensor:
    """Random stroke width, rotation, shear, scale and shift per digit (AUGMENTATION); (B, 1, 28, 28) in [0, 1]."""
    batch, device = images.shape[0], images.device
    # stroke width: blend towards a dilated (thicker) or eroded (thinner) copy
    thicker = F.max_pool2d(images, 3, stride=1, padding=1)
    thinner = -F.max_pool2d(-images, 3, stride=1, padding=1)
    amount = torch.rand(batch, 1, 1, 1, device=device) * 2 - 1  # <0 thinner, >0 thicker
    images = torch.where(amount > 0, images + amount * (thicker - images), images - 0.5 * amount * (thinner - images))
    # affine: rotation, shear, scale per axis and shift, each uniform in +-its AUGMENTATION value
    low, high = AUGMENTATION["scale"]
    angle = (torch.rand(batch, device=device) * 2 - 1) * math.radians(AUGMENTATION["rotation_degrees"])
    shear = (torch.rand(batch, device=device) * 2 - 1) * AUGMENTATION["shear"]
    scale = 1 / (low + (high - low) * torch.rand(batch, 2, device=device))  # grid scale is the inverse
    shift = (torch.rand(batch, 2, device=device) * 2 - 1) * (AUGMENTATION["shift_pixels"] / 14)
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


def train(args, model: DigitCNN, images: torch.Tensor, labels: torch.Tensor, optimizer, scheduler,
          generator: torch.Generator, epoch: int) -> float:
    """One epoch of `augment`-ed batches, cross-entropy with ``--label-smoothing``; the mean training loss."""
    return common.train_classifier_epoch(args, model, images, labels, optimizer, scheduler, generator, epoch, augment)


def model_card(model: DigitCNN, metrics: dict) -> str:
    """The model card, from metrics.json alone (and the class's Hub metadata)."""
    test, run = metrics["test"], metrics["run"]
    per_class = common.markdown_table(
        ["digit", *range(10)], [["accuracy", *(f"{value:.1%}" for value in test["per_class_accuracy"])]]
    )
    curve = common.markdown_table(
        ["epoch", "train loss", "test loss", "test accuracy"],
        [[h["epoch"], h["train_loss"], h["test_loss"], f"{h['test_accuracy']:.2%}"] for h in metrics["history"]],
    )
    aug = run["augmentation"]
    return f"""{common.card_front_matter(model, ["mnist"], ["accuracy"])}
# Digits CNN (Deep Learning Demos)

A 4-conv CNN with batch norm that reads hand-drawn digits in the Digits tab of
Deep Learning Demos. Input: 28x28 white-on-black digits in [0, 1], framed as in MNIST
(longer side 20 px, centre of mass in the middle); the model normalises them itself with
the mean and standard deviation in its config.json. `demos.digits.preprocess.preprocess_drawing`
turns any drawing into that.

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
  (thinned to its centre line, pen width {run['pen_width'][0]:.0%}–{run['pen_width'][1]:.0%} of its height,
  as black strokes on a transparent canvas) and framed by the app's own `preprocess_drawing`:
  {run['training_examples_per_epoch']:,} examples per epoch.
- Augmentation per sample in every batch: stroke width ({aug['stroke_width']}),
  rotation ±{aug['rotation_degrees']}°, shear ±{aug['shear']}, scale {aug['scale'][0]}–{aug['scale'][1]} per axis,
  shift ±{aug['shift_pixels']} px.
- AdamW (weight decay {run['weight_decay']}), one-cycle learning rate peaking at {run['lr']}, batch {run['batch_size']},
  {run['epochs']} epochs, label smoothing {run['label_smoothing']}, seed {run['seed']}.
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
    parser.add_argument("--label-smoothing", type=float, default=0.05, help="cross-entropy label smoothing")
    parser.add_argument("--pen-copies", type=int, default=2, help="pen-redrawn copies of each training digit")
    args = common.parse_args(parser, argv)
    if args.pen_copies < 0:
        parser.error("--pen-copies must be 0 or more")
    if not 0 <= args.label_smoothing < 1:
        parser.error("--label-smoothing must be from 0 to below 1")
    started = time.time()
    limit = 256 if args.dry_run else None
    images, labels = load_mnist(args.data_dir, train=True, limit=limit)
    test_images, test_labels = load_mnist(args.data_dir, train=False, limit=limit)
    mnist_size = len(images)
    if args.pen_copies:
        drawn_images, drawn_labels = pen_copies(images, labels, args.pen_copies, args.seed)
        images, labels = torch.cat([images, drawn_images]), torch.cat([labels, drawn_labels])

    model = DigitCNN().to(args.device)
    optimizer, scheduler = common.optimizer_and_schedule(args, model, len(images))
    generator = torch.Generator().manual_seed(args.seed)  # batch order
    history: list[dict] = []
    for epoch in range(1, args.epochs + 1):
        train_loss = train(args, model, images, labels, optimizer, scheduler, generator, epoch)
        scores = common.evaluate_classifier(model, test_images, test_labels, args.device)
        common.log_epoch(history, epoch, train_loss, test_loss=scores["loss"], test_accuracy=scores["accuracy"])

    test = common.evaluate_classifier(model, test_images, test_labels, args.device)  # loss, accuracy, per class, confusion
    metrics = {
        "test": test,
        "history": history,
        "run": {**common.run_info(args, started, train_size=mnist_size, pen_canvas=PEN_CANVAS,
                                  pen_digit_height=PEN_DIGIT_HEIGHT, pen_width=PEN_WIDTH, augmentation=AUGMENTATION),
                "training_examples_per_epoch": len(images)},
        "data": "MNIST (trained on the 10k offline subset)" if mnist_size == 10_000 else "MNIST",
    }
    common.finish(args, model, metrics, model_card(model, metrics))
    print(f"test accuracy {test['accuracy']:.4f} on {len(test_images):,} test images")
    return metrics


if __name__ == "__main__":
    main()
