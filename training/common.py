"""Shared pieces of the training scripts: arguments, data, the loop, metrics, saving, pushing.

Every `training/train_*.py` has the same shape (pytorch/examples' mnist/main.py): argparse,
`train()` (one epoch, through `train_epoch`, the one training loop), `evaluate()`, and
`main()` with the epoch loop in plain sight; it writes one folder:

    weights/<demo>/config.json, model.safetensors   (PyTorchModelHubMixin)
    weights/<demo>/metrics.json                     (test metrics, curves, timing)
    weights/<demo>/README.md                        (model card quoting metrics.json)

No gradio here: these scripts also run on machines that only have torch.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm import tqdm

from demos import runtime

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"


def build_parser(
    description: str, *, epochs: int, batch_size: int, lr: float, out: Path, weight_decay: float = 1e-4
) -> argparse.ArgumentParser:
    """The flags every training script shares; scripts add their own."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="torchvision dataset root")
    parser.add_argument("--out", type=Path, default=out, help="folder for weights, metrics and model card")
    parser.add_argument("--epochs", type=int, default=epochs, help="passes over the training set")
    parser.add_argument("--batch-size", type=int, default=batch_size, help="training batch size")
    parser.add_argument("--lr", type=float, default=lr, help="peak learning rate (one-cycle schedule)")
    parser.add_argument("--weight-decay", type=float, default=weight_decay, help="AdamW weight decay")
    parser.add_argument("--seed", type=int, default=0, help="random seed for weights, order and augmentation")
    parser.add_argument("--device", default="auto", help="'auto' (cuda > mps > cpu), or a torch device")
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads (default: torch's choice)")
    parser.add_argument("--dry-run", action="store_true", help="smoke test: tiny subset, one epoch, a few batches")
    parser.add_argument("--push-to-hub", metavar="REPO_ID", default=None, help="upload the output folder to this Hub repo")
    return parser


def parse_args(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """Parse flags, reject bad values with parser.error, and apply the shared ones (threads, seed, dry run)."""
    args = parser.parse_args(argv)
    for name in ("epochs", "batch_size"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.lr <= 0:
        parser.error("--lr must be positive")
    if args.weight_decay < 0:
        parser.error("--weight-decay must be 0 or more")
    if args.threads is not None and args.threads < 1:
        parser.error("--threads must be at least 1")
    try:
        args.device = resolve_device(args.device)
    except ValueError as error:
        parser.error(str(error))
    if args.dry_run:
        args.epochs = 1
    if args.threads:
        torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    return args


def resolve_device(name: str) -> torch.device:
    """``--device``: 'auto' chooses as the app does (`runtime.best_device`), else a torch device that exists."""
    if name == "auto":
        return runtime.best_device()
    try:
        device = torch.device(name)
    except RuntimeError as error:
        raise ValueError(f"--device {name!r} is not a torch device") from error
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for but CUDA is not available")
    return device


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


DRY_RUN_BATCHES = 3  # --dry-run: this many batches per epoch, one epoch


def batches(
    images: torch.Tensor, labels: torch.Tensor, batch_size: int, *, shuffle: bool,
    generator: torch.Generator | None = None, max_batches: int | None = None,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Mini-batches of in-memory tensors (the data sets here fit in memory many times over)."""
    order = torch.randperm(len(images), generator=generator) if shuffle else torch.arange(len(images))
    for step, start in enumerate(range(0, len(images), batch_size)):
        if max_batches is not None and step >= max_batches:
            return
        index = order[start : start + batch_size]
        yield images[index], labels[index]


def steps_per_epoch(args: argparse.Namespace, train_size: int) -> int:
    """Optimizer steps in one epoch (a few in --dry-run)."""
    steps = -(-train_size // args.batch_size)
    return min(steps, DRY_RUN_BATCHES) if args.dry_run else steps


def optimizer_and_schedule(
    args: argparse.Namespace, model: nn.Module, train_size: int
) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler]:
    """AdamW (``--weight-decay``) with a one-cycle learning rate peaking at ``--lr`` over all epochs."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    total = args.epochs * steps_per_epoch(args, train_size)
    return optimizer, torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=total)


def train_epoch(
    args: argparse.Namespace,
    model: nn.Module,
    images: torch.Tensor,
    targets: torch.Tensor,
    optimizer: torch.optim.Optimizer,
    scheduler: torch.optim.lr_scheduler.LRScheduler,
    generator: torch.Generator,
    loss_of: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    epoch: int,
) -> float:
    """The one training loop: shuffled batches -> ``loss_of(inputs, targets)`` on the device ->
    backward -> step; returns the mean training loss of the epoch."""
    model.train()
    total, count = 0.0, 0
    progress = tqdm(batches(images, targets, args.batch_size, shuffle=True, generator=generator,
                            max_batches=DRY_RUN_BATCHES if args.dry_run else None),
                    total=steps_per_epoch(args, len(images)), desc=f"epoch {epoch}/{args.epochs}", leave=False)
    for inputs, batch_targets in progress:
        loss = loss_of(inputs.to(args.device), batch_targets.to(args.device))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(inputs)
        count += len(inputs)
        progress.set_postfix(loss=f"{total / count:.4f}")
    return total / max(count, 1)


def train_classifier_epoch(
    args: argparse.Namespace, model: nn.Module, images: torch.Tensor, labels: torch.Tensor,
    optimizer: torch.optim.Optimizer, scheduler: torch.optim.lr_scheduler.LRScheduler, generator: torch.Generator,
    epoch: int, augment: Callable[[torch.Tensor], torch.Tensor],
) -> float:
    """One epoch of an image classifier (digits, fashion): ``augment``-ed batches, cross-entropy with
    ``--label-smoothing``; the mean training loss."""

    def loss_of(inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        return nn.functional.cross_entropy(model(augment(inputs)), targets, label_smoothing=args.label_smoothing)

    return train_epoch(args, model, images, labels, optimizer, scheduler, generator, loss_of, epoch)


def log_epoch(history: list[dict], epoch: int, train_loss: float, **scores: float) -> None:
    """Append one epoch's figures to ``history`` (rounded as metrics.json keeps them) and print them."""
    scores = {name: round(value, 5) for name, value in scores.items()}
    history.append({"epoch": epoch, "train_loss": round(train_loss, 4), **scores})
    print(f"epoch {epoch}: train loss {train_loss:.4f}, " + ", ".join(f"{k} {v}" for k, v in scores.items()), flush=True)


@torch.inference_mode()
def predict_probabilities(model: nn.Module, images: torch.Tensor, device: torch.device,
                          batch_size: int = 256) -> torch.Tensor:
    """(N, classes) softmax probabilities of a classifier for (N, C, H, W) images, in batches, on the CPU."""
    model.eval()
    if not len(images):
        return torch.zeros(0, len(model.labels))
    return torch.cat([torch.softmax(model(images[start : start + batch_size].to(device)).float(), dim=1).cpu()
                      for start in range(0, len(images), batch_size)])


@torch.inference_mode()
def evaluate_classifier(
    model: nn.Module, images: torch.Tensor, labels: torch.Tensor, device: torch.device, batch_size: int = 1000
) -> dict:
    """Loss, accuracy, per-class accuracy and the confusion matrix (rows: true, columns: predicted)."""
    model.eval()
    num_classes = len(model.labels)
    confusion = torch.zeros(num_classes, num_classes, dtype=torch.long)
    total_loss = 0.0
    for inputs, targets in batches(images, labels, batch_size, shuffle=False):
        logits = model(inputs.to(device)).float().cpu()
        total_loss += nn.functional.cross_entropy(logits, targets, reduction="sum").item()
        index = targets * num_classes + logits.argmax(dim=1)
        confusion += torch.bincount(index, minlength=num_classes**2).reshape(num_classes, num_classes)
    per_class = confusion.diag() / confusion.sum(dim=1).clamp(min=1)
    return {
        "loss": total_loss / len(images),
        "accuracy": confusion.diag().sum().item() / len(images),
        "per_class_accuracy": [round(value, 4) for value in per_class.tolist()],
        "confusion_matrix": confusion.tolist(),
    }


def load_image_dataset(dataset_class: type, data_dir: Path, train: bool, limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """A torchvision MNIST-like data set as (N, 1, 28, 28) floats in [0, 1] and (N,) int64 labels, in memory."""
    dataset = dataset_class(root=str(data_dir), train=train, download=True)
    images, labels = dataset.data[:limit], dataset.targets[:limit]
    return images.unsqueeze(1).float() / 255.0, torch.as_tensor(labels).long()


def _cpu_name() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()}, {os.cpu_count()} cores"
    return platform.processor() or platform.machine()


def run_info(args: argparse.Namespace, started: float, train_size: int, **constants: object) -> dict:
    """Facts about the run for metrics.json: every flag, the script's named constants (augmentation and
    the like), the device, the time and the data size. The model card reads them from here."""
    device = args.device
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else _cpu_name()
    flags = {key: str(value) if isinstance(value, Path) else value for key, value in vars(args).items()
             if key not in ("data_dir", "photos_dir", "out", "push_to_hub", "device")}
    return {
        **flags,
        **constants,
        "device": f"{device.type} ({name})",
        "torch_threads": torch.get_num_threads(),
        "wall_time_seconds": round(time.time() - started, 1),
        "train_size": train_size,
        "torch_version": torch.__version__,
    }


def save_outputs(model: nn.Module, out: Path, metrics: dict, model_card: str) -> None:
    """Weights + config (mixin), metrics.json and the model card README.md into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "README.md").write_text(model_card)  # written first: the mixin keeps an existing card
    model.save_pretrained(out)
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    size = (out / "model.safetensors").stat().st_size
    if size > 10 * 1024 * 1024:
        raise ValueError(f"{out / 'model.safetensors'} is {size / 2**20:.1f} MB; a Space refuses files over 10 MB")
    print(f"saved {out} ({size / 1e6:.2f} MB of weights)")


def finish(args: argparse.Namespace, model: nn.Module, metrics: dict, model_card: str) -> None:
    """Save weights, metrics and card to ``args.out``; push them when ``--push-to-hub`` was given."""
    model = model.cpu().eval()
    save_outputs(model, args.out, metrics, model_card)
    if args.push_to_hub:
        push_folder(args.out, args.push_to_hub)


def markdown_table(header: list, rows: list[list]) -> str:
    lines = ["| " + " | ".join(str(cell) for cell in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def card_front_matter(model: nn.Module, datasets: list[str], metrics: list[str]) -> str:
    """YAML front matter for a model card: the model class's Hub metadata (library, licence,
    pipeline tag, tags: declared once, on the class) plus the data sets and the metrics reported."""
    data = model.generate_model_card().data
    data.datasets, data.metrics = datasets, metrics
    return f"---\n{data.to_yaml()}\n---\n"


def hub_api() -> object:
    """A `huggingface_hub.HfApi` with the token from ``HF_TOKEN`` or the stored ``hf auth login`` (never printed)."""
    from huggingface_hub import HfApi

    return HfApi(token=os.environ.get("HF_TOKEN") or None)


def missing_weight_files(folder: Path) -> list[str]:
    """The files a model folder needs to load (`demos.runtime.WEIGHT_FILES`) that ``folder`` lacks."""
    return [file for file in runtime.WEIGHT_FILES if not (folder / file).is_file()]


def push_folder(folder: Path, repo_id: str, api: object | None = None, private: bool | None = None,
                commit_message: str = "Upload from training script") -> str:
    """Upload ``folder`` to the Hub model repo ``repo_id`` (created if missing, ``private`` if new);
    returns the repo URL. The training scripts' ``--push-to-hub`` and `training.publish` both push here."""
    api = api or hub_api()
    missing = missing_weight_files(folder)
    if missing:
        raise ValueError(f"{folder} has no {' and '.join(missing)}: nothing to push")
    api.create_repo(repo_id=repo_id, repo_type="model", private=private, exist_ok=True)
    api.upload_folder(folder_path=str(folder), repo_id=repo_id, repo_type="model", commit_message=commit_message)
    url = f"https://huggingface.co/{repo_id}"
    print(f"pushed {folder} to {url}")
    return url
