"""Train the half-digit completion UNet on MNIST and write weights/completion/.

    python -m training.train_completion               # full run (see the model card for the time)
    python -m training.train_completion --dry-run     # smoke test, seconds
    python -m training.train_completion --push-to-hub you/mnist-completion-unet

Input: an MNIST digit with columns 14-27 zeroed; target: the whole digit. The loss
(`--loss`: MSE by default, or binary cross-entropy, which reads as crisper strokes) is taken
on the hidden half only: the given half is copied through at inference. `--pen-copies N`
adds N redrawings of each digit with a round pen in the tab's framing, as the sketch-pad
sends them. Metrics include how often the committed digits model reads the half inputs,
the completions and the originals correctly, and a no-learning baseline.

Measured here (see weights/completion/README.md): MSE loss, no pen copies, jitter 0.5 gives
test MSE 0.0153; BCE with one pen copy and jitter 1.0 gave 0.0181 (completions read 95.3%).
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

from demos.completion.model import HALF, CompletionUNet, mask_right_half
from demos.completion.preprocess import CANVAS, drawing_to_field
from demos.digits.predict import digit_probabilities
from training import common
from training.pen import centre_lines, pen_drawing

OUT = common.REPO_ROOT / "weights" / "completion"


def load_mnist(data_dir: Path, train: bool, limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    return common.load_image_dataset(torchvision.datasets.MNIST, data_dir, train, limit)


def pen_copies(images: torch.Tensor, copies: int, seed: int) -> torch.Tensor:
    """Sketch-pad-style redrawings in the tab's framing: the whole 28x28 field is the canvas."""
    rng = np.random.default_rng(seed)
    lines = centre_lines(images[:, 0].numpy())
    drawn = []
    for _ in range(copies):
        for line in tqdm(lines, desc="pen copies", leave=False):
            pen = rng.uniform(18, 30)  # canvas px: brush diameters around the tab's 24 px
            drawn.append(drawing_to_field(pen_drawing(line, CANVAS, CANVAS, pen)))
    return torch.from_numpy(np.stack(drawn)).unsqueeze(1) if drawn else images[:0]


def augment(images: torch.Tensor, jitter: float = 1.0) -> torch.Tensor:
    """Small rotations (±8°), scales (0.9-1.1) and shifts (±1.5 px), times ``jitter``: people place a
    digit in the box a little differently. ``jitter`` 0 leaves the images as they are."""
    if jitter == 0:
        return images
    batch, device = images.shape[0], images.device
    angle = (torch.rand(batch, device=device) * 2 - 1) * math.radians(8) * jitter
    scale = 1 / (1 + (torch.rand(batch, device=device) * 2 - 1) * 0.1 * jitter)
    shift = (torch.rand(batch, 2, device=device) * 2 - 1) * (1.5 / 14) * jitter
    cos, sin = torch.cos(angle) * scale, torch.sin(angle) * scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, align_corners=False).clamp(0, 1)


LOSSES = {
    # per pixel of the hidden half; both are minimised by the same (mean) prediction, BCE pushes
    # confident pixels harder towards 0 or 1, which reads as crisper strokes
    "bce": lambda logits, targets: F.binary_cross_entropy_with_logits(logits[..., HALF:], targets[..., HALF:]),
    "mse": lambda logits, targets: F.mse_loss(torch.sigmoid(logits[..., HALF:]), targets[..., HALF:]),
}


def train(args, model: CompletionUNet, images: torch.Tensor, test: torch.Tensor) -> list[dict]:
    """Augmented digits as targets, their masked copies as inputs; returns the per-epoch history."""

    def prepare(batch: torch.Tensor, _: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        targets = augment(batch, args.jitter)
        return mask_right_half(targets), targets

    return common.fit(
        args, model, images, torch.zeros(len(images), dtype=torch.long),  # no labels needed
        prepare=prepare, loss_fn=LOSSES[args.loss],
        evaluate=lambda: {"test_mse": completion_mse(complete_all(args, model, test), test)},
    )


@torch.inference_mode()
def complete_all(args, model: CompletionUNet, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Whole digits: the given left half, the network's right half. (N, 1, 28, 28) in [0, 1]."""
    model.eval()
    out = []
    for start in range(0, len(images), batch_size):
        batch = images[start : start + batch_size].to(args.device)
        masked = mask_right_half(batch)
        drawn = torch.sigmoid(model(masked))
        out.append(torch.where(torch.arange(28, device=args.device) < HALF, masked, drawn).cpu())
    return torch.cat(out)


def completion_mse(completed: torch.Tensor, originals: torch.Tensor) -> float:
    """Mean squared error over the full 28x28 image, pixels in [0, 1]."""
    return F.mse_loss(completed, originals).item()


def read_rate(images: torch.Tensor, labels: torch.Tensor) -> float:
    """Share of images the committed digits model reads as their true digit."""
    probabilities = np.concatenate([digit_probabilities(chunk[:, 0].numpy()) for chunk in images.split(1000)])
    return float((probabilities.argmax(axis=1) == labels.numpy()).mean())


def evaluate(args, model: CompletionUNet, images: torch.Tensor, labels: torch.Tensor, train_images: torch.Tensor) -> dict:
    completed = complete_all(args, model, images)
    mean_digit = train_images.mean(dim=0, keepdim=True)
    baseline = torch.where(torch.arange(28) < HALF, mask_right_half(images), mean_digit)
    return {
        "mse": completion_mse(completed, images),
        "mse_baseline_mean_digit": completion_mse(baseline, images),
        "read_correctly": {
            "half_input": read_rate(mask_right_half(images), labels),
            "completion": read_rate(completed, labels),
            "original": read_rate(images, labels),
        },
        "test_size": len(images),
    }


def model_card(metrics: dict) -> str:
    test, run = metrics["test"], metrics["run"]
    read = test["read_correctly"]
    curve = common.markdown_table(["epoch", f"train loss ({run['loss'].upper()}, hidden half)", "test MSE"],
                                  [[h["epoch"], h["train_loss"], h["test_mse"]] for h in metrics["history"]])
    return f"""{common.card_front_matter(["mnist", "unet", "image-to-image", "deep-learning-demos"], ["mnist"], {"mse": test["mse"]})}
# Half-digit completion UNet (Deep Learning Demos)

Shown only the left half of a handwritten digit (columns 14-27 of the 28x28 MNIST
field zeroed), this UNet draws the whole digit; the app keeps the given half and shows
the network's right half next to it.

## Results on the official 10,000-image MNIST test set

| | value |
|---|---|
| MSE over the full 28x28 image (pixels in [0, 1]) | **{test['mse']:.4f}** |
| baseline: keep the left half, fill the right with the mean training digit | {test['mse_baseline_mean_digit']:.4f} |

How often the committed digits classifier reads the true digit in:

| input to the classifier | read correctly |
|---|---|
| the half digit alone | {read['half_input']:.1%} |
| **the completed digit** | **{read['completion']:.1%}** |
| the original whole digit | {read['original']:.1%} |

Trained on the 10k offline subset (the first {run['train_size']:,} official MNIST
training images) — written by `python -m training.train_completion`.

## Training

- UNet: base width {metrics['config']['base_channels']}, depth {metrics['config']['depth']}
  (double 3x3 convs with batch norm, max-pool down, transposed convs up, skip connections).
- Loss: {"binary cross-entropy" if run['loss'] == "bce" else "mean squared error"} on the hidden half only.
- Data: {run['train_size']:,} MNIST digits plus {run['pen_copies']} pen-redrawn copies per digit in the
  tab's framing; augmentation strength {run['jitter']} x (rotations ±8°, scales 0.9–1.1, shifts ±1.5 px).
- AdamW, one-cycle learning rate peaking at {run['lr']}, batch {run['batch_size']}, {run['epochs']} epochs,
  seed {run['seed']}. Wall time {run['wall_time_seconds']:.0f} s on {run['device']} with
  {run['torch_threads']} torch threads.

{curve}

## Use

```python
from demos.completion import complete
whole = complete(left_half)  # 28x28 uint8 or float, white on black -> (28, 28) float32 in [0, 1]
```
"""


def main(argv: list[str] | None = None) -> dict:
    parser = common.build_parser(__doc__.splitlines()[0], epochs=25, batch_size=128, lr=3e-3, out=OUT)
    parser.add_argument("--base-channels", type=int, default=24, help="UNet width at full resolution")
    parser.add_argument("--depth", type=int, default=2, choices=(1, 2), help="number of down/up-sampling steps")
    parser.add_argument("--pen-copies", type=int, default=0, help="pen-redrawn copies of each training digit")
    parser.add_argument("--loss", choices=sorted(LOSSES), default="mse", help="loss on the hidden half")
    parser.add_argument("--jitter", type=float, default=0.5, help="strength of the rotation/scale/shift augmentation")
    args = common.parse_args(parser, argv)
    if args.base_channels < 1:
        parser.error("--base-channels must be at least 1")
    if args.pen_copies < 0:
        parser.error("--pen-copies must be 0 or more")
    if not 0 <= args.jitter <= 2:
        parser.error("--jitter must be between 0 and 2")
    started = time.time()
    limit = 256 if args.dry_run else None
    images, _ = load_mnist(args.data_dir, train=True, limit=limit)
    test_images, test_labels = load_mnist(args.data_dir, train=False, limit=limit)
    mnist_size = len(images)
    if args.pen_copies:
        images = torch.cat([images, pen_copies(images, args.pen_copies, args.seed)])
    model = CompletionUNet(base_channels=args.base_channels, depth=args.depth).to(args.device)
    history = train(args, model, images, test_images)
    test = evaluate(args, model, test_images, test_labels, images[:mnist_size])
    metrics = {
        "test": test, "history": history,
        "config": {"base_channels": args.base_channels, "depth": args.depth},
        "run": {**common.run_info(args, started, train_size=mnist_size), "pen_copies": args.pen_copies,
                "training_examples_per_epoch": len(images), "loss": args.loss,
                "jitter": args.jitter},
        "data": "MNIST (trained on the 10k offline subset)" if mnist_size == 10_000 else "MNIST",
    }
    common.finish(args, model, metrics, model_card(metrics))
    print(f"test MSE {test['mse']:.4f}; read correctly: " +
          ", ".join(f"{k} {v:.1%}" for k, v in test["read_correctly"].items()))
    return metrics


if __name__ == "__main__":
    main()
