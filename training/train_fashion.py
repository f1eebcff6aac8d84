"""Train the Fashion tab's CNN on Fashion-MNIST and write weights/fashion/.

    python -m training.train_fashion                  # full run (see the model card for the time)
    python -m training.train_fashion --device cuda    # same, on a GPU
    python -m training.train_fashion --dry-run        # smoke test, seconds
    python -m training.train_fashion --push-to-hub you/fashion-cnn

All 60,000 training images; augmentation (AUGMENTATION): horizontal flips, small shifts and
random erasing, so the model does not lean on single pixels.
"""

from __future__ import annotations

import time
from pathlib import Path

import torch
import torch.nn.functional as F
import torchvision

from demos.fashion.model import CLASS_NAMES, FashionCNN
from training import common

OUT = common.REPO_ROOT / "weights" / "fashion"
# per-image augmentation in every batch; erased rectangles cover a share of the area in
# erase_area, with an aspect ratio of exp(uniform(-erase_log_aspect, erase_log_aspect))
AUGMENTATION = {"flip_probability": 0.5, "shift_pixels": 2, "erase_probability": 0.5,
                "erase_area": (0.02, 0.25), "erase_log_aspect": 1.2}


def load_fashion(data_dir: Path, train: bool, limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    return common.load_image_dataset(torchvision.datasets.FashionMNIST, data_dir, train, limit)


def augment(images: torch.Tensor) -> torch.Tensor:
    """Per image (AUGMENTATION): flip left-right, shift by a few px, erase a random rectangle with noise."""
    batch, _, height, width = images.shape
    device, shift = images.device, AUGMENTATION["shift_pixels"]
    flip = torch.rand(batch, device=device) < AUGMENTATION["flip_probability"]
    images = torch.where(flip[:, None, None, None], images.flip(3), images)
    # shift: pad with black and crop a random window
    padded = F.pad(images, (shift, shift, shift, shift))
    dy = torch.randint(0, 2 * shift + 1, (batch,), device=device)
    dx = torch.randint(0, 2 * shift + 1, (batch,), device=device)
    rows = (dy[:, None] + torch.arange(height, device=device))[:, :, None]  # (B, H, 1)
    cols = (dx[:, None] + torch.arange(width, device=device))[:, None, :]  # (B, 1, W)
    images = padded[torch.arange(batch, device=device)[:, None, None], 0, rows, cols].unsqueeze(1)
    # random erasing: a rectangle filled with noise
    area = torch.empty(batch, device=device).uniform_(*AUGMENTATION["erase_area"]) * height * width
    log_aspect = AUGMENTATION["erase_log_aspect"]
    aspect = torch.exp(torch.empty(batch, device=device).uniform_(-log_aspect, log_aspect))
    eh = (area * aspect).sqrt().clamp(1, height).long()
    ew = (area / aspect).sqrt().clamp(1, width).long()
    top = (torch.rand(batch, device=device) * (height - eh + 1)).long()
    left = (torch.rand(batch, device=device) * (width - ew + 1)).long()
    y = torch.arange(height, device=device)[None, :, None]
    x = torch.arange(width, device=device)[None, None, :]
    inside = (y >= top[:, None, None]) & (y < (top + eh)[:, None, None]) & (x >= left[:, None, None]) & (x < (left + ew)[:, None, None])
    inside &= (torch.rand(batch, device=device) < AUGMENTATION["erase_probability"])[:, None, None]
    noise = torch.rand_like(images)
    return torch.where(inside[:, None], noise, images)


def train(args, model: FashionCNN, images: torch.Tensor, labels: torch.Tensor, optimizer, scheduler,
          generator: torch.Generator, epoch: int) -> float:
    """One epoch of `augment`-ed batches, cross-entropy with ``--label-smoothing``; the mean training loss."""
    return common.train_classifier_epoch(args, model, images, labels, optimizer, scheduler, generator, epoch, augment)


def model_card(model: FashionCNN, metrics: dict) -> str:
    """The model card, from metrics.json alone (and the class's Hub metadata)."""
    test, run = metrics["test"], metrics["run"]
    aug = run["augmentation"]
    per_class = common.markdown_table(
        ["class", "test accuracy"], [[name, f"{value:.1%}"] for name, value in zip(CLASS_NAMES, test["per_class_accuracy"])]
    )
    confusion = common.markdown_table(
        ["true \\ predicted", *CLASS_NAMES], [[name, *row] for name, row in zip(CLASS_NAMES, test["confusion_matrix"])]
    )
    curve = common.markdown_table(
        ["epoch", "train loss", "test loss", "test accuracy"],
        [[h["epoch"], h["train_loss"], h["test_loss"], f"{h['test_accuracy']:.2%}"] for h in metrics["history"]],
    )
    return f"""{common.card_front_matter(model, ["fashion_mnist"], ["accuracy"])}
# Fashion CNN (Deep Learning Demos)

A 5-conv VGG-style CNN with batch norm that names garments in the Fashion tab of Deep
Learning Demos. Input: 28x28 light-on-black images in [0, 1] as in Fashion-MNIST; the model
normalises them itself with the mean and standard deviation in its config.json.
`demos.fashion.preprocess.preprocess_item` turns product photos (dark item on a light
background, any size or mode) into that.

## Results

**Test accuracy {test['accuracy']:.2%}** on the official 10,000-image Fashion-MNIST test set
(test loss {test['loss']:.4f}), trained on all {run['train_size']:,} training images —
written by `python -m training.train_fashion`.

{per_class}

Confusion matrix (rows: true class, columns: predicted):

{confusion}

## Training

- Augmentation per image: horizontal flip (p={aug['flip_probability']}), shift up to {aug['shift_pixels']} px,
  random erasing (p={aug['erase_probability']}, {aug['erase_area'][0]:.0%}–{aug['erase_area'][1]:.0%} of the area).
- No separate validation split: the settings were chosen once, before this run, and not tuned on the test set.
- AdamW (weight decay {run['weight_decay']}), one-cycle learning rate peaking at {run['lr']}, batch {run['batch_size']},
  {run['epochs']} epochs, label smoothing {run['label_smoothing']}, seed {run['seed']}.
- Wall time {run['wall_time_seconds']:.0f} s on {run['device']} with {run['torch_threads']} torch threads.

{curve}

## Use

```python
from demos.fashion import classify
classify(image)  # PIL image or numpy array -> {{"T-shirt/top": p, ..., "Ankle boot": p}}
```

Limitations: Fashion-MNIST holds Zalando product photos of single items on a plain
background; photos of worn clothes, several items or busy backgrounds are outside what
it learned. Shirts, T-shirts, pullovers and coats are the classes it confuses most.
"""


def main(argv: list[str] | None = None) -> dict:
    parser = common.build_parser(__doc__.splitlines()[0], epochs=30, batch_size=128, lr=3e-3, out=OUT,
                                 weight_decay=5e-4)
    parser.add_argument("--label-smoothing", type=float, default=0.1, help="cross-entropy label smoothing")
    args = common.parse_args(parser, argv)
    if not 0 <= args.label_smoothing < 1:
        parser.error("--label-smoothing must be from 0 to below 1")
    started = time.time()
    limit = 256 if args.dry_run else None
    images, labels = load_fashion(args.data_dir, train=True, limit=limit)
    test_images, test_labels = load_fashion(args.data_dir, train=False, limit=limit)

    model = FashionCNN().to(args.device)
    optimizer, scheduler = common.optimizer_and_schedule(args, model, len(images))
    generator = torch.Generator().manual_seed(args.seed)  # batch order
    history: list[dict] = []
    for epoch in range(1, args.epochs + 1):
        train_loss = train(args, model, images, labels, optimizer, scheduler, generator, epoch)
        scores = common.evaluate_classifier(model, test_images, test_labels, args.device)
        common.log_epoch(history, epoch, train_loss, test_loss=scores["loss"], test_accuracy=scores["accuracy"])

    test = common.evaluate_classifier(model, test_images, test_labels, args.device)  # loss, accuracy, per class, confusion
    metrics = {"test": test, "history": history, "class_names": list(CLASS_NAMES),
               "run": common.run_info(args, started, train_size=len(images), augmentation=AUGMENTATION),
               "data": "Fashion-MNIST"}
    common.finish(args, model, metrics, model_card(model, metrics))
    print(f"test accuracy {test['accuracy']:.4f} on {len(test_images):,} test images")
    return metrics


if __name__ == "__main__":
    main()
