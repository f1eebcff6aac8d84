"""Train the half-digit completion UNet on MNIST and write weights/completion/.

    python -m training.train_completion               # full run (see the model card for the time)
    python -m training.train_completion --dry-run     # smoke test, seconds
    python -m training.train_completion --push-to-hub you/mnist-completion-unet

Input: an MNIST digit with columns 14-27 zeroed; target: the whole digit. The loss
(`--loss`: MSE by default, or binary cross-entropy, which reads as crisper strokes) is taken
on the hidden half only: the given half is copied through at inference. `--pen-copies N`
adds N redrawings of each digit with a round pen in the tab's framing, as the sketch-pad
sends them. Metrics include how often a digit reader (`--reader`, by default the committed
digits model) reads the half inputs, the completions and the originals correctly, and a
no-learning baseline. The figures themselves are in the model card.
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

from demos.completion.model import HALF, CompletionUNet, completion_mse, mask_right_half
from demos.completion.preprocess import CANVAS, drawing_to_field
from demos.digits.model import DigitCNN
from training import common
from training.pen import centre_lines, pen_drawing

OUT = common.REPO_ROOT / "weights" / "completion"
READER = common.REPO_ROOT / "weights" / "digits"
PEN_DIAMETER = (18, 30)  # canvas px: brush diameters around the tab's 24 px
# per-digit augmentation, each uniform in +-value times --jitter: people place a digit in the box a
# little differently
AUGMENTATION = {"rotation_degrees": 8, "scale": 0.1, "shift_pixels": 1.5}


def load_mnist(data_dir: Path, train: bool, limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    return common.load_image_dataset(torchvision.datasets.MNIST, data_dir, train, limit)


def pen_copies(images: torch.Tensor, copies: int, seed: int) -> torch.Tensor:
    """Sketch-pad-style redrawings in the tab's framing: the whole 28x28 field is the canvas."""
    rng = np.random.default_rng(seed)
    lines = centre_lines(images[:, 0].numpy())
    drawn = []
    for _ in range(copies):
        for line in tqdm(lines, desc="pen copies", leave=False):
            pen = rng.uniform(*PEN_DIAMETER)
            drawn.append(drawing_to_field(pen_drawing(line, CANVAS, CANVAS, pen)))
    return torch.from_numpy(np.stack(drawn)).unsqueeze(1) if drawn else images[:0]


def augment(images: torch.Tensor, jitter: float) -> torch.Tensor:
    """Small rotations, scales and shifts (AUGMENTATION, times ``jitter``); 0 leaves the images as they are."""
    if jitter == 0:
        return images
    batch, device = images.shape[0], images.device
    angle = (torch.rand(batch, device=device) * 2 - 1) * math.radians(AUGMENTATION["rotation_degrees"]) * jitter
    scale = 1 / (1 + (torch.rand(batch, device=device) * 2 - 1) * AUGMENTATION["scale"] * jitter)
    shift = (torch.rand(batch, 2, device=device) * 2 - 1) * (AUGMENTATION["shift_pixels"] / 14) * jitter
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


def train(args, model: CompletionUNet, images: torch.Tensor, optimizer, scheduler, generator: torch.Generator,
          epoch: int) -> float:
    """One epoch: augmented digits as targets, their masked copies as inputs, ``--loss`` on the hidden half."""

    def loss_of(batch: torch.Tensor, _: torch.Tensor) -> torch.Tensor:
        targets = augment(batch, args.jitter)
        return LOSSES[args.loss](model(mask_right_half(targets)), targets)

    no_labels = torch.zeros(len(images), dtype=torch.long)
    return common.train_epoch(args, model, images, no_labels, optimizer, scheduler, generator, loss_of, epoch)


@torch.inference_mode()
def complete_all(args, model: CompletionUNet, images: torch.Tensor, batch_size: int = 1000) -> torch.Tensor:
    """Whole digits (`CompletionUNet.complete`, as served): (N, 1, 28, 28) in [0, 1]."""
    model.eval()
    return torch.cat([model.complete(images[start : start + batch_size].to(args.device)).cpu()
                      for start in range(0, len(images), batch_size)])


def load_reader(folder: Path, device: torch.device) -> DigitCNN:
    """The digit reader the read rates are measured with (strictly loaded, eval mode)."""
    return DigitCNN.from_pretrained(folder, strict=True, map_location="cpu").to(device).eval()


@torch.inference_mode()
def read_rate(reader: DigitCNN, images: torch.Tensor, labels: torch.Tensor, device: torch.device) -> float:
    """Share of (N, 1, 28, 28) images the reader reads as their true digit."""
    predictions = torch.cat([reader(chunk.to(device)).argmax(dim=1).cpu() for chunk in images.split(1000)])
    return (predictions == labels).float().mean().item()


def evaluate(args, model: CompletionUNet, reader: DigitCNN, images: torch.Tensor, labels: torch.Tensor,
             train_images: torch.Tensor) -> dict:
    """Test MSE, the mean-digit baseline, and how often the reader reads halves, completions and originals."""
    completed = complete_all(args, model, images)
    mean_digit = train_images.mean(dim=0, keepdim=True)
    baseline = torch.where(torch.arange(images.shape[-1]) < HALF, mask_right_half(images), mean_digit)
    return {
        "mse": completion_mse(completed, images),
        "mse_baseline_mean_digit": completion_mse(baseline, images),
        "read_correctly": {
            "half_input": read_rate(reader, mask_right_half(images), labels, args.device),
            "completion": read_rate(reader, completed, labels, args.device),
            "original": read_rate(reader, images, labels, args.device),
        },
        "test_size": len(images),
    }


def model_card(model: CompletionUNet, metrics: dict) -> str:
    """The model card, from metrics.json alone (and the class's Hub metadata)."""
    test, run = metrics["test"], metrics["run"]
    aug = run["augmentation"]
    read = test["read_correctly"]
    curve = common.markdown_table(["epoch", f"train loss ({run['loss'].upper()}, hidden half)", "test MSE"],
                                  [[h["epoch"], h["train_loss"], h["test_mse"]] for h in metrics["history"]])
    return f"""{common.card_front_matter(model, ["mnist"], ["mse"])}
# Half-digit completion UNet (Deep Learning Demos)

Shown only the left half of a handwritten digit (columns 14-27 of the 28x28 MNIST
field zeroed), this UNet draws the whole digit; the app keeps the given half and shows
the network's right half next to it.

## Results on the official 10,000-image MNIST test set

| | value |
|---|---|
| MSE over the full 28x28 image (pixels in [0, 1]) | **{test['mse']:.4f}** |
| baseline: keep the left half, fill the right with the mean training digit | {test['mse_baseline_mean_digit']:.4f} |

How often the digits classifier ({run['reader']}) reads the true digit in:

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
  tab's framing; augmentation strength {run['jitter']} x (rotations ±{aug['rotation_degrees']}°,
  scales ±{aug['scale']:.0%}, shifts ±{aug['shift_pixels']} px).
- AdamW (weight decay {run['weight_decay']}), one-cycle learning rate peaking at {run['lr']}, batch {run['batch_size']}, {run['epochs']} epochs,
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
    parser.add_argument("--reader", type=Path, default=READER, help="folder of the digits model that reads the results")
    args = common.parse_args(parser, argv)
    if args.base_channels < 1:
        parser.error("--base-channels must be at least 1")
    if args.pen_copies < 0:
        parser.error("--pen-copies must be 0 or more")
    if not 0 <= args.jitter <= 2:
        parser.error("--jitter must be between 0 and 2")
    if not (args.reader / "model.safetensors").is_file():
        parser.error(f"--reader {args.reader} holds no digits model (train one with python -m training.train_digits)")
    started = time.time()
    limit = 256 if args.dry_run else None
    images, _ = load_mnist(args.data_dir, train=True, limit=limit)
    test_images, test_labels = load_mnist(args.data_dir, train=False, limit=limit)
    mnist_size = len(images)
    if args.pen_copies:
        images = torch.cat([images, pen_copies(images, args.pen_copies, args.seed)])

    model = CompletionUNet(base_channels=args.base_channels, depth=args.depth).to(args.device)
    optimizer, scheduler = common.optimizer_and_schedule(args, model, len(images))
    generator = torch.Generator().manual_seed(args.seed)  # batch order
    history: list[dict] = []
    for epoch in range(1, args.epochs + 1):
        train_loss = train(args, model, images, optimizer, scheduler, generator, epoch)
        common.log_epoch(history, epoch, train_loss, test_mse=completion_mse(complete_all(args, model, test_images),
                                                                              test_images))

    test = evaluate(args, model, load_reader(args.reader, args.device), test_images, test_labels, images[:mnist_size])
    metrics = {
        "test": test, "history": history,
        "config": {"base_channels": args.base_channels, "depth": args.depth},
        "run": {**common.run_info(args, started, train_size=mnist_size, pen_diameter=PEN_DIAMETER,
                                  augmentation=AUGMENTATION),
                "reader": str(args.reader.relative_to(common.REPO_ROOT)) if args.reader.is_relative_to(common.REPO_ROOT)
                else str(args.reader),
                "training_examples_per_epoch": len(images)},
        "data": "MNIST (trained on the 10k offline subset)" if mnist_size == 10_000 else "MNIST",
    }
    common.finish(args, model, metrics, model_card(model, metrics))
    print(f"test MSE {test['mse']:.4f}; read correctly: " +
          ", ".join(f"{k} {v:.1%}" for k, v in test["read_correctly"].items()))
    return metrics


if __name__ == "__main__":
    main()
