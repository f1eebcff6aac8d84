"""Under the hood of the image classifiers (`demos.inside`, `demos.digits.inside`, `demos.fashion.inside`,
`demos.completion.inside`): saliency where the decisive pixels are, feature maps of the layer's shape,
the gallery's round trip, and the tabs' panel handlers without a browser."""

from __future__ import annotations

import dataclasses

import gradio as gr
import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn

from demos import hood, inside
from demos.completion.predict import complete_drawing, ink_on_paper
from demos.completion import inside as completion_inside
from demos.completion import tab as completion_tab
from demos.digits import inside as digits_inside
from demos.digits.model import DigitCNN
from demos.fashion import inside as fashion_inside
from demos.fashion.model import PHOTO_SIZE, FashionCNN, PhotoCNN
from demos.fashion.tab import PHOTO_EXAMPLES
from tests.conftest import draw_sketch, sketch_value


class OneRegionModel(nn.Module):
    """Two classes whose logits depend only on the pixels of one region: +s and -s, s = their sum."""

    def __init__(self, region: tuple[slice, slice], size: int = 16) -> None:
        super().__init__()
        mask = torch.zeros(1, 1, size, size)
        mask[(..., *region)] = 1.0
        self.mask = nn.Parameter(mask)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        s = (images * self.mask).sum(dim=(1, 2, 3))
        return torch.stack([s, -s], dim=1)


def test_integrated_gradients_light_up_the_decisive_region_and_add_up():
    region = (slice(2, 6), slice(9, 14))
    model = OneRegionModel(region)
    image = np.full((16, 16), 0.5, dtype=np.float32)
    attribution = inside.integrated_gradients(model, image, target=0, baseline=0.0, steps=64)
    assert attribution.shape == (16, 16)
    inside_region = attribution[region]
    outside = np.ones((16, 16), bool)
    outside[region] = False
    assert (inside_region > 0.01).all() and np.abs(attribution[outside]).max() < 1e-6
    with torch.no_grad():  # completeness: the attributions add up to log p(x) - log p(baseline)
        log_p = torch.log_softmax(model(torch.tensor(np.stack([image, np.zeros_like(image)]))[:, None]), dim=1)[:, 0]
    assert attribution.sum() == pytest.approx(float(log_p[0] - log_p[1]), rel=0.01)
    against = inside.integrated_gradients(model, image, target=1, baseline=0.0, steps=64)
    assert (against[region] < 0).all()  # for the other class the same pixels are evidence against
    assert not any(parameter.grad is not None for parameter in model.parameters())


class ColourCounter(nn.Module):
    """A feature layer (the image's colours, 2x2-pooled) and a head: class 0 counts red, class 1 green.
    Grad-CAM for class 0 should light up where red is and nothing else."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 3, 1, bias=False), nn.AvgPool2d(2))  # (B, 3, H/2, W/2)
        with torch.no_grad():
            self.features[0].weight.copy_(torch.eye(3).view(3, 3, 1, 1))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        colours = self.features(images).sum(dim=(2, 3))  # (B, 3)
        return colours[:, :2]  # red, green


def test_grad_cam_lights_up_where_the_evidence_is_in_the_input_size():
    model = ColourCounter()
    image = np.zeros((16, 16, 3), dtype=np.float32)
    image[2:6, 8:14, 0] = 1.0  # a red patch
    image[10:14, 2:6, 1] = 1.0  # a green one
    cam = inside.grad_cam(model, model.features, image, target=0)
    assert cam.shape == (16, 16) and cam.dtype == np.float32 and (cam >= 0).all()
    assert cam[3, 10] > 0 and cam[3, 10] == pytest.approx(cam.max())  # the red patch: evidence for class 0
    assert cam[12, 3] == 0 and cam[0, 0] == 0  # the green patch (evidence against) and the empty corner
    green = inside.grad_cam(model, model.features, image, target=1)
    assert green[12, 3] > 0 and green[3, 10] == 0  # the other way round for class 1
    assert not any(parameter.grad is not None for parameter in model.parameters())
    # the panel's wrapper names the layer in its caption
    method = inside.GradCAM(lambda m: m.features, "a toy layer")
    np.testing.assert_array_equal(method(model, image, 0), cam)
    assert "Grad-CAM" in method.method and "a toy layer" in method.method and not method.signed


def test_integrated_gradients_sum_colour_channels():
    model = nn.Sequential(nn.Conv2d(3, 2, 1), nn.Flatten(), nn.LazyLinear(2))
    model(torch.zeros(1, 3, 8, 8))
    attribution = inside.integrated_gradients(model, np.random.default_rng(0).random((8, 8, 3), np.float32), 1, 0.5, 8)
    assert attribution.shape == (8, 8) and np.isfinite(attribution).all()


@pytest.mark.parametrize("model, shape, per_member, map_side, activation", [
    (DigitCNN(members=3), (28, 28), 32, 28, torch.relu),
    (FashionCNN(), (28, 28), 32, 28, torch.relu),
    (PhotoCNN(image_size=64), (64, 64, 3), 32, 32, nn.functional.relu6),  # stride-2 stem, ReLU6
])
def test_first_layer_maps_and_filters_have_the_layers_shape(model, shape, per_member, map_side, activation):
    model.eval()
    image = np.random.default_rng(1).random(shape, dtype=np.float32)
    maps = inside.first_layer_maps(model, image)
    channels_in = 3 if len(shape) == 3 else 1
    assert maps.shape == (per_member, map_side, map_side) and (maps >= 0).all()
    assert inside.first_layer_filters(model).shape == (per_member, channels_in, 3, 3)
    # the same as running the first conv, batch norm and activation by hand
    conv = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
    norm = next(m for m in model.modules() if isinstance(m, nn.BatchNorm2d))
    with torch.no_grad():
        batch = torch.tensor(image[None]).permute(0, 3, 1, 2) if channels_in == 3 else torch.tensor(image)[None, None]
        expected = activation(norm(conv(model.normalise(batch))))[0, :per_member].numpy()
    np.testing.assert_allclose(maps, expected, atol=1e-5)


def test_pictures():
    image = np.zeros((28, 28), np.float32)
    attribution = np.zeros((28, 28), np.float32)
    attribution[5, 5], attribution[20, 20] = 1.0, -0.5
    picture = inside.attribution_picture(image, attribution, side=224)
    assert picture.shape == (224, 224, 3) and picture.dtype == np.uint8
    red, blue = picture[5 * 8 + 4, 5 * 8 + 4], picture[20 * 8 + 4, 20 * 8 + 4]
    assert red[0] > red[2] and blue[2] > blue[0]
    assert (picture[100, 4] == picture[4, 100]).all()  # no attribution: the dimmed input only
    assert inside.maps_picture(np.random.rand(32, 28, 28)).shape == (4 * 56 + 3 * 2, 8 * 56 + 7 * 2, 3)
    assert inside.filters_picture(np.random.randn(16, 3, 3, 3)).shape[2] == 3


def test_gallery_round_trip(tmp_path):
    assert inside.load_gallery(tmp_path) == ("", [])
    with pytest.raises(ValueError):
        inside.save_gallery(tmp_path, [], "nothing")
    grey = (np.arange(28 * 28).reshape(28, 28) % 256).astype(np.uint8)
    mistakes = [inside.Mistake(grey, "4", "9", 0.61), inside.Mistake(255 - grey, "7", "not a digit", 0.5)]
    inside.save_gallery(tmp_path, mistakes, "test digits")
    source, loaded = inside.load_gallery(tmp_path)
    assert source == "test digits" and [m.caption for m in loaded] == ["is 4, said 9 (61%)", "is 7, said not a digit (50%)"]
    np.testing.assert_array_equal(loaded[1].picture[:, :, 0], 255 - grey)  # few colours: kept exactly
    # a gallery of photos (thousands of colours) is stored as a 256-colour palette, close to the original
    y, x = np.mgrid[0:64, 0:64]
    photo = np.stack([x * 4, y * 4, (x + y) * 2], axis=2).astype(np.uint8)
    inside.save_gallery(tmp_path, [inside.Mistake(photo, "outwear", "Shirt", 0.7)] * 3, "validation photos")
    with Image.open(tmp_path / inside.GALLERY_PICTURE) as strip:
        assert strip.mode == "P" and strip.size == (3 * 64, 64)
    _, loaded = inside.load_gallery(tmp_path)
    assert loaded[2].picture.shape == (64, 64, 3)
    assert np.abs(loaded[2].picture.astype(int) - photo).mean() < 4


def test_curves_take_the_named_keys_per_epoch():
    history = [{"epoch": 1, "train_loss": 2.0, "test_loss": 1.5}, {"epoch": 2, "train_loss": 1.0}]
    rows = inside.curves(history, {"train_loss": "training", "test_loss": "test"})
    assert rows == [{"epoch": 1, "value": 2.0, "curve": "training"}, {"epoch": 2, "value": 1.0, "curve": "training"},
                    {"epoch": 1, "value": 1.5, "curve": "test"}]


# --- the committed models ----------------------------------------------------------------

@pytest.mark.weights
def test_digits_views_explain_the_drawn_digit():
    drawing = sketch_value(draw_sketch("7"))
    seen = digits_inside.saliency(drawing)
    assert seen.label == "7" and seen.attribution.shape == (28, 28)
    # the ink carries the evidence: attribution is where the drawing is, not on the empty field
    ink = seen.model_input > 0.2
    assert np.abs(seen.attribution[ink]).sum() > 10 * np.abs(seen.attribution[~ink]).sum()
    probabilities = digits_inside.probabilities(drawing)
    assert list(probabilities) == [*map(str, range(10)), "not a digit"]
    assert sum(probabilities.values()) == pytest.approx(1.0, abs=1e-5) and max(probabilities, key=probabilities.get) == "7"
    assert digits_inside.first_layer(drawing).maps.shape == (32, 28, 28)
    training = digits_inside.training()[0]
    assert {row["curve"] for row in training.loss} == {"training loss", "test loss"}
    assert len(training.mistakes) == 24 and "MNIST test digits" in training.mistakes_source
    with pytest.raises(ValueError):  # a blank pad: the same sentence classify turns into {}
        digits_inside.saliency(sketch_value(None))


@pytest.mark.weights
def test_fashion_views_use_the_network_that_reads_the_image():
    photo = Image.open(next(p for p in PHOTO_EXAMPLES if "outwear" in p.stem))
    seen = fashion_inside.saliency(photo)
    assert "photo network" in seen.network and seen.attribution.shape == (PHOTO_SIZE, PHOTO_SIZE) and seen.label == "Coat"
    item = np.zeros((28, 28), np.uint8)
    item[4:24, 10:18] = 200  # a trouser-like bar, light on black: the Fashion-MNIST network
    assert "Fashion-MNIST" in fashion_inside.saliency(item).network
    assert fashion_inside.first_layer(item).filters.shape == (32, 1, 3, 3)
    assert fashion_inside.first_layer(photo).filters.shape[1] == 3
    assert len(fashion_inside.probabilities(photo)) == 10
    photos, items = fashion_inside.training()
    assert "photo network" in photos.network and "Fashion-MNIST" in items.network
    assert photos.mistakes and items.mistakes


@pytest.mark.weights
def test_completion_views():
    picture = np.asarray(Image.open(completion_tab.EXAMPLES[0]).convert("RGB"))
    _, _, _, whole = completion_tab.example_for_ui(complete_drawing, ink_on_paper, picture)
    raw = completion_inside.raw_output_of(whole)
    assert raw.shape == (28, 28) and 0.0 <= raw.min() and raw.max() <= 1.0
    np.testing.assert_allclose(completion_inside.raw_output(ink_on_paper(picture)), raw, atol=1e-5)
    readings = completion_inside.readings_of(whole)
    assert readings.top == "2" and readings.whole["2"] > readings.half["2"] and readings.added > 0
    half_bars, whole_bars, caption = completion_tab.readings_for_ui(completion_inside.VIEWS, whole)
    assert list(half_bars["label"]) == list(whole_bars["label"]) and "What the drawn half added" in caption
    path, caption = completion_tab.raw_output_for_ui(completion_inside.VIEWS, whole)
    assert Image.open(path).size == (224, 224) and "raw output" in caption
    assert completion_tab.raw_output_for_ui(completion_inside.VIEWS, None) == (None, completion_tab.HOOD_HINT)


# --- the panel's handlers, with made-up views --------------------------------------------

def fake_views(calls: list) -> inside.Views:
    def saliency(model_input):
        calls.append("saliency")
        return inside.Saliency(model_input, np.ones_like(model_input), "7", 0.9, "a toy network",
                               "by integrated gradients (4 steps)")

    def first_layer(model_input):
        return inside.FirstLayer(np.random.rand(4, 28, 28), np.random.randn(4, 1, 3, 3), "a toy network", 3)

    def training():
        mistakes = [inside.Mistake(np.zeros((28, 28), np.uint8), "1", "7", 0.7)]
        return [inside.Training("a toy network", [{"epoch": 1, "value": 1.0, "curve": "training loss"}],
                                [{"epoch": 1, "value": 0.9, "curve": "test accuracy"}], "A note.", "toy images", mistakes)]

    return inside.Views(saliency, first_layer, lambda model_input: {"7": 0.9, "1": 0.1}, training, ("1", "7"))


def test_panel_handlers_show_each_visual_or_the_hint():
    calls: list = []
    views = fake_views(calls)
    assert hood.saliency_for_ui(views, None, "Draw first.") == (None, "Draw first.") and calls == []
    path, caption = hood.saliency_for_ui(views, np.zeros((28, 28), np.float32), "Draw first.")
    assert Image.open(path).size == (224, 224) and "**7** (90%)" in caption and "4 steps" in caption
    assert "blue ones away" in caption
    grad_cam_views = dataclasses.replace(views, saliency=lambda value: dataclasses.replace(
        views.saliency(value), method="by Grad-CAM", signed=False))
    _, caption = hood.saliency_for_ui(grad_cam_views, np.zeros((28, 28), np.float32), "Draw first.")
    assert "by Grad-CAM" in caption and "blue" not in caption and "not shown" in caption
    maps, filters, caption = hood.first_layer_for_ui(views, np.zeros((28, 28), np.float32), "Draw first.")
    assert Image.open(maps).size[0] > Image.open(filters).size[0] and "first of the 3 networks" in caption
    frame, caption = hood.probabilities_for_ui(views, np.zeros((28, 28), np.float32), "Draw first.")
    assert list(frame["label"]) == ["7", "1"] and list(frame["probability"]) == [0.9, 0.1]
    loss, accuracy, note, gallery = hood.training_for_ui(views)
    assert list(loss["curve"]) == ["training loss"] and "toy images" in note
    assert gallery[0][1] == "is 1, said 7 (70%)" and Image.open(gallery[0][0]).size == (112, 112)


def test_the_panel_is_built_with_named_endpoints():
    with gr.Blocks() as demo:
        kept = gr.State()
        panel = hood.classifier_hood("toy-hood", kept, fake_views([]), "toy", "Draw first.")
    assert panel.id == "toy-hood"
    names = {dependency.get("api_name") for dependency in demo.config["dependencies"]}
    assert {"toy_saliency", "toy_probabilities", "toy_first_layer", "toy_training"} <= names


def test_a_model_first_loaded_inside_inference_mode_still_gives_gradients(tmp_path):
    """The first request may load a model inside torch.inference_mode(); the panels then take
    gradients through it, which inference tensors would refuse."""
    from demos import runtime

    DigitCNN(members=1).save_pretrained(tmp_path / "toy-digits")
    with torch.inference_mode():
        model = runtime.load_model(DigitCNN, "toy-digits", "train it", weights_dir=tmp_path)
    assert not any(parameter.is_inference() for parameter in model.parameters())
    assert inside.integrated_gradients(model, np.zeros((28, 28), np.float32), 0, 0.0, 4).shape == (28, 28)
