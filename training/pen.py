"""Redraw MNIST digits the way a sketch-pad delivers them: a round pen of constant width.

MNIST strokes are scanned ink, blurred and anti-aliased to 20 px; a sketch-pad drawing is
a hard-edged stroke of constant width on a large canvas. `pen_drawing` thins a digit to its
centre line (Zhang-Suen) and draws that line again with a round pen, as black strokes on a
transparent RGBA canvas, like a Gradio sketch value's composite. Used to augment training
(`training/train_digits.py --pen-copies`) and by `benchmarks/digits_robustness.py`.
"""

from __future__ import annotations

import numpy as np
import torch
from PIL import Image, ImageDraw


def thin(masks: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a batch of binary masks (N, H, W) to one-pixel centre lines."""
    image = np.pad(masks.astype(bool), ((0, 0), (1, 1), (1, 1)))
    while True:
        changed = False
        for step in (0, 1):
            p = image
            # neighbours P2..P9, clockwise from north
            n = [p[:, :-2, 1:-1], p[:, :-2, 2:], p[:, 1:-1, 2:], p[:, 2:, 2:],
                 p[:, 2:, 1:-1], p[:, 2:, :-2], p[:, 1:-1, :-2], p[:, :-2, :-2]]
            count = sum(x.astype(np.uint8) for x in n)
            transitions = sum((~n[i] & n[(i + 1) % 8]).astype(np.uint8) for i in range(8))
            if step == 0:
                keep_a, keep_b = ~(n[0] & n[2] & n[4]), ~(n[2] & n[4] & n[6])
            else:
                keep_a, keep_b = ~(n[0] & n[2] & n[6]), ~(n[0] & n[4] & n[6])
            remove = p[:, 1:-1, 1:-1] & (count >= 2) & (count <= 6) & (transitions == 1) & keep_a & keep_b
            if remove.any():
                image[:, 1:-1, 1:-1] &= ~remove
                changed = True
        if not changed:
            return image[:, 1:-1, 1:-1]


def centre_lines(digits: np.ndarray, upsample: int = 3) -> np.ndarray:
    """(N, 28, 28) digits in [0, 1] -> (N, 28u, 28u) boolean centre-line masks."""
    big = torch.nn.functional.interpolate(torch.as_tensor(digits, dtype=torch.float32)[:, None],
                                          scale_factor=upsample, mode="bilinear")
    return thin(big[:, 0].numpy() > 0.5)


def pen_drawing(line: np.ndarray, canvas: int, height: float, pen: float,
                centre: tuple[float, float] = (0.5, 0.5), background: str = "transparent") -> np.ndarray:
    """Draw a centre-line mask with a round pen; an RGBA uint8 (canvas, canvas, 4) array.

    ``height``: the line mask's height on the canvas, px. ``pen``: pen width, px.
    ``centre``: where the mask's centre goes, as fractions (x, y) of the canvas.
    """
    rows, cols = np.nonzero(line)
    scale = height / line.shape[0]
    x0 = centre[0] * canvas - line.shape[1] * scale / 2
    y0 = centre[1] * canvas - line.shape[0] * scale / 2
    ink = (0, 0, 0, 255)
    paper = (255, 255, 255, 255) if background == "white" else (0, 0, 0, 0)
    image = Image.new("RGBA", (canvas * 2, canvas * 2), paper)
    draw = ImageDraw.Draw(image)  # drawn at 2x and shrunk: anti-aliased edges like the browser's

    def at(r: int, c: int) -> tuple[float, float]:
        return 2 * (x0 + (c + 0.5) * scale), 2 * (y0 + (r + 0.5) * scale)

    points = set(zip(rows.tolist(), cols.tolist()))
    for r, c in points:
        x, y = at(r, c)
        draw.ellipse((x - pen, y - pen, x + pen, y + pen), fill=ink)  # radius pen/2 at 1x
        for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
            if (r + dr, c + dc) in points:
                draw.line((x, y, *at(r + dr, c + dc)), fill=ink, width=max(1, int(round(2 * pen))))
    return np.asarray(image.resize((canvas, canvas), Image.Resampling.BOX))
