"""Does the Digits tab read every writer's style, and refuse what is not a digit? Prints figures.

    python -m benchmarks.digits_styles [--per-kind 300] [--seed 0] [--data-dir ../shared/data]
    python -m benchmarks.digits_styles --only nonsense --save-misreads docs/nonsense-read-as-digits.png

Everything is drawn as the app's 280 px sketch-pad delivers it (black strokes of the pad's 20 px
brush on a transparent canvas, the figure 45-85% of the pad's height, anywhere near the middle)
and read through `demos.digits.classify`, the completion tab's inputs through
`demos.completion.complete_drawing`. The drawings (`training/handwriting.py`):

- writing styles: strokes added to MNIST *test* digits (slashed 0, flagged 1, 1 with a foot
  serif, crossed 7) or stroke templates (open-top 4, flat-topped 5, 9 with a straight tail,
  2 with a loop), with a seed the training does not use; plain MNIST test digits for reference;
- letters that look like no digit, from fonts the model never trained on: the Hershey fonts
  `HELD_OUT_FONTS` and the TrueType fonts found on this machine (thinned to a centre line and
  drawn with the pen); counted right when refused or answered below 50%;
- nonsense: noise, dots, an all-black pad, scribbles, random lines and shapes (the kinds the training
  makes, new draws), and two kinds of scribble the training never makes (`HELD_OUT_SCRIBBLES`);
  counted wrong when any digit gets above 50%; ``--save-misreads`` draws those, as the digits model
  saw them (the Digits tab's framed drawing, the completion tab's completed digit), with what it said.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torchvision
from PIL import Image, ImageDraw, ImageFont

from demos import imaging, runtime
from demos.completion.predict import CANVAS as COMPLETION_CANVAS
from demos.completion.predict import complete_drawing
from demos.completion.preprocess import BRUSH as COMPLETION_BRUSH
from demos.digits import classify, read_drawing
from demos.digits.tab import BRUSH, CANVAS
from training import handwriting
from training.common import DEFAULT_DATA_DIR
from training.pen import centre_lines, pen_drawing, thin

PEN = 2 * BRUSH  # px: the pad's brush is a radius
FIGURE_HEIGHT = (0.45, 0.85)  # of the pad's height
MISREAD_TILE, MISREAD_CAPTION, MISREADS_PER_ROW = 84, 26, 12  # px: a 28x28 input 3x, two lines under it
MISREADS_SHOWN = 12  # per tab and kind
TRUETYPE_DIRS = (Path("/usr/share/fonts/truetype"), Path("/usr/share/fonts/opentype"))


def pad_drawing(line: np.ndarray, rng: np.random.Generator) -> dict:
    """A centre-line mask drawn on the Digits pad: a Gradio sketch value."""
    figure = rng.uniform(*FIGURE_HEIGHT) * CANVAS
    height = figure * line.shape[0] / handwriting.FIGURE  # the mask is taller than its figure
    centre = tuple(rng.uniform(0.4, 0.6, size=2))
    composite = pen_drawing(line, CANVAS, height, PEN, centre)
    return {"background": None, "layers": [composite], "composite": composite}


def truetype_fonts() -> list[Path]:
    """The TrueType/OpenType fonts on this machine (the training uses none of them)."""
    return sorted(path for folder in TRUETYPE_DIRS if folder.is_dir() for path in folder.rglob("*.[ot]tf"))


def truetype_letter_line(char: str, font: Path, rng: np.random.Generator) -> np.ndarray:
    """A letter from a TrueType font, slanted and stretched a little, thinned to its centre line."""
    size = handwriting.LINE_SIZE * 3
    image = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(image)
    face = ImageFont.truetype(str(font), int(size * 0.6))
    draw.text((size / 2, size / 2), char, fill=255, font=face, anchor="mm")
    shear, stretch = rng.uniform(-0.25, 0.25), rng.uniform(0.8, 1.2)
    image = image.transform(image.size, Image.Transform.AFFINE,
                            (1 / stretch, shear, -shear * size / 2 + (1 - 1 / stretch) * size / 2, 0, 1, 0),
                            resample=Image.Resampling.BILINEAR)
    mask = np.asarray(image) > 127
    rows, cols = np.nonzero(mask)
    crop = mask[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    scale = handwriting.FIGURE / max(crop.shape)
    small = Image.fromarray(crop.astype(np.uint8) * 255).resize(
        (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale))), Image.Resampling.BILINEAR)
    field = np.zeros((handwriting.LINE_SIZE, handwriting.LINE_SIZE), dtype=bool)
    top, left = (handwriting.LINE_SIZE - small.height) // 2, (handwriting.LINE_SIZE - small.width) // 2
    field[top : top + small.height, left : left + small.width] = np.asarray(small) > 127
    return thin(field[None])[0]


def short_strokes(rng: np.random.Generator) -> handwriting.Strokes:
    """3-6 short straight strokes, each through 2-4 random points (crosses, ticks, hatching)."""
    return [rng.uniform(0, 1, size=(int(rng.integers(2, 5)), 2)) for _ in range(int(rng.integers(3, 7)))]


def random_walk(rng: np.random.Generator) -> handwriting.Strokes:
    """A jittery random walk of 50-300 unsmoothed steps."""
    return [rng.normal(0, 1, size=(int(rng.integers(50, 300)), 2)).cumsum(axis=0)]


# scribbles made here only: the training's scribbles are smooth walks and zigzags through random points
HELD_OUT_SCRIBBLES = {"short strokes": short_strokes, "random walks": random_walk}


def top_probability(probabilities: dict[str, float]) -> float:
    return max(probabilities.values(), default=0.0)


def styles(args: argparse.Namespace, rng: np.random.Generator) -> None:
    test = torchvision.datasets.MNIST(root=str(args.data_dir), train=False, download=True)
    digits, labels = test.data.numpy().astype(np.float32) / 255.0, test.targets.numpy()
    print(f"\nWriting styles ({args.per_kind} drawings each, on the 280 px pad with its 20 px brush)")
    print(f"{'style':34s} {'read right':>10s} {'refused':>8s}  most common wrong answer")
    index = rng.choice(len(digits), size=args.per_kind, replace=False)
    rows = [("plain MNIST test digits", [(line, int(label)) for line, label in
                                         zip(centre_lines(digits[index]), labels[index])])]
    for name, style in handwriting.STYLES.items():
        sources = [None] * args.per_kind
        if style.from_mnist:
            same = np.flatnonzero(labels == style.digit)
            sources = list(centre_lines(digits[rng.choice(same, size=args.per_kind)]))
        rows.append((name, [(style.draw(rng, source), style.digit) for source in sources]))
    for name, drawings in rows:
        answers = [classify(pad_drawing(line, rng)) for line, _ in drawings]
        right = sum(bool(a) and max(a, key=a.get) == str(label) for a, (_, label) in zip(answers, drawings))
        refused = sum(not a for a in answers)
        wrong = [max(a, key=a.get) for a, (_, label) in zip(answers, drawings) if a and max(a, key=a.get) != str(label)]
        common = max(set(wrong), key=wrong.count) if wrong else "-"
        print(f"{name:34s} {right / len(drawings):10.1%} {refused / len(drawings):8.1%}  {common}")


def letters(args: argparse.Namespace, rng: np.random.Generator) -> None:
    fonts: list[tuple[str, Callable[[str], np.ndarray]]] = [
        (f"Hershey {name}", lambda char, name=name: handwriting.letter_line(char, name, rng))
        for name in handwriting.HELD_OUT_FONTS]
    fonts += [(path.stem, lambda char, path=path: truetype_letter_line(char, path, rng)) for path in truetype_fonts()]
    per_letter = max(1, args.per_kind // len(handwriting.LETTERS))
    print(f"\nLetters that look like no digit ({handwriting.LETTERS}), fonts not trained on, "
          f"{per_letter} of each letter per font")
    print(f"{'font':34s} {'no digit':>9s} {'refused':>8s}  letters most often read as a digit")
    totals, misread = [], {}
    for font_name, make in fonts:
        outcomes = []
        for char in handwriting.LETTERS:
            for _ in range(per_letter):
                answer = classify(pad_drawing(make(char), rng))
                outcomes.append((not answer, top_probability(answer) < 0.5))
                if top_probability(answer) >= 0.5:
                    misread[char] = misread.get(char, 0) + 1
        no_digit = np.mean([refused or low for refused, low in outcomes])
        totals += outcomes
        print(f"{font_name:34s} {no_digit:9.1%} {np.mean([r for r, _ in outcomes]):8.1%}")
    worst = ", ".join(f"{char} {count}" for char, count in sorted(misread.items(), key=lambda kv: -kv[1])[:8])
    print(f"{'all fonts':34s} {np.mean([r or low for r, low in totals]):9.1%} "
          f"{np.mean([r for r, _ in totals]):8.1%}  {worst}")


def nonsense_pads(rng: np.random.Generator, canvas: int, pen: int, count: int) -> dict[str, list[np.ndarray]]:
    """Pads that hold no digit, as RGBA pictures of ``canvas`` px (lines drawn with a ``pen`` px brush)."""

    def rgba(grey: np.ndarray) -> np.ndarray:
        return np.dstack([grey, grey, grey, np.full_like(grey, 255)])

    def drawn(line: np.ndarray) -> np.ndarray:
        return pen_drawing(line, canvas, rng.uniform(0.6, 1.0) * canvas, pen, background="white")

    return {
        "noise": [(rng.random((canvas, canvas, 3)) * 255).astype(np.uint8) for _ in range(count)],
        "dots": [rgba(np.where(rng.random((canvas, canvas)) < rng.uniform(0.02, 0.3), 0, 255).astype(np.uint8))
                 for _ in range(count)],
        "all black": [rgba(np.zeros((canvas, canvas), np.uint8))],
        "scribbles": [drawn(handwriting.scribble_line(rng)) for _ in range(count)],
        "random lines": [drawn(handwriting.random_lines_line(rng)) for _ in range(count)],
        "shapes": [drawn(handwriting.shape_line(name, rng)) for name in handwriting.SHAPES
                   for _ in range(max(1, count // len(handwriting.SHAPES)))],
        **{f"{name}*": [drawn(handwriting.line_mask(make(rng))) for _ in range(count)]
           for name, make in HELD_OUT_SCRIBBLES.items()},
    }


@dataclass(frozen=True)
class Misread:
    """Nonsense read as a digit above 50%: the 28x28 picture the digits model read, and what it said."""

    kind: str
    picture: np.ndarray  # (28, 28) in [0, 1]
    digit: str
    probability: float


def as_misread(kind: str, picture: np.ndarray | None, probabilities: dict[str, float]) -> Misread | None:
    """A `Misread` when some digit has more than half the probability, else None (refused or low guesses)."""
    if top_probability(probabilities) <= 0.5:
        return None
    digit = max(probabilities, key=probabilities.get)
    return Misread(kind, picture, digit, probabilities[digit])


def save_misreads(path: Path, tabs: dict[str, list[Misread]]) -> None:
    """Each tab's misreads (up to MISREADS_SHOWN of each kind) as rows of captioned tiles under the
    tab's name, in one PNG."""
    font = ImageFont.load_default()
    rows: list[Image.Image] = []
    for tab, misreads in tabs.items():
        shown = [m for kind in dict.fromkeys(m.kind for m in misreads)
                 for m in [m for m in misreads if m.kind == kind][:MISREADS_SHOWN]]
        title = Image.new("L", (MISREADS_PER_ROW * MISREAD_TILE, MISREAD_CAPTION), 255)
        ImageDraw.Draw(title).text((4, 6), f"{tab}: {len(misreads)} read as a digit above 50% "
                                           f"(up to {MISREADS_SHOWN} of each kind shown)", fill=0, font=font)
        rows.append(title)
        for start in range(0, len(shown), MISREADS_PER_ROW):
            row = Image.new("L", (MISREADS_PER_ROW * MISREAD_TILE, MISREAD_TILE + MISREAD_CAPTION), 255)
            draw = ImageDraw.Draw(row)
            for column, misread in enumerate(shown[start : start + MISREADS_PER_ROW]):
                tile = Image.fromarray(np.clip(misread.picture * 255 + 0.5, 0, 255).astype(np.uint8))
                x = column * MISREAD_TILE
                row.paste(tile.resize((MISREAD_TILE - 4, MISREAD_TILE - 4), Image.Resampling.NEAREST), (x + 2, 2))
                draw.text((x + 3, MISREAD_TILE), misread.kind[:13], fill=0, font=font)
                draw.text((x + 3, MISREAD_TILE + 11), f"{misread.digit} {misread.probability:.0%}", fill=0, font=font)
            rows.append(row)
    sheet = Image.new("L", (rows[0].width, sum(row.height for row in rows)), 255)
    top = 0
    for row in rows:
        sheet.paste(row, (0, top))
        top += row.height
    imaging.save_small_png(sheet, path)


def nonsense(args: argparse.Namespace, rng: np.random.Generator) -> None:
    count = max(1, args.per_kind // 3)
    print(f"\nNonsense (up to {count} of each): share answered with a digit above 50%, and the highest digit seen"
          "\n(* a kind the training never makes)")
    print(f"{'input':14s} {'Digits tab':>11s} {'max':>6s} {'Completion tab':>15s} {'max':>6s}")
    digit_pads = nonsense_pads(rng, CANVAS, PEN, count)
    completion_pads = nonsense_pads(rng, COMPLETION_CANVAS, 2 * COMPLETION_BRUSH, count)
    misreads: dict[str, list[Misread]] = {"Digits tab": [], "Completion tab": []}
    for kind, pads in digit_pads.items():
        readings = [read_drawing(pad) for pad in pads]
        completions = [complete_drawing(pad) for pad in completion_pads[kind]]
        read = [top_probability(reading.probabilities) for reading in readings]
        completed = [top_probability(completion.probabilities) for completion in completions]
        print(f"{kind:14s} {np.mean(np.array(read) > 0.5):11.1%} {max(read):6.2f} "
              f"{np.mean(np.array(completed) > 0.5):15.1%} {max(completed):6.2f}")
        misreads["Digits tab"] += [as_misread(kind, r.model_input, r.probabilities) for r in readings]
        misreads["Completion tab"] += [as_misread(kind, c.whole, c.probabilities) for c in completions]
    if args.save_misreads:
        save_misreads(args.save_misreads, {tab: [m for m in found if m] for tab, found in misreads.items()})
        print(f"saved what was read as a digit to {args.save_misreads}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--per-kind", type=int, default=300, help="drawings per style (and letters per font)")
    parser.add_argument("--seed", type=int, default=1000, help="drawing seed (training uses 0-2)")
    parser.add_argument("--only", choices=["styles", "letters", "nonsense"], help="run one part")
    parser.add_argument("--save-misreads", type=Path, metavar="PNG",
                        help="draw the nonsense read as a digit above 50%% (both tabs) into this picture")
    args = parser.parse_args(argv)
    if args.per_kind < 1:
        parser.error("--per-kind must be at least 1")
    if args.save_misreads and args.only not in (None, "nonsense"):
        parser.error("--save-misreads draws the nonsense part: use it with --only nonsense (or no --only)")
    runtime.configure_threads()
    started = time.perf_counter()
    for part in (styles, letters, nonsense):
        if args.only in (None, part.__name__):
            part(args, np.random.default_rng(args.seed))
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
