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

Visitors are not MNIST's writers, and not everything drawn is a digit. Two more sets, made
by `training/handwriting.py` and drawn with the same pen (see the model card):
- writing styles MNIST barely has (`--style-copies` per style): slashed zeros, flagged 1s, 1s
  with a foot serif, crossed 7s (strokes added to MNIST digits), open-top 4s, flat-topped 5s,
  9s with a straight or hooked tail, 2s with a loop (stroke templates);
- an eleventh class, "not a digit" (`--not-digits` drawings): letters that look like no digit,
  from single-stroke fonts (the benchmark's fonts are others), drawn shapes, scribbles, zigzags of
  straight lines through random points, noise, and scribbles completed by the completion UNet
  (`--completer`), beside real digits completed by it (`--completed-digits`), as the completion
  tab shows the model both. The app refuses when "not a digit" reaches a threshold set on
  validation digits (`refusal_threshold`).
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

from demos.completion.model import CompletionUNet
from demos.completion.preprocess import BRUSH as COMPLETION_BRUSH
from demos.completion.preprocess import CANVAS as COMPLETION_CANVAS
from demos.completion.preprocess import HalfDrawingError, half_digit_from_drawing
from demos.digits.model import DIGITS, LABELS, NOT_A_DIGIT, DigitCNN
from demos.digits.preprocess import DrawingError, preprocess_drawing
from training import common, handwriting
from training.pen import centre_lines, pen_drawing

OUT = common.REPO_ROOT / "weights" / "digits"
COMPLETER = common.REPO_ROOT / "weights" / "completion"
# sketch-pad copies: a digit drawn on a PEN_CANVAS px canvas, its height and the pen's width drawn
# uniformly from these ranges (fractions of the canvas, and of the digit's height)
PEN_CANVAS = 160
PEN_DIGIT_HEIGHT = (0.5, 0.9)
PEN_WIDTH = (0.04, 0.18)
# per-sample augmentation in every batch
# the "not a digit" drawings, by kind (shares of --not-digits): letters, shapes, scribbles and random
# lines drawn with the pen; noise pads through preprocessing; noise fields to the model unframed;
# completed scribbles: letters, shapes, scribbles, random lines drawn anywhere on the completion tab's
# pad, their left half completed by the committed UNet (`--completer`), as that tab shows them
NOT_DIGIT_KINDS = {"letters": 0.4, "shapes": 0.12, "scribbles": 0.12, "random lines": 0.1, "noise pads": 0.06,
                   "noise fields": 0.06, "completed scribbles": 0.14}
NOISE_PAD_CANVAS = (160, 400)  # px, a noise pad's side
# the refusal threshold is the "not a digit" probability that this share of validation digits reach
# (see `refusal_threshold`), never below one half
REFUSED_DIGITS = 0.0005
AUGMENTATION = {"rotation_degrees": 15, "shear": 0.3, "scale": (0.85, 1.15), "shift_pixels": 2.5,
                "stroke_width": "blend with a 3x3 dilation (thicker) or erosion (thinner)"}


def load_mnist(data_dir: Path, train: bool, limit: int | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    return common.load_image_dataset(torchvision.datasets.MNIST, data_dir, train, limit)


def as_tensors(images: list[np.ndarray], labels: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    """(28, 28) arrays and their labels -> (N, 1, 28, 28) float and (N,) long tensors."""
    if not images:
        return torch.zeros(0, 1, 28, 28), torch.zeros(0, dtype=torch.long)
    return torch.from_numpy(np.stack(images).astype(np.float32)).unsqueeze(1), torch.tensor(labels, dtype=torch.long)


def draw_lines(lines: list[np.ndarray], labels: list[int], rng: np.random.Generator,
               desc: str) -> tuple[torch.Tensor, torch.Tensor]:
    """Centre-line masks drawn with a round pen on a sketch-pad-like canvas and framed by
    `preprocess_drawing` (pen width and figure height from PEN_WIDTH and PEN_DIGIT_HEIGHT); what
    preprocessing refuses (a vanished speck, a dense scribble) is left out, as the app refuses it."""
    drawn, drawn_labels = [], []
    for line, label in tqdm(zip(lines, labels), total=len(lines), desc=desc, leave=False):
        height = rng.uniform(*PEN_DIGIT_HEIGHT) * PEN_CANVAS
        try:
            drawn.append(preprocess_drawing(pen_drawing(line, PEN_CANVAS, height, rng.uniform(*PEN_WIDTH) * height)))
        except DrawingError:
            continue
        drawn_labels.append(label)
    return as_tensors(drawn, drawn_labels)


def pen_copies(images: torch.Tensor, labels: torch.Tensor, copies: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``copies`` sketch-pad-style redrawings of every digit (`draw_lines`)."""
    rng = np.random.default_rng(seed)
    lines = list(centre_lines(images[:, 0].numpy()))
    return draw_lines(lines * copies, labels.tolist() * copies, rng, "pen copies")


def style_copies(images: torch.Tensor, labels: torch.Tensor, per_style: int,
                 seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``per_style`` drawings of each of `handwriting.STYLES` (strokes added to random training digits
    of the style's class, or its template), labelled with the style's digit."""
    rng = np.random.default_rng(seed + 1)
    lines, line_labels = [], []
    for style in handwriting.STYLES.values():
        sources = [None] * per_style
        if style.from_mnist:
            same = torch.nonzero(labels == style.digit).flatten().numpy()
            if same.size == 0:
                continue
            sources = list(centre_lines(images[rng.choice(same, per_style), 0].numpy()))
        lines += [style.draw(rng, source) for source in sources]
        line_labels += [style.digit] * per_style
    return draw_lines(lines, line_labels, rng, "style copies")


def completed_scribbles(count: int, completer: CompletionUNet, rng: np.random.Generator,
                        fonts: tuple[str, ...] = handwriting.TRAIN_FONTS) -> torch.Tensor:
    """(N <= count, 1, 28, 28): letters, shapes, scribbles and random lines drawn anywhere on the
    completion tab's pad with its brush, read as that tab reads a pad, their left half completed by ``completer``
    (pads whose left half the tab refuses, blank or solid, are left out)."""
    fields = []
    for _ in range(count):
        line = handwriting.not_digit_line(rng, fonts)
        figure = rng.uniform(0.35, 1.0) * COMPLETION_CANVAS
        pad = pen_drawing(line, COMPLETION_CANVAS, figure * line.shape[0] / handwriting.FIGURE, 2 * COMPLETION_BRUSH,
                          tuple(rng.uniform(0.3, 0.7, size=2)), background="white")
        try:
            fields.append(half_digit_from_drawing(pad))
        except HalfDrawingError:
            continue
    if not fields:
        return torch.zeros(0, 1, 28, 28)
    with torch.inference_mode():
        return completer.complete(torch.from_numpy(np.stack(fields)).unsqueeze(1)).cpu()


def completed_digits(images: torch.Tensor, labels: torch.Tensor, count: int, completer: CompletionUNet,
                     seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` training digits (N, 1, 28, 28) with their right half drawn by ``completer``, labelled with
    their digit: what the completion tab shows this model for a real half digit. Without them the
    completed scribbles would teach it that a completed right half means "not a digit"."""
    rng = np.random.default_rng(seed + 4)
    index = torch.from_numpy(rng.choice(len(images), min(count, len(images)), replace=False))
    with torch.inference_mode():
        return completer.complete(images[index]).cpu(), labels[index]


def noise_pads(count: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Noise pads (`handwriting.noise_pad`, NOISE_PAD_CANVAS px) framed by `preprocess_drawing`; those
    it refuses as scribbles are left out, as the app refuses them before the model."""
    framed = []
    for _ in range(count):
        try:
            framed.append(preprocess_drawing(handwriting.noise_pad(rng, int(rng.integers(*NOISE_PAD_CANVAS)))))
        except DrawingError:
            continue
    return framed


def not_digits(count: int, completer: CompletionUNet, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``count`` things that are not digits (NOT_DIGIT_KINDS), labelled NOT_A_DIGIT: letters from
    `handwriting.TRAIN_FONTS`, shapes, scribbles and random lines drawn with the pen, noise pads
    framed by the app, unframed noise fields, and completed scribbles (``completer``: the completion UNet)."""
    rng = np.random.default_rng(seed + 2)
    label = LABELS.index(NOT_A_DIGIT)
    share = {kind: int(round(count * part)) for kind, part in NOT_DIGIT_KINDS.items()}
    shapes = list(handwriting.SHAPES)
    lines = [handwriting.letter_line(rng.choice(list(handwriting.LETTERS)), rng.choice(handwriting.TRAIN_FONTS), rng)
             for _ in range(share["letters"])]
    lines += [handwriting.shape_line(rng.choice(shapes), rng) for _ in range(share["shapes"])]
    lines += [handwriting.scribble_line(rng) for _ in range(share["scribbles"])]
    lines += [handwriting.random_lines_line(rng) for _ in range(share["random lines"])]
    drawn, _ = draw_lines(lines, [label] * len(lines), rng, "not digits")
    fields = [handwriting.noise_field(rng) for _ in range(share["noise fields"])]
    made, _ = as_tensors(noise_pads(share["noise pads"], rng) + fields, [])
    images = torch.cat([drawn, made, completed_scribbles(share["completed scribbles"], completer, rng)])
    return images, torch.full((len(images),), label, dtype=torch.long)


def validation_not_digits(count: int, completer: CompletionUNet, seed: int) -> torch.Tensor:
    """Non-digits the model never trains on, to set its refusal threshold: letters from
    `handwriting.VALIDATION_FONTS`, shapes, scribbles, random lines, noise pads and completed
    scribbles, new draws."""
    rng = np.random.default_rng(seed + 3)
    lines = [handwriting.not_digit_line(rng, handwriting.VALIDATION_FONTS) for _ in range(count)]
    drawn, _ = draw_lines(lines, [0] * len(lines), rng, "validation")
    pads, _ = as_tensors(noise_pads(count // 8, rng), [])
    return torch.cat([drawn, pads, completed_scribbles(count // 8, completer, rng, handwriting.VALIDATION_FONTS)])


def validation_digits(images: torch.Tensor, labels: torch.Tensor, seed: int) -> torch.Tensor:
    """Every training digit drawn once more with the pen (`pen_copies`), with a seed the training's copies
    do not use: shapes the model has seen, in drawings it has not. (MNIST's test set is for testing only,
    and the offline training set has no digits to spare.)"""
    return pen_copies(images, labels, 1, seed + 5)[0]


def refusal_threshold(model: DigitCNN, digits: torch.Tensor, not_digits: torch.Tensor, device: torch.device) -> dict:
    """The "not a digit" probability at or above which the app refuses: the level that REFUSED_DIGITS
    of the validation ``digits`` reach (their quantile), at least one half (below one half a digit would
    win). Between one half and it, no digit has half the probability: the app answers with its low
    guesses instead of refusing. Both sides are recorded: validation digits and non-digits refused."""
    index = LABELS.index(NOT_A_DIGIT)
    on_digits = common.predict_probabilities(model, digits, device)[:, index]
    rejected = common.predict_probabilities(model, not_digits, device)[:, index]
    threshold = max(0.5, float(torch.quantile(on_digits, 1 - REFUSED_DIGITS)))
    top_digit = 1 - rejected  # an upper bound on any one digit's share
    return {"refuse_at": round(threshold, 4), "validation_digits": len(digits),
            "validation_digits_refused": round(float((on_digits >= threshold).float().mean()), 5),
            "validation_size": len(not_digits),
            "validation_refused": round(float((rejected >= threshold).float().mean()), 4),
            "validation_refused_or_below_half": round(float(((rejected >= threshold) | (top_digit < 0.5)).float().mean()), 4)}


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
    """One epoch of `augment`-ed batches; each ensemble member's own cross-entropy (with
    ``--label-smoothing``), averaged, so each learns as if alone; the mean training loss."""

    def loss_of(inputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        logits = model.member_logits(augment(inputs))  # (B, K, classes)
        return F.cross_entropy(logits.flatten(0, 1), targets.repeat_interleave(model.members),
                               label_smoothing=args.label_smoothing)

    return common.train_epoch(args, model, images, labels, optimizer, scheduler, generator, loss_of, epoch)


def model_card(model: DigitCNN, metrics: dict) -> str:
    """The model card, from metrics.json alone (and the class's Hub metadata)."""
    test, run, rejection = metrics["test"], metrics["run"], metrics["rejection"]
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

A packed ensemble of {model.members} small CNNs (4 convs with batch norm and an MLP head each, run as
one network with grouped layers; the answer is their mean probability) that reads hand-drawn
digits in the Digits tab of Deep Learning Demos. Input: 28x28 white-on-black digits in [0, 1], framed as in MNIST
(longer side 20 px, centre of mass in the middle); the model normalises them itself with
the mean and standard deviation in its config.json. `demos.digits.preprocess.preprocess_drawing`
turns any drawing into that. Output: eleven classes, the digits 0-9 and **"not a digit"**
(letters, shapes, scribbles, random lines, noise); the app answers with a sentence instead of a digit when
that class reaches the threshold below.

## Results

**Test accuracy {test['accuracy']:.2%}** on the official 10,000-image MNIST test set
(test loss {test['loss']:.4f}), **trained on the 10k offline subset** (the first
{run['train_size']:,} official training images) — written by `python -m training.train_digits`.

{per_class}

{test['refused']:.2%} of the test digits are most likely "not a digit" to the model alone (counted as wrong
above). The app refuses a drawing when "not a digit" has at least **{rejection['refuse_at']:.2f}** of the
probability: the level that {run['refused_digits']:.2%} of {rejection['validation_digits']:,} validation digits reach
(every training digit drawn once more with the pen, a seed the training does not use; {rejection['validation_digits_refused']:.2%}
of them refused), never below one half. Between one half and that no digit has half the probability,
and the app shows its low guesses instead of refusing. Of {rejection['validation_size']:,} validation non-digits
(letters from the Hershey fonts {', '.join(run['validation_fonts'])}, shapes, scribbles, random lines, noise pads,
completed scribbles; none trained on) {rejection['validation_refused']:.1%} are refused and
{rejection['validation_refused_or_below_half']:.1%} refused or left with no digit above 50%.
Writing styles MNIST lacks and letters from fonts it never saw: `python -m benchmarks.digits_styles`
(figures in the project README).

## Training

- Data: MNIST training images, {run['train_size']:,} of them. There is no separate validation split for
  the training choices (epochs, augmentation: made watching the test curve below, so the test figure
  is slightly optimistic); the refusal threshold has its own validation sets (above).
- Sketch-pad copies: each digit is also redrawn {run['pen_copies']} times with a round pen
  (thinned to its centre line, pen width {run['pen_width'][0]:.0%}–{run['pen_width'][1]:.0%} of its height,
  as black strokes on a transparent canvas) and framed by the app's own `preprocess_drawing`:
  {run['training_examples_per_epoch']:,} examples per epoch, with the two sets below.
- Writing styles MNIST barely has ({run['style_copies']} drawings each, `training/handwriting.py`, same pen):
  {', '.join(run['styles'])}. The first four add strokes to MNIST training digits, the others are
  stroke templates with random slant, proportions and wobble.
- "Not a digit" ({run['not_digits']:,} made, {run['examples_per_class'][-1]:,} kept after the app's own refusals):
  {', '.join(f"{kind} {share:.0%}" for kind, share in run['not_digit_kinds'].items())}. Letters are
  {run['letters']} (letters that look like digits, such as O, I, S, Z, B, are left out), from the
  Hershey single-stroke fonts {', '.join(run['letter_fonts'])}; random lines are straight strokes joining 4 to 12
  random points (fewer could make a 7 or a flagged 1), or a lone stroke leaning far from upright; noise fields (noise, dots, stripes,
  blotches, solid ink) go to the model unframed, as the completion tab can hand them over; noise pads
  (colour or grey noise, dots) through the app's preprocessing; completed scribbles are letters,
  shapes, scribbles and random lines drawn anywhere on the completion tab's pad, their left half completed by the
  committed completion UNet, as that tab shows them to this model.
- Completed digits ({run['completed_digits']:,}): training digits with their right half drawn by that UNet,
  labelled with their digit, so a completed right half does not by itself mean "not a digit".
- Augmentation per sample in every batch: stroke width ({aug['stroke_width']}),
  rotation ±{aug['rotation_degrees']}°, shear ±{aug['shear']}, scale {aug['scale'][0]}–{aug['scale'][1]} per axis,
  shift ±{aug['shift_pixels']} px.
- Each member is trained on its own cross-entropy (the same batches; they differ by their starting weights).
- AdamW (weight decay {run['weight_decay']}), one-cycle learning rate peaking at {run['lr']}, batch {run['batch_size']},
  {run['epochs']} epochs, label smoothing {run['label_smoothing']}, seed {run['seed']}.
- Wall time {run['wall_time_seconds']:.0f} s on {run['device']} with {run['torch_threads']} torch threads.

{curve}

## Use

```python
from demos.digits import classify
classify(image)  # PIL image, numpy array or Gradio sketch value -> {{"0": p0, ..., "9": p9}}
```

`classify` returns `{{}}` for a blank pad, a speck, a dense scribble (refused before the model) and
for a drawing whose "not a digit" probability reaches the threshold above; otherwise the ten digits' probabilities,
which leave the "not a digit" share out.

Limitations: the digits are 10,000 from American writers of the 1990s plus made-up styles; the
non-digits are made up too (fonts, shapes, random strokes), so a letter drawn in a way unlike
any of them can still be read as a digit, and a very unusual digit can be refused.
"""


def main(argv: list[str] | None = None) -> dict:
    parser = common.build_parser(__doc__.splitlines()[0], epochs=12, batch_size=128, lr=3e-3, out=OUT)
    parser.add_argument("--label-smoothing", type=float, default=0.05, help="cross-entropy label smoothing")
    parser.add_argument("--pen-copies", type=int, default=2, help="pen-redrawn copies of each training digit")
    parser.add_argument("--style-copies", type=int, default=400, help="drawings of each writing style MNIST lacks")
    parser.add_argument("--members", type=int, default=3, help="CNNs in the packed ensemble")
    parser.add_argument("--completed-digits", type=int, default=5000,
                        help="training digits whose right half the completion UNet draws (as that tab shows them)")
    parser.add_argument("--completer", type=Path, default=COMPLETER,
                        help="completion UNet folder whose completions of scribbles are shown as non-digits")
    parser.add_argument("--not-digits", type=int, default=9000, help="letters, shapes, scribbles, random lines "
                        "and noise labelled 'not a digit'")
    args = common.parse_args(parser, argv)
    for flag in ("pen_copies", "style_copies", "not_digits", "completed_digits"):
        if getattr(args, flag) < 0:
            parser.error(f"--{flag.replace('_', '-')} must be 0 or more")
    if args.members < 1:
        parser.error("--members must be at least 1")
    if not 0 <= args.label_smoothing < 1:
        parser.error("--label-smoothing must be from 0 to below 1")
    started = time.time()
    limit = 256 if args.dry_run else None
    images, labels = load_mnist(args.data_dir, train=True, limit=limit)
    test_images, test_labels = load_mnist(args.data_dir, train=False, limit=limit)
    mnist_size = len(images)
    if args.dry_run:  # a few of each kind
        args.style_copies, args.not_digits = min(args.style_copies, 4), min(args.not_digits, 40)
        args.completed_digits = min(args.completed_digits, 16)
    completer = CompletionUNet.from_pretrained(args.completer).eval()
    made = [pen_copies(images, labels, args.pen_copies, args.seed),
            style_copies(images, labels, args.style_copies, args.seed),
            completed_digits(images, labels, args.completed_digits, completer, args.seed),
            not_digits(args.not_digits, completer, args.seed)]
    validation = validation_not_digits(max(40, args.not_digits // 7), completer, args.seed)
    images, labels = torch.cat([images] + [pair[0] for pair in made]), torch.cat([labels] + [pair[1] for pair in made])

    model = DigitCNN(labels=LABELS, members=args.members).to(args.device)
    optimizer, scheduler = common.optimizer_and_schedule(args, model, len(images))
    generator = torch.Generator().manual_seed(args.seed)  # batch order
    history: list[dict] = []
    for epoch in range(1, args.epochs + 1):
        train_loss = train(args, model, images, labels, optimizer, scheduler, generator, epoch)
        scores = common.evaluate_classifier(model, test_images, test_labels, args.device)
        common.log_epoch(history, epoch, train_loss, test_loss=scores["loss"], test_accuracy=scores["accuracy"])

    test = common.evaluate_classifier(model, test_images, test_labels, args.device)  # loss, accuracy, per class, confusion
    test["per_class_accuracy"] = test["per_class_accuracy"][: len(DIGITS)]  # the test set holds digits only
    rejection = refusal_threshold(model, validation_digits(images[:mnist_size], labels[:mnist_size], args.seed),
                                  validation, args.device)
    test["refused"] = sum(row[LABELS.index(NOT_A_DIGIT)] for row in test["confusion_matrix"]) / len(test_images)
    metrics = {
        "test": test,
        "rejection": rejection,
        "history": history,
        "run": {**common.run_info(args, started, train_size=mnist_size, pen_canvas=PEN_CANVAS,
                                  pen_digit_height=PEN_DIGIT_HEIGHT, pen_width=PEN_WIDTH, augmentation=AUGMENTATION,
                                  styles=list(handwriting.STYLES), not_digit_kinds=NOT_DIGIT_KINDS,
                                  letters=handwriting.LETTERS, letter_fonts=handwriting.TRAIN_FONTS,
                                  validation_fonts=handwriting.VALIDATION_FONTS, refused_digits=REFUSED_DIGITS,
                                  noise_pad_canvas=NOISE_PAD_CANVAS),
                "training_examples_per_epoch": len(images),
                "examples_per_class": torch.bincount(labels, minlength=len(LABELS)).tolist()},
        "data": "MNIST (trained on the 10k offline subset)" if mnist_size == 10_000 else "MNIST",
    }
    common.finish(args, model, metrics, model_card(model, metrics))
    print(f"test accuracy {test['accuracy']:.4f} on {len(test_images):,} test images")
    return metrics


if __name__ == "__main__":
    main()
