"""Looking inside the image classifiers (digits, fashion) for one input: where the network looked,
what its first layer makes of the input, what it learned there, how it was trained and where it
is still wrong. The "Under the hood" panels show these; no gradio here.

    >>> from demos import inside
    >>> attribution = inside.integrated_gradients(model, digit, target=7, baseline=0.0)   # (28, 28)
    >>> maps = inside.first_layer_maps(model, digit)         # (channels, 28, 28), post-ReLU
    >>> inside.attribution_picture(digit, attribution)       # uint8 picture: red for, blue against

Each demo wraps these in its own functions (`demos.digits.inside`, `demos.fashion.inside`), which
know its preprocessing and its model. The pictures are plain uint8 arrays.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

from demos import imaging
from demos.classifier import ImageClassifier, to_image_batch

IG_STEPS = 32  # points on the path from the baseline to the input (the demos choose their own: README)
FOR, AGAINST = np.array([230.0, 40.0, 30.0]), np.array([40.0, 110.0, 245.0])  # red: evidence for, blue: against
GALLERY_PICTURE, GALLERY_LIST = "mistakes.png", "mistakes.json"  # next to a model's weights


# --- where the network looked -------------------------------------------------------------

def integrated_gradients(model: nn.Module, model_input: np.ndarray, target: int, baseline: float,
                         steps: int = IG_STEPS) -> np.ndarray:
    """Integrated gradients (Sundararajan et al., 2017) of the log-probability of class ``target``:
    for each pixel, its change from a featureless ``baseline`` image (every pixel = ``baseline``)
    times the mean gradient along the straight path between the two. The attributions add up to
    log p(target | input) - log p(target | baseline): positive pixels pushed the answer towards
    ``target``, negative ones away from it.

    ``model_input``: (H, W) grey or (H, W, 3) colour in [0, 1], as the model reads it.
    Returns (H, W) float32, summed over colour channels.
    """
    device = next(model.parameters()).device
    image = to_image_batch(model_input[None]).to(device)  # (1, C, H, W)
    start = torch.full_like(image, float(baseline))
    alphas = (torch.arange(steps, device=device, dtype=image.dtype) + 0.5) / steps  # midpoints of the path
    path = start + alphas.view(-1, 1, 1, 1) * (image - start)  # (steps, C, H, W)
    with torch.inference_mode(False), torch.enable_grad():
        path = path.clone().requires_grad_(True)
        log_p = torch.log_softmax(model(path).float(), dim=1)[:, target]  # (steps,)
        (gradients,) = torch.autograd.grad(log_p.sum(), path)  # only the input's: the weights get no .grad
    attribution = (image - start) * gradients.mean(dim=0, keepdim=True)  # (1, C, H, W)
    return attribution[0].sum(dim=0).detach().cpu().numpy().astype(np.float32)  # (H, W)


def grad_cam(model: nn.Module, layer: nn.Module, model_input: np.ndarray, target: int) -> np.ndarray:
    """Grad-CAM (Selvaraju et al., 2017) of the log-probability of class ``target``: ``layer``'s feature
    maps, each weighted by the mean gradient of that log-probability over the map, summed, kept where
    positive (the evidence for ``target``) and stretched to the input's size. One forward and one
    backward pass: for deep networks whose gradients along an integration path are too rough for a
    few steps of `integrated_gradients`.

    Returns (H, W) float32 >= 0 for an (H, W) or (H, W, 3) ``model_input`` in [0, 1].
    """
    device = next(model.parameters()).device
    image = to_image_batch(model_input[None]).to(device)  # (1, C, H, W)
    captured: list[torch.Tensor] = []
    hook = layer.register_forward_hook(lambda module, inputs, output: captured.append(output))
    try:
        with torch.inference_mode(False), torch.enable_grad():
            # a clone: ``image`` may have been made under the caller's inference mode, which autograd refuses
            log_p = torch.log_softmax(model(image.clone()).float(), dim=1)[0, target]
            (gradients,) = torch.autograd.grad(log_p, captured[0])  # (1, K, h, w); the weights get no .grad
    finally:
        hook.remove()
    weights = gradients.mean(dim=(2, 3), keepdim=True)  # (1, K, 1, 1): how much each map matters
    cam = (weights * captured[0].detach()).sum(dim=1, keepdim=True).clamp(min=0)  # (1, 1, h, w)
    cam = torch.nn.functional.interpolate(cam.float(), size=image.shape[-2:], mode="bilinear", align_corners=False)
    return cam[0, 0].cpu().numpy().astype(np.float32)  # (H, W)


@dataclass(frozen=True)
class IntegratedGradients:
    """How a panel attributes an answer to pixels: `integrated_gradients` from a plain ``baseline``
    picture (the background the network knows: black for MNIST-style inputs) in ``steps`` steps."""

    baseline: float
    steps: int
    signed = True  # pixels push towards the answer or away from it

    def __call__(self, model: nn.Module, model_input: np.ndarray, target: int) -> np.ndarray:
        return integrated_gradients(model, model_input, target, self.baseline, self.steps)

    @property
    def method(self) -> str:
        return f"by integrated gradients (measured along {self.steps} steps from an empty picture to yours)"


@dataclass(frozen=True)
class GradCAM:
    """How a panel attributes an answer to pixels: `grad_cam` on the layer ``layer_of(model)``
    (``layer_name`` says which, in words)."""

    layer_of: Callable[[nn.Module], nn.Module]
    layer_name: str
    signed = False  # only the evidence for the answer is kept

    def __call__(self, model: nn.Module, model_input: np.ndarray, target: int) -> np.ndarray:
        return grad_cam(model, self.layer_of(model), model_input, target)

    @property
    def method(self) -> str:
        return f"by Grad-CAM (the gradient-weighted feature maps of {self.layer_name}, so in coarse blocks)"


# --- the first layer --------------------------------------------------------------------

def _first_relu(model: nn.Module) -> nn.Module:
    """The ReLU (or ReLU6) after the first convolution and its batch norm: the first layer's output."""
    return next(module for module in model.modules() if isinstance(module, (nn.ReLU, nn.ReLU6)))


def _first_conv(model: nn.Module) -> nn.Conv2d:
    return next(module for module in model.modules() if isinstance(module, nn.Conv2d))


def _first_member_channels(model: nn.Module) -> int:
    """How many of the first layer's channels belong to the first member of a packed ensemble
    (the later layers are grouped, one group per member; see `DigitCNN`): all of them for one network."""
    return _first_conv(model).out_channels // getattr(model, "members", 1)


def first_layer_maps(model: nn.Module, model_input: np.ndarray) -> np.ndarray:
    """What the first layer (3x3 convolution, batch norm, ReLU) makes of the input: (channels, H', W')
    float32 >= 0, one map per filter (of the first member, for a packed ensemble)."""
    device = next(model.parameters()).device
    captured: list[torch.Tensor] = []
    hook = _first_relu(model).register_forward_hook(lambda module, inputs, output: captured.append(output.detach()))
    try:
        with torch.inference_mode():
            model(to_image_batch(model_input[None]).to(device))
    finally:
        hook.remove()
    return captured[0][0, : _first_member_channels(model)].float().cpu().numpy()


def first_layer_filters(model: nn.Module) -> np.ndarray:
    """The first convolution's learned filters: (channels, in_channels, k, k) float32 (first member's)."""
    return _first_conv(model).weight[: _first_member_channels(model)].detach().float().cpu().numpy()


# --- pictures -----------------------------------------------------------------------------

def _blocks(pixels: np.ndarray, scale: int) -> np.ndarray:
    """Each pixel of an (H, W[, 3]) array as a ``scale`` x ``scale`` block."""
    return pixels.repeat(scale, axis=0).repeat(scale, axis=1)


def _grey(model_input: np.ndarray) -> np.ndarray:
    """(H, W) or (H, W, 3) in [0, 1] -> (H, W) brightness."""
    return model_input if model_input.ndim == 2 else model_input @ np.array([0.299, 0.587, 0.114], dtype=np.float32)


def attribution_picture(model_input: np.ndarray, attribution: np.ndarray, side: int = 224) -> np.ndarray:
    """The input in dim grey with each pixel's attribution laid over it: red where it pushed the answer
    towards the class, blue where away, the stronger the more opaque (scaled to the largest).
    (S, S, 3) uint8, each input pixel a block of about ``side`` / H px."""
    scale = float(np.abs(attribution).max())
    strength = np.clip(np.abs(attribution) / scale, 0.0, 1.0) if scale > 0 else np.zeros_like(attribution)
    strength = strength[:, :, None] ** 0.7  # weak evidence stays visible
    colour = np.where(attribution[:, :, None] >= 0, FOR, AGAINST)  # (H, W, 3)
    under = (60.0 + 120.0 * _grey(model_input))[:, :, None]  # the input, dimmed, so the colours stand out
    picture = (1.0 - strength) * under + strength * colour
    return _blocks(np.clip(picture + 0.5, 0, 255).astype(np.uint8), max(1, round(side / attribution.shape[0])))


def _tiled(tiles: np.ndarray, columns: int, gap: int, background: int) -> np.ndarray:
    """(N, h, w, 3) uint8 tiles -> one picture, ``columns`` to a row, ``gap`` px between them."""
    count, height, width = tiles.shape[:3]
    rows = math.ceil(count / columns)
    picture = np.full((rows * (height + gap) - gap, columns * (width + gap) - gap, 3), background, dtype=np.uint8)
    for index, tile in enumerate(tiles):
        top, left = (index // columns) * (height + gap), (index % columns) * (width + gap)
        picture[top : top + height, left : left + width] = tile
    return picture


def maps_picture(maps: np.ndarray, columns: int = 8, tile: int = 56) -> np.ndarray:
    """(N, H, W) feature maps -> a grid, white where a map is strongest; all on one scale, so a
    filter that hardly responds looks dark."""
    scale = float(maps.max()) or 1.0
    grey = (np.clip(maps / scale, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)  # (N, H, W)
    tiles = np.stack([_blocks(np.repeat(map_[:, :, None], 3, axis=2), max(1, tile // maps.shape[1])) for map_ in grey])
    return _tiled(tiles, columns, gap=2, background=235)


def filters_picture(filters: np.ndarray, columns: int = 8, tile: int = 30) -> np.ndarray:
    """(N, C, k, k) filters -> a grid. Grey filters (C = 1): red for positive weights, blue for
    negative, white for zero. Colour filters (C = 3): each weight's colour, mid-grey for zero."""
    scale = float(np.abs(filters).max()) or 1.0
    weights = filters / scale  # in [-1, 1]
    if filters.shape[1] == 1:
        w = weights[:, 0, :, :, None]  # (N, k, k, 1)
        white = np.array([255.0, 255.0, 255.0])
        pixels = np.where(w >= 0, white + w * (FOR - white), white - w * (AGAINST - white))
    else:
        pixels = 127.5 + 127.5 * weights.transpose(0, 2, 3, 1)  # (N, k, k, 3)
    pixels = np.clip(pixels + 0.5, 0, 255).astype(np.uint8)
    tiles = np.stack([_blocks(kernel, max(1, tile // filters.shape[2])) for kernel in pixels])
    return _tiled(tiles, columns, gap=3, background=200)


# --- how it was trained -------------------------------------------------------------------

def curves(history: list[dict], names: dict[str, str]) -> list[dict]:
    """metrics.json's per-epoch ``history`` -> rows {"epoch", "value", "curve"} for a line plot, one
    curve per key of ``names`` found in it (its value is the curve's name in words)."""
    return [{"epoch": entry["epoch"], "value": float(entry[key]), "curve": name}
            for key, name in names.items() for entry in history if key in entry]


# --- where it is still wrong --------------------------------------------------------------

@dataclass(frozen=True)
class Mistake:
    """A test image the model gets wrong: the picture as the model read it, what it is and what was said."""

    picture: np.ndarray  # (H, W) grey or (H, W, 3) colour uint8: the model's input
    truth: str
    said: str
    probability: float  # of what was said

    @property
    def caption(self) -> str:
        return f"is {self.truth}, said {self.said} ({self.probability:.0%})"


def save_gallery(folder: Path, mistakes: list[Mistake], source: str) -> None:
    """Write ``mistakes`` next to a model's weights: their pictures side by side in one PNG and what
    they are in a JSON list (``source``: which test set, for the panel's caption)."""
    if not mistakes:
        raise ValueError("no mistakes to save")
    strip = np.concatenate([m.picture if m.picture.ndim == 3 else np.repeat(m.picture[:, :, None], 3, axis=2)
                            for m in mistakes], axis=1)  # (H, N*W, 3)
    imaging.save_small_png(Image.fromarray(strip), folder / GALLERY_PICTURE)
    (folder / GALLERY_LIST).write_text(json.dumps({
        "source": source, "tile": int(mistakes[0].picture.shape[1]),
        "mistakes": [{"truth": m.truth, "said": m.said, "probability": round(m.probability, 4)} for m in mistakes],
    }, indent=1) + "\n")


def load_gallery(folder: Path) -> tuple[str, list[Mistake]]:
    """(source, mistakes) saved by `save_gallery`; ("", []) when the folder has none."""
    listing = folder / GALLERY_LIST
    if not listing.is_file() or not (folder / GALLERY_PICTURE).is_file():
        return "", []
    described = json.loads(listing.read_text())
    with Image.open(folder / GALLERY_PICTURE) as strip:
        pixels = np.asarray(strip.convert("RGB"))
    tile = described["tile"]
    return described["source"], [
        Mistake(pixels[:, index * tile : (index + 1) * tile], entry["truth"], entry["said"], entry["probability"])
        for index, entry in enumerate(described["mistakes"])]


# --- one classifier's views ---------------------------------------------------------------

@dataclass(frozen=True)
class Saliency:
    """Where the network looked for its answer (`integrated_gradients` or `grad_cam`)."""

    model_input: np.ndarray  # (H, W) or (H, W, 3) in [0, 1]: what the network read
    attribution: np.ndarray  # (H, W): each pixel's push towards ``label`` (negative: away from it)
    label: str  # the network's top answer, the class explained
    probability: float
    network: str  # which network, in words
    method: str  # how the attribution was made, in words ("by integrated gradients (...)")
    signed: bool = True  # False: evidence for the answer only (Grad-CAM), nothing shows evidence against

    @property
    def picture(self) -> np.ndarray:
        return attribution_picture(self.model_input, self.attribution)


@dataclass(frozen=True)
class FirstLayer:
    """The first layer for one input: its feature maps and the filters that made them."""

    maps: np.ndarray  # (N, H, W) >= 0
    filters: np.ndarray  # (N, C, k, k)
    network: str
    members: int  # networks in the packed ensemble; the maps and filters are the first one's


@dataclass(frozen=True)
class Training:
    """How a network was trained and where it is still wrong, from what came with its weights."""

    network: str
    loss: list[dict]  # `curves` rows: loss per epoch, train and held-out
    accuracy: list[dict]  # `curves` rows: accuracy per epoch on held-out data (for the UNet: its test error)
    note: str  # what the curves are, in words
    mistakes_source: str  # which images the gallery comes from
    mistakes: list[Mistake]


# what the training scripts of the 28x28 classifiers record per epoch (training.common.log_epoch)
TEST_SET_CURVES = {"loss": {"train_loss": "training loss", "test_loss": "test loss"},
                   "accuracy": {"test_accuracy": "test accuracy"}}


def held_out_note(examples: str) -> str:
    """The caption of `TEST_SET_CURVES`' plots; ``examples``: what the test set holds ("MNIST test digits")."""
    return ("Loss and accuracy per epoch: the training loss on the training examples as trained (augmented, with "
            "dropout and label smoothing, so it sits above the test loss), the test figures on the 10,000 "
            f"{examples}. The weights kept are the last epoch's.")


class ClassifierInside:
    """What the "Under the hood" panel shows for one `ImageClassifier`: where it looked (``attribution``:
    `IntegratedGradients` or `GradCAM`), the first layer, all probabilities, and the training record
    next to the weights."""

    def __init__(self, classifier: ImageClassifier, network: str, attribution: IntegratedGradients | GradCAM,
                 curve_names: dict[str, dict[str, str]], note: str) -> None:
        self.classifier, self.network, self.attribution = classifier, network, attribution
        self.curve_names, self.note = curve_names, note

    def probabilities(self, model_input: np.ndarray, probabilities: Callable[[np.ndarray], np.ndarray]) -> dict[str, float]:
        """Every label's probability, the "none of these" label too (``probabilities``: the demo's GPU-marked function)."""
        values = probabilities(model_input[None])[0]
        return {label: float(p) for label, p in zip(self.classifier.load().labels, values)}

    def saliency(self, model_input: np.ndarray) -> Saliency:
        """The attribution of the network's top answer (whichever label it is) to the input's pixels."""
        model = self.classifier.load()
        batch = to_image_batch(model_input[None]).to(next(model.parameters()).device)
        with torch.inference_mode():
            log_p = torch.log_softmax(model(batch).float(), dim=1)[0]  # (classes,)
        target = int(log_p.argmax())
        attribution = self.attribution(model, model_input, target)
        return Saliency(model_input, attribution, model.labels[target], float(log_p[target].exp()), self.network,
                        self.attribution.method, self.attribution.signed)

    def first_layer(self, model_input: np.ndarray) -> FirstLayer:
        model = self.classifier.load()
        return FirstLayer(first_layer_maps(model, model_input), first_layer_filters(model), self.network,
                          getattr(model, "members", 1))

    def training(self) -> Training:
        """The learning curves from metrics.json's history and the gallery saved next to the weights."""
        history = (self.classifier.metrics() or {}).get("history", [])
        source, mistakes = load_gallery(self.classifier.folder())
        return Training(self.network, curves(history, self.curve_names["loss"]),
                        curves(history, self.curve_names["accuracy"]), self.note, source, mistakes)


@dataclass(frozen=True)
class Views:
    """A classifier demo's under-the-hood functions, as its tab's panel calls them
    (`demos.digits.inside.VIEWS`, `demos.fashion.inside.VIEWS`)."""

    saliency: Callable[[object], Saliency]
    first_layer: Callable[[object], FirstLayer]
    probabilities: Callable[[object], dict[str, float]]
    training: Callable[[], list[Training]]
    labels: tuple[str, ...]  # every label the bar chart shows, in the model's order
