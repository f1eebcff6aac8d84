"""Digit styles MNIST lacks, and "not a digit": the generators make what they say, the committed
model refuses made-up letters, scribbles and noise in both tabs and still reads digits."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PIL import Image, ImageDraw

from demos.completion.predict import CANVAS as COMPLETION_CANVAS
from demos.completion.predict import complete_drawing
from demos.digits import classify, read_drawing
from demos.digits.predict import CLASSIFIER, NOT_A_DIGIT_MESSAGE, metrics
from demos.digits.preprocess import preprocess_drawing
from tests.conftest import draw_sketch, sketch_value
from training import handwriting
from training.pen import pen_drawing

RNG_SEEDS = range(5)


def ellipse_zero() -> np.ndarray:
    """A 0's centre line: an upright ellipse in the middle of the 84 px mask."""
    return handwriting.line_mask([handwriting._arc((0, 0), (0.6, 1.0), 0, 360, 48)])


def upright_one() -> np.ndarray:
    return handwriting.line_mask([np.array([[0.5, 0.0], [0.5, 1.0]])])


def seven() -> np.ndarray:
    return handwriting.line_mask([np.array([[0.0, 0.0], [0.8, 0.0], [0.35, 1.0]])])


def extent(mask: np.ndarray) -> tuple[int, int, int, int]:
    rows, cols = np.nonzero(mask)
    return rows.min(), rows.max(), cols.min(), cols.max()


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_slash_crosses_the_zero_and_extends_beyond_it(seed):
    zero = ellipse_zero()
    slashed = handwriting.slashed_zero(zero, np.random.default_rng(seed))
    added = slashed & ~zero
    top, bottom, left, right = extent(zero)
    rows, cols = np.nonzero(added)
    assert rows.max() > bottom and rows.min() < top  # beyond the loop at both ends
    # it crosses the inside of the loop: added ink in the middle rows, between the loop's sides
    middle = (rows > top + 0.3 * (bottom - top)) & (rows < bottom - 0.3 * (bottom - top))
    assert middle.any() and ((cols[middle] > left + 5) & (cols[middle] < right - 5)).all()
    # it runs from lower left to upper right
    assert cols[rows.argmax()] < cols[rows.argmin()]


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_flag_runs_down_left_from_the_top_of_the_one(seed):
    one = upright_one()
    flagged = handwriting.flagged_one(one, np.random.default_rng(seed))
    rows, cols = np.nonzero(flagged & ~one)
    top, bottom, left, _ = extent(one)
    assert cols.max() <= left and cols.min() < left - 5  # all to the left of the stem
    assert rows.min() <= top + 2  # starts at the top
    span = np.hypot(rows.max() - rows.min(), cols.max() - cols.min())
    assert 0.3 * (bottom - top) <= span <= 0.8 * (bottom - top)  # long: 35-75% of the stem
    assert rows.max() - rows.min() >= 0.5 * (cols.max() - cols.min())  # steeper than 7's bar (>= ~30 degrees)


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_foot_serif_crosses_the_bottom_of_the_stem(seed):
    one = upright_one()
    serif = handwriting.serif_one(one, np.random.default_rng(seed))
    top, bottom, left, right = extent(one)
    rows, cols = np.nonzero(serif & ~one)
    foot = rows >= bottom - 3
    assert (cols[foot] < left).any() and (cols[foot] > right).any()


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_bar_crosses_the_stem_of_the_seven_below_its_middle(seed):
    plain = seven()
    crossed = handwriting.crossed_seven(plain, np.random.default_rng(seed))
    top, bottom, _, _ = extent(plain)
    rows, cols = np.nonzero(crossed & ~plain)
    assert rows.min() > top + 0.35 * (bottom - top) and rows.max() < top + 0.72 * (bottom - top)
    row = int(np.median(rows))
    stem = np.nonzero(plain[row])[0].mean()
    assert cols.min() < stem - 5 and cols.max() > stem + 5


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_templates_draw_their_style(seed):
    rng = np.random.default_rng(seed)
    down, stem = handwriting.open_four(rng)
    assert abs(stem[0, 0] - down[0, 0]) > 0.2  # the two top ends do not meet: the top is open
    bar, top_bar = handwriting.flat_five(rng)[1], handwriting.flat_five(rng)[1]
    assert abs(bar[1, 1] - bar[0, 1]) < 0.1 and abs(top_bar[1, 0] - top_bar[0, 0]) > 0.6  # flat and long
    (nine,) = handwriting.straight_nine(rng)
    tail = nine[32:]
    assert tail[-1, 1] == pytest.approx(1.0) or tail[:, 1].max() == pytest.approx(1.0)  # reaches the bottom
    for style in handwriting.STYLES.values():
        if not style.from_mnist:
            line = style.draw(rng)
            assert line.shape == (handwriting.LINE_SIZE, handwriting.LINE_SIZE) and line.any()


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_random_lines_join_random_points_or_lean_far_from_upright(seed):
    rng = np.random.default_rng(seed)
    corners = []
    for _ in range(60):
        (stroke,) = handwriting.random_lines(rng)
        corners.append(len(stroke))
        if len(stroke) == 2:  # a lone stroke leans further from upright than any 1
            dx, dy = stroke[1] - stroke[0]
            assert 50 <= math.degrees(math.atan2(dx, -dy)) <= 130
        else:  # two or three corners could make a 7 or a flagged 1: never
            assert 4 <= len(stroke) <= 12 and ((stroke >= 0) & (stroke <= 1)).all()
    assert 2 in corners and max(corners) >= 10


@pytest.mark.parametrize("seed", RNG_SEEDS)
def test_loops_wind_round_three_to_eight_times_and_overlap(seed):
    (coil,) = handwriting.SHAPES["loops"](np.random.default_rng(seed))
    x, y = coil[:, 0], coil[:, 1]
    assert 3 <= np.sum((y[:-1] < 0) & (y[1:] >= 0)) <= 8  # one upward crossing of the axis per loop
    assert (np.diff(x) < 0).any() and x[-1] - x[0] > 1  # it runs back in each loop and moves on


def test_letters_and_shapes_are_centre_lines_of_mnist_size():
    rng = np.random.default_rng(0)
    for line in [handwriting.letter_line("H", "futural", rng), handwriting.shape_line("star", rng),
                 handwriting.scribble_line(rng), handwriting.random_lines_line(rng),
                 handwriting.shape_line("loops", rng)]:
        top, bottom, left, right = extent(line)
        assert max(bottom - top, right - left) in range(handwriting.FIGURE - 4, handwriting.FIGURE + 2)
        assert line.sum() < 0.2 * line.size  # lines, not areas
    assert not np.array_equal(handwriting.letter_line("H", "futural", rng), handwriting.letter_line("H", "futural", rng))
    with pytest.raises(ValueError, match="no strokes"):
        handwriting.letter_line(" ", "futural", rng)


# ---- the committed model: not a digit ----------------------------------------------------------

LETTER_STROKES = {  # letters as a visitor might draw them on the pad, in a unit box
    "H": [[(0.1, 0), (0.1, 1)], [(0.9, 0), (0.9, 1)], [(0.1, 0.5), (0.9, 0.5)]],
    "M": [[(0, 1), (0.05, 0), (0.5, 0.6), (0.95, 0), (1, 1)]],
    "W": [[(0, 0), (0.25, 1), (0.5, 0.35), (0.75, 1), (1, 0)]],
    "X": [[(0, 0), (1, 1)], [(1, 0), (0, 1)]],
    "K": [[(0.1, 0), (0.1, 1)], [(0.9, 0), (0.12, 0.55)], [(0.35, 0.4), (0.95, 1)]],
}


def pad_with(strokes: list[list[tuple[float, float]]], canvas: int = 280, width: int = 20) -> dict:
    image = Image.new("RGBA", (canvas, canvas), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    for stroke in strokes:
        points = [(canvas * (0.25 + 0.5 * x), canvas * (0.15 + 0.7 * y)) for x, y in stroke]
        draw.line(points, fill=(0, 0, 0, 255), width=width, joint="curve")
    return sketch_value(np.asarray(image))


@pytest.mark.weights
@pytest.mark.parametrize("letter", list(LETTER_STROKES))
def test_drawn_letters_are_not_digits(letter):
    reading = read_drawing(pad_with(LETTER_STROKES[letter]))
    assert reading.probabilities == {} and reading.message == NOT_A_DIGIT_MESSAGE
    assert reading.model_input is not None  # the tab still shows what the model saw
    assert classify(pad_with(LETTER_STROKES[letter])) == {}


@pytest.mark.weights
def test_scribbles_shapes_and_noise_get_no_digit():
    rng = np.random.default_rng(3)
    pads = [pen_drawing(handwriting.scribble_line(rng), 280, 250, 20) for _ in range(5)]
    pads += [pen_drawing(handwriting.shape_line(name, rng), 280, 250, 20) for name in ("star", "hash", "spiral")]
    pads += [(rng.random((280, 280, 3)) * 255).astype(np.uint8) for _ in range(3)]
    for pad in pads:
        assert max(classify(pad).values(), default=0.0) <= 0.5


@pytest.mark.weights
def test_random_lines_and_loops_rarely_get_a_digit():
    """Zigzags through random points can happen to look like a 2 or a 7, so this is a rate (the benchmark
    measures 7.8% of 500 on the Digits tab, 15% before they were trained on); a row of loops is no digit."""
    rng = np.random.default_rng(4)
    zigzags = [pen_drawing(handwriting.random_lines_line(rng), 280, 250, 20) for _ in range(40)]
    assert sum(max(classify(pad).values(), default=0.0) > 0.5 for pad in zigzags) <= 8
    for _ in range(5):
        assert max(classify(pen_drawing(handwriting.shape_line("loops", rng), 280, 250, 20)).values(), default=0.0) <= 0.5


@pytest.mark.weights
@pytest.mark.parametrize("digit", ["0", "1", "7"])
def test_real_digits_still_read(digit):
    assert max(classify(sketch_value(draw_sketch(digit))).items(), key=lambda kv: kv[1])[0] == digit


@pytest.mark.weights
def test_completed_mnist_halves_are_read_not_refused():
    """The completion tab's examples are left halves of real MNIST training digits (the file names
    say which): completed by the UNet, none is refused as "not a digit", and most read as their digit
    (the UNet may finish a 9's left half as a 4)."""
    from demos.completion.tab import EXAMPLES

    read = []
    for path in EXAMPLES:
        completion = complete_drawing(Image.open(path))
        assert completion.message is None and completion.probabilities, path.name
        read.append(max(completion.probabilities, key=completion.probabilities.get) == path.stem.split("-")[2])
    assert len(read) >= 5 and sum(read) >= len(read) - 1


@pytest.mark.weights
@pytest.mark.parametrize("kind", ["noise", "black", "shape"])
def test_completion_tab_refuses_what_is_no_digit(kind):
    """(Random scribbles are not here: 14 in 100 still get a digit above 50% in this tab, see README and
    `test_completion_tab_reads_few_scribbles_as_digits`.)"""
    rng = np.random.default_rng(0)
    if kind == "noise":
        pad = (rng.random((COMPLETION_CANVAS, COMPLETION_CANVAS, 3)) * 255).astype(np.uint8)
    elif kind == "black":
        pad = np.zeros((COMPLETION_CANVAS, COMPLETION_CANVAS, 3), np.uint8)
    else:
        pad = pen_drawing(handwriting.shape_line("hash", rng), COMPLETION_CANVAS, 250, 24, background="white")
    completion = complete_drawing(pad)
    assert completion.probabilities == {} and completion.message


@pytest.mark.weights
def test_completion_tab_reads_few_scribbles_as_digits():
    """The UNet turns a scribble's left half into something digit-like, and the reading is of that: a rate
    (the benchmark measures 14% of 500; 75% before the "not a digit" class)."""
    rng = np.random.default_rng(5)
    pads = [pen_drawing(handwriting.scribble_line(rng), COMPLETION_CANVAS, rng.uniform(0.6, 1.0) * COMPLETION_CANVAS,
                        24, background="white") for _ in range(40)]
    assert sum(max(complete_drawing(pad).probabilities.values(), default=0.0) > 0.5 for pad in pads) <= 12


def test_misread_sheet_shows_what_each_tab_read_as_a_digit(tmp_path):
    """`benchmarks.digits_styles --save-misreads`: only answers above one half count; each tab gets a title
    row and rows of tiles (the model's input, white on black, captioned), up to MISREADS_SHOWN of a kind."""
    from benchmarks.digits_styles import (MISREAD_CAPTION, MISREAD_TILE, MISREADS_PER_ROW, MISREADS_SHOWN,
                                          as_misread, save_misreads)

    picture = np.zeros((28, 28), np.float32)
    picture[4:24, 13:15] = 1.0  # a 1
    assert as_misread("scribbles", picture, {"1": 0.5, "7": 0.2}) is None
    assert as_misread("scribbles", picture, {}) is None
    found = as_misread("scribbles", picture, {"1": 0.8, "7": 0.1})
    assert (found.kind, found.digit, found.probability) == ("scribbles", "1", 0.8)
    save_misreads(tmp_path / "misreads.png", {"Digits tab": [found] * (MISREADS_SHOWN + 5), "Completion tab": []})
    sheet = np.asarray(Image.open(tmp_path / "misreads.png").convert("L"))
    assert MISREADS_SHOWN <= MISREADS_PER_ROW  # so the shown ones fill one row here
    assert sheet.shape == (3 * MISREAD_CAPTION + MISREAD_TILE, MISREADS_PER_ROW * MISREAD_TILE)
    tile = sheet[MISREAD_CAPTION + 2 : MISREAD_CAPTION + MISREAD_TILE - 2, 2 : MISREAD_TILE - 2]
    assert tile[40, 40] == 255 and tile[5, 5] == 0  # the stroke, the black field
    caption = sheet[MISREAD_CAPTION + MISREAD_TILE : 2 * MISREAD_CAPTION + MISREAD_TILE, :MISREAD_TILE]
    assert (caption < 128).any()  # something is written under the tile
    titles = sheet[:MISREAD_CAPTION], sheet[-MISREAD_CAPTION:]
    assert all((title < 128).any() for title in titles)


def test_small_digit_keeps_a_thin_stroke():
    """A 1 drawn small in a corner with the pad's brush is scaled up without becoming a blob."""
    small = preprocess_drawing(sketch_value(draw_sketch("1", box=(0.05, 0.05, 0.2, 0.25), width=20)))
    big = preprocess_drawing(sketch_value(draw_sketch("1")))
    widths = (small > 0.5).sum(axis=1)
    # scaled up with its stroke it would be 6 px wide (MNIST's thickest strokes are about 4-5)
    assert widths[widths > 0].max() <= 5 and small.sum() < 1.7 * big.sum()


@pytest.mark.weights
def test_refusal_follows_the_threshold_set_in_training():
    threshold = CLASSIFIER.refuse_at()
    assert threshold == metrics()["rejection"]["refuse_at"] and 0.5 <= threshold < 1
    values = np.zeros(11)
    values[10], values[4] = threshold, 1 - threshold
    assert CLASSIFIER.answer(values).message == NOT_A_DIGIT_MESSAGE
    values[10], values[4] = threshold - 0.01, 1.01 - threshold
    reading = CLASSIFIER.answer(values)
    assert reading.message is None and "not a digit" not in reading.probabilities
    assert reading.probabilities["4"] == pytest.approx(1.01 - threshold)  # the digits' shares, as the model gave them
