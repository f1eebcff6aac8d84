"""Made-up handwriting for the Digits model: digit styles MNIST barely has, and things that are not digits.

MNIST's American writers of the 1990s rarely slash a zero or flag a one; a visitor may. And the
model must learn what is *not* a digit. Everything here is a centre-line mask (a boolean
(84, 84) array, the shape `training.pen.centre_lines` gives for MNIST digits: the figure's
longer side 60 px, as MNIST's 20 of 28), which `training.pen.pen_drawing` draws with a round pen as
the sketch-pad would. Used by `training/train_digits.py` and `benchmarks/digits_styles.py`.

    from training.handwriting import STYLES, letter_line, scribble_line
    line = STYLES["slashed zero"].make(mnist_zero_line, rng)   # a 0 with a slash through it
    line = letter_line("H", "futural", rng)                     # an H from a single-stroke font

Digit styles come two ways: strokes added to real MNIST digits (a slash through a 0, a flag or a
foot on a 1, a bar across a 7), or drawn from stroke templates with random slant, proportions and
wobble (open-top 4, flat-topped 5, 9 with a straight or hooked tail, 2 with a loop). Letters come
from the Hershey single-stroke vector fonts (public domain glyphs; the `Hershey-Fonts` package is
MIT), warped by a smooth random field so no two are alike.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from demos import imaging

LINE_SIZE = 84  # centre-line masks are 84x84: MNIST's 28x28 at 3x (training.pen.centre_lines)
FIGURE = 60  # px: a figure's longer side in the mask (MNIST's 20 of 28)

Stroke = np.ndarray  # (K, 2) points (x, y), y down
Strokes = list[Stroke]

# Letters that do not look like digits (O, I, l, S, Z, B, G, b, g, q ... do, and are left out:
# refusing them would teach the model to refuse real digits). The benchmark's letters are these.
LETTERS = "AEFHKMNPRUVWXYhkmnpuvwx"
TRAIN_FONTS = ("futural", "scripts", "timesr")  # Hershey fonts the model trains on
VALIDATION_FONTS = ("timesib", "timesrb")  # ... its refusal threshold is set on
HELD_OUT_FONTS = ("timesi", "scriptc", "futuram")  # ... only the benchmark uses


# ---------------------------------------------------------------- strokes -> centre-line mask

def line_mask(strokes: Strokes, size: int = LINE_SIZE, figure: float = FIGURE) -> np.ndarray:
    """Polylines in any coordinates -> a boolean (size, size) centre-line mask, the figure's longer
    side ``figure`` px, centred (aspect ratio kept)."""
    points = np.concatenate(strokes)
    low, high = points.min(axis=0), points.max(axis=0)
    scale = figure / max(float((high - low).max()), 1e-6)
    offset = size / 2 - (low + high) / 2 * scale
    image = Image.new("1", (size, size), 0)
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        placed = stroke * scale + offset
        if len(placed) == 1:
            draw.point(tuple(placed[0]), fill=1)
        else:
            draw.line([tuple(p) for p in placed], fill=1, width=1)
    return np.asarray(image, dtype=bool)


def _subdivide(stroke: Stroke, step: float) -> Stroke:
    """Points every ``step`` along a polyline, so a warp bends its straight pieces."""
    pieces = [stroke[:1]]
    for a, b in zip(stroke[:-1], stroke[1:]):
        count = max(1, int(math.ceil(np.linalg.norm(b - a) / step)))
        pieces.append(a + (b - a) * np.linspace(0, 1, count + 1)[1:, None])
    return np.concatenate(pieces)


def wobble(strokes: Strokes, rng: np.random.Generator, slant: float = 0.25, rotation_degrees: float = 8,
           aspect: tuple[float, float] = (0.75, 1.25), warp: float = 0.03) -> Strokes:
    """A hand's variation on strokes in a unit box: slant, rotation, proportions and a smooth random
    warp (the same at shared points, so joined strokes stay joined)."""
    angle = math.radians(rng.uniform(-rotation_degrees, rotation_degrees))
    shear = rng.uniform(-slant, slant)
    stretch = rng.uniform(*aspect)
    matrix = np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]) @ np.array(
        [[stretch, -shear], [0.0, 1.0]])
    freq = rng.uniform(0.5, 1.5, size=2)
    phase = rng.uniform(0, 2 * math.pi, size=2)
    amplitude = rng.uniform(0, warp, size=2)
    bent = []
    for stroke in strokes:
        points = _subdivide(np.asarray(stroke, dtype=float), 0.05)
        x, y = points[:, 0], points[:, 1]
        points = np.stack([x + amplitude[0] * np.sin(2 * math.pi * freq[0] * y + phase[0]),
                           y + amplitude[1] * np.sin(2 * math.pi * freq[1] * x + phase[1])], axis=1)
        bent.append(points @ matrix.T)
    return bent


def _arc(centre: tuple[float, float], radii: tuple[float, float], start: float, end: float, count: int = 24) -> Stroke:
    """Points on an ellipse from angle ``start`` to ``end`` (degrees; 0 = right, 90 = down)."""
    angles = np.radians(np.linspace(start, end, count))
    return np.stack([centre[0] + radii[0] * np.cos(angles), centre[1] + radii[1] * np.sin(angles)], axis=1)


# ---------------------------------------------------------------- strokes added to MNIST digits

def _extent(line: np.ndarray) -> tuple[int, int, int, int]:
    """(top, bottom, left, right) of a line's pixels, inclusive."""
    top, bottom, left, right = imaging.bounding_box(line)
    return top, bottom - 1, left, right - 1


def _with_line(line: np.ndarray, points: list[tuple[float, float]]) -> np.ndarray:
    """``line`` with a polyline (x, y pixel points) drawn in, clipped to the mask."""
    image = Image.fromarray(line.astype(np.uint8) * 255)
    ImageDraw.Draw(image).line([(float(x), float(y)) for x, y in points], fill=255, width=1)
    return np.asarray(image) > 0


def slashed_zero(line: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 0 with a slash from below its bottom-left to beyond its top-right (crossing the loop)."""
    top, bottom, left, right = _extent(line)
    height, width = bottom - top, right - left
    beyond = rng.uniform(0.08, 0.25, size=2) * height
    start = (left + rng.uniform(-0.1, 0.2) * width - beyond[0] * 0.6, bottom + beyond[0])
    end = (right - rng.uniform(-0.1, 0.2) * width + beyond[1] * 0.6, top - beyond[1])
    return _with_line(line, [start, end])


def _top_of(line: np.ndarray) -> tuple[float, float]:
    rows, cols = np.nonzero(line)
    top = rows.min()
    return float(cols[rows == top].mean()), float(top)


def _bottom_of(line: np.ndarray) -> tuple[float, float]:
    rows, cols = np.nonzero(line)
    bottom = rows.max()
    return float(cols[rows == bottom].mean()), float(bottom)


def flagged_one(line: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 1 with the continental flag: a long up-stroke from lower left to the top, 35-75% of the stem."""
    top, bottom, _, _ = _extent(line)
    x, y = _top_of(line)
    length = rng.uniform(0.35, 0.75) * (bottom - top)
    angle = math.radians(rng.uniform(30, 60))  # below the horizontal: flatter, and it is a 7
    return _with_line(line, [(x - length * math.cos(angle), y + length * math.sin(angle)), (x, y)])


def serif_one(line: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 1 with a foot serif (a bar across the bottom of the stem), mostly with a flag too."""
    top, bottom, _, _ = _extent(line)
    if rng.random() < 0.7:
        line = flagged_one(line, rng)
    x, y = _bottom_of(line)
    half = rng.uniform(0.15, 0.35) * (bottom - top)
    shift = rng.uniform(-0.2, 0.2) * half
    return _with_line(line, [(x - half + shift, y), (x + half + shift, y + rng.uniform(-2, 2))])


def crossed_seven(line: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A 7 with a bar across its stem, a little below the middle."""
    top, bottom, _, _ = _extent(line)
    row = int(round(top + rng.uniform(0.45, 0.62) * (bottom - top)))
    cols = np.nonzero(line[row])[0]
    if cols.size == 0:  # the stem skips this row (a steep one-pixel step): take the nearest that has it
        rows = np.nonzero(line.any(axis=1))[0]
        row = int(rows[np.abs(rows - row).argmin()])
        cols = np.nonzero(line[row])[0]
    x = float(cols.mean())
    half = rng.uniform(0.15, 0.28) * (bottom - top)
    tilt = rng.uniform(-0.08, 0.08) * half
    return _with_line(line, [(x - half, row + tilt), (x + half, row - tilt)])


# ---------------------------------------------------------------- digit styles from templates

def open_four(rng: np.random.Generator) -> Strokes:
    """A 4 whose top is open: a down-stroke into the bar, and a separate long stem on the right."""
    bar = rng.uniform(0.5, 0.68)
    stem_x = rng.uniform(0.62, 0.78)
    lean = rng.uniform(-0.12, 0.25)  # the first stroke leans in from the top or stands upright
    return [np.array([[0.18 + lean, 0.0], [0.05, bar], [1.0, bar - rng.uniform(0, 0.06)]]),
            np.array([[stem_x, rng.uniform(-0.05, 0.25)], [stem_x - rng.uniform(0, 0.06), 1.0]])]


def flat_five(rng: np.random.Generator) -> Strokes:
    """A 5 with a flat top bar, a short upright and a round belly (the one read as a 3)."""
    upright = rng.uniform(0.25, 0.45)
    radius = (1 - upright) / 2
    belly = _arc((0.45, upright + radius), (0.48, radius), -150, 150)
    belly[0] = (0.1, upright)  # the belly starts where the upright ends
    bar = np.array([[0.1, 0.0], [rng.uniform(0.8, 1.0), rng.uniform(-0.04, 0.04)]])
    return [np.concatenate([np.array([[0.1, 0.0]]), belly]), bar]


def straight_nine(rng: np.random.Generator) -> Strokes:
    """A 9: a loop, then a straight tail down from its right side, hooked at the end now and then."""
    loop_h = rng.uniform(0.35, 0.5)
    loop = _arc((0.45, loop_h / 2), (0.45, loop_h / 2), 0, -360 + rng.uniform(0, 20), 32)
    tail_x = 0.9 - rng.uniform(0, 0.12)
    tail = [[0.9, loop_h / 2], [tail_x, 1.0]]
    if rng.random() < 0.4:  # a hooked tail
        tail[-1] = [tail_x, 0.88]
        tail += [[tail_x - 0.12, 1.0], [tail_x - 0.3, 0.95]]
    return [np.concatenate([loop, np.array(tail)])]


def looped_two(rng: np.random.Generator) -> Strokes:
    """A 2 with a small loop where the diagonal meets the base."""
    head = _arc((0.5, 0.28), (0.42, 0.28), 200, 370)
    loop = _arc((0.18, 0.85), (0.12, rng.uniform(0.08, 0.15)), -60, -420, 20)
    base = np.array([[0.3, 0.95], [1.0, 1.0 - rng.uniform(0, 0.05)]])
    return [np.concatenate([head, np.array([[0.25, 0.78]]), loop, base])]


@dataclass(frozen=True)
class Style:
    """A writing style of one digit: from an MNIST digit's centre line (``from_mnist``) or a template."""

    digit: int
    make: Callable[..., np.ndarray]  # (mnist_line, rng) -> line, or (rng) -> line
    from_mnist: bool

    def draw(self, rng: np.random.Generator, mnist_line: np.ndarray | None = None) -> np.ndarray:
        if self.from_mnist:
            assert mnist_line is not None, "this style adds strokes to an MNIST digit"
            return self.make(mnist_line, rng)
        return line_mask(wobble(self.make(rng), rng))


STYLES = {
    "slashed zero": Style(0, slashed_zero, True),
    "flagged one": Style(1, flagged_one, True),
    "one with a foot serif": Style(1, serif_one, True),
    "crossed seven": Style(7, crossed_seven, True),
    "open-top four": Style(4, open_four, False),
    "flat-topped five": Style(5, flat_five, False),
    "nine with a straight tail": Style(9, straight_nine, False),
    "two with a loop": Style(2, looped_two, False),
}


# ---------------------------------------------------------------- letters, scribbles, shapes

@functools.cache
def _font_strokes(font: str, char: str) -> tuple[Stroke, ...]:
    """A Hershey glyph as polylines (joined where its segments meet), y down."""
    from HersheyFonts import HersheyFonts  # training-only dependency (requirements-train.txt)

    fonts = HersheyFonts()
    fonts.load_default_font(font)
    strokes: list[list[tuple[float, float]]] = []
    for start, end in fonts.lines_for_text(char):
        if strokes and strokes[-1][-1] == tuple(start):
            strokes[-1].append(tuple(end))
        else:
            strokes.append([tuple(start), tuple(end)])
    if not strokes:
        raise ValueError(f"font {font!r} has no strokes for {char!r}")
    return tuple(np.array(stroke, dtype=float) for stroke in strokes)


def _unit_box(strokes: Strokes) -> Strokes:
    points = np.concatenate(strokes)
    low, size = points.min(axis=0), max(float(np.ptp(points, axis=0).max()), 1e-6)
    return [(stroke - low) / size for stroke in strokes]


def letter_line(char: str, font: str, rng: np.random.Generator) -> np.ndarray:
    """A letter from a Hershey single-stroke font, as a hand might vary it; a centre-line mask."""
    return line_mask(wobble(_unit_box(list(_font_strokes(font, char))), rng))


def _smooth_walk(rng: np.random.Generator, steps: int, turn: float) -> Stroke:
    heading = rng.uniform(0, 2 * math.pi)
    turning = np.cumsum(rng.normal(0, turn, steps))
    angles = heading + np.cumsum(turning * 0.3 + rng.normal(0, turn, steps))
    return np.cumsum(np.stack([np.cos(angles), np.sin(angles)], axis=1), axis=0)


def scribble_line(rng: np.random.Generator) -> np.ndarray:
    """One to three random smooth strokes, long and tangled: a scribble that is no digit."""
    strokes = [_smooth_walk(rng, int(rng.integers(80, 200)), rng.uniform(0.15, 0.5))
               for _ in range(int(rng.integers(1, 4)))]
    for stroke in strokes[1:]:
        stroke += rng.uniform(-20, 20, size=2)
    return line_mask(strokes)


# one straight stroke counts as a random line only when it leans further from upright than any 1
LONE_STROKE_LEAN = (50, 130)  # degrees from upright
RANDOM_LINE_CORNERS = (4, 12)  # two or three corners can make a 7, a flagged 1 or a V: not used


def random_lines(rng: np.random.Generator) -> Strokes:
    """Straight strokes joining 4 to 12 random points in a unit square, as a hand zigzags across a pad;
    now and then (15%) a lone stroke leaning 50-130 degrees from upright."""
    if rng.random() < 0.15:
        lean = math.radians(rng.uniform(*LONE_STROKE_LEAN))
        return [np.array([[0.0, 0.0], [math.sin(lean), -math.cos(lean)]])]
    corners = int(rng.integers(RANDOM_LINE_CORNERS[0], RANDOM_LINE_CORNERS[1] + 1))
    return [rng.uniform(0, 1, size=(corners, 2))]


def random_lines_line(rng: np.random.Generator) -> np.ndarray:
    """`random_lines` as a centre-line mask."""
    return line_mask(random_lines(rng))


def _star(rng: np.random.Generator) -> Strokes:
    points = int(rng.choice([5, 7]))  # drawn in one line, skipping a point each time
    angles = np.radians(-90 + 360 / points * ((np.arange(points + 1) * 2) % points))
    return [np.stack([np.cos(angles), np.sin(angles)], axis=1)]


def _spiral(rng: np.random.Generator) -> Strokes:
    turns = rng.uniform(1.8, 3.5)
    t = np.linspace(0, turns * 2 * math.pi, 120)
    return [np.stack([t * np.cos(t), t * np.sin(t)], axis=1)]


def _zigzag(rng: np.random.Generator) -> Strokes:
    teeth = int(rng.integers(3, 7))
    x = np.linspace(0, 1, 2 * teeth + 1)
    y = np.where(np.arange(x.size) % 2 == 0, 0.0, rng.uniform(0.3, 0.8))
    return [np.stack([x, y], axis=1)]


def _wave(rng: np.random.Generator) -> Strokes:
    x = np.linspace(0, 1, 80)
    return [np.stack([x, 0.15 * np.sin(2 * math.pi * rng.uniform(1.5, 3.5) * x)], axis=1)]


def _hash(rng: np.random.Generator) -> Strokes:
    a, b = rng.uniform(0.2, 0.4), rng.uniform(0.6, 0.8)
    return [np.array([[a, 0], [a - 0.1, 1]]), np.array([[b, 0], [b - 0.1, 1]]),
            np.array([[0, a], [1, a]]), np.array([[0, b], [1, b]])]


def _triangle(rng: np.random.Generator) -> Strokes:
    return [np.array([[0.5, 0], [1, 0.9], [0, 0.9], [0.5, 0]])]


def _arrow(rng: np.random.Generator) -> Strokes:
    return [np.array([[0, 0.5], [1, 0.5]]), np.array([[0.7, 0.25], [1, 0.5], [0.7, 0.75]])]


def _house(rng: np.random.Generator) -> Strokes:
    return [np.array([[0, 1], [0, 0.4], [0.5, 0], [1, 0.4], [1, 1], [0, 1]])]


def _heart(rng: np.random.Generator) -> Strokes:
    t = np.linspace(0, 2 * math.pi, 60)
    return [np.stack([16 * np.sin(t) ** 3, -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t))],
                     axis=1)]


def _loops(rng: np.random.Generator) -> Strokes:
    """A row of 3-8 overlapping loops, the coil a pen doodles (or a line of cursive e's)."""
    turns = int(rng.integers(3, 9))
    t = np.linspace(0, turns * 2 * math.pi, turns * 24)
    advance = rng.uniform(0.4, 1.2)  # per loop, in loop radii: below 2 the loops overlap
    return [np.stack([advance * t / (2 * math.pi) + np.cos(t + math.pi), np.sin(t + math.pi)], axis=1)]


SHAPES = {"star": _star, "spiral": _spiral, "zigzag": _zigzag, "wave": _wave, "hash": _hash,
          "triangle": _triangle, "arrow": _arrow, "house": _house, "heart": _heart, "loops": _loops}


def shape_line(name: str, rng: np.random.Generator) -> np.ndarray:
    """A drawn shape (star, spiral, zigzag ...) with a hand's wobble; a centre-line mask."""
    return line_mask(wobble(_unit_box(SHAPES[name](rng)), rng))


def noise_pad(rng: np.random.Generator, canvas: int) -> np.ndarray:
    """A sketch-pad picture of noise, (canvas, canvas, 4) uint8: colour or grey noise, or dark dots
    of any density."""
    opaque = np.full((canvas, canvas, 1), 255, np.uint8)
    kind = rng.integers(3)
    if kind == 0:
        return np.concatenate([(rng.random((canvas, canvas, 3)) * 255).astype(np.uint8), opaque], axis=2)
    if kind == 1:
        grey = (rng.random((canvas, canvas, 1)) * 255).astype(np.uint8)
    else:
        grey = np.where(rng.random((canvas, canvas, 1)) < rng.uniform(0.01, 0.4), 0, 255).astype(np.uint8)
    return np.concatenate([grey, grey, grey, opaque], axis=2)


def not_digit_line(rng: np.random.Generator, fonts: tuple[str, ...] = TRAIN_FONTS) -> np.ndarray:
    """A letter (from ``fonts``), a shape, a scribble or random lines, one of the four at random."""
    kind = rng.integers(4)
    if kind == 0:
        return letter_line(str(rng.choice(list(LETTERS))), str(rng.choice(fonts)), rng)
    if kind == 1:
        return shape_line(str(rng.choice(list(SHAPES))), rng)
    if kind == 2:
        return scribble_line(rng)
    return random_lines_line(rng)


def noise_field(rng: np.random.Generator, size: int = 28) -> np.ndarray:
    """A (size, size) field in [0, 1] that is no digit: noise, blotches, stripes, or solid ink."""
    kind = rng.integers(5)
    if kind == 0:  # uniform noise
        return rng.random((size, size)).astype(np.float32)
    if kind == 1:  # salt: scattered dots
        return (rng.random((size, size)) < rng.uniform(0.05, 0.4)).astype(np.float32)
    if kind == 2:  # solid or nearly solid ink
        field = np.full((size, size), rng.uniform(0.6, 1.0), dtype=np.float32)
        field[:, : int(rng.integers(0, size // 2 + 1))] *= rng.integers(0, 2)
        return field
    if kind == 3:  # stripes
        stripes = (np.arange(size) // int(rng.integers(2, 5))) % 2
        field = np.tile(stripes, (size, 1)).astype(np.float32)
        return field if rng.random() < 0.5 else field.T.copy()
    low = rng.random((4, 4))  # blotches: coarse noise blown up
    big = np.kron(low, np.ones((size // 4, size // 4)))
    return (big > rng.uniform(0.3, 0.7)).astype(np.float32)
