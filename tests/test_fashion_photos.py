"""The photo network's pieces: routing by colour, the photo input, the partial-label loss, EfficientNet-Lite0
(same outputs as the reference implementation with the same weights; the ImageNet weights checked and
renamed; float16 storage), the unsure calibration, and the training script's smoke mode on tiny
made-up photos (no data set needed)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image, ImageDraw

from demos.fashion.model import CLASS_NAMES, PHOTO_SIZE, PhotoCNN
from demos.fashion.predict import unsure_note
from demos.fashion.preprocess import PHOTO_WORKING_SIDE, PhotoError, decode, is_grey, photo_input
from training import common, train_fashion_photos
from training.clothing_photos import ACCEPTED
from training.train_fashion_photos import (
    accepted_mask, augment, calibrate_unsure, class_weights, default_pretrained_path, lite0_state_dict, load_pretrained,
    partial_label_loss,
)


def phone_photo(size: tuple[int, int] = (400, 534), garment=(200, 40, 40), floor=(190, 170, 140), seed: int = 0):
    """A made-up phone photo: a T-shirt-like shape on a noisy floor."""
    rng = np.random.default_rng(seed)
    width, height = size
    pixels = (np.array(floor) + rng.normal(0, 10, (height, width, 3))).clip(0, 255).astype(np.uint8)
    photo = Image.fromarray(pixels)
    draw = ImageDraw.Draw(photo)
    w, h = width // 10, height // 10
    draw.polygon([(3 * w, 2 * h), (7 * w, 2 * h), (9 * w, 4 * h), (7 * w, 4 * h), (7 * w, 8 * h),
                  (3 * w, 8 * h), (3 * w, 4 * h), (w, 4 * h)], fill=garment)
    return photo


# --- preprocessing and routing ------------------------------------------------------------------

def test_colour_photos_and_grey_items_are_told_apart():
    assert not is_grey(decode(phone_photo()))
    assert is_grey(decode(phone_photo().convert("L")))
    assert is_grey(decode(phone_photo().convert("L").convert("RGB")))
    # a grey image saved as a colour JPEG stays grey despite compression
    buffer = io.BytesIO()
    phone_photo().convert("L").convert("RGB").save(buffer, "JPEG", quality=75)
    assert is_grey(decode(Image.open(buffer)))
    # a colour item on a grey floor is colour, even when the item is small
    assert not is_grey(decode(phone_photo(garment=(30, 160, 40), floor=(128, 128, 128))))


def test_a_huge_jpeg_is_decoded_small_and_squeezed_whole():
    buffer = io.BytesIO()
    phone_photo((4032, 3024)).save(buffer, "JPEG", quality=85)
    rgb = decode(Image.open(buffer))
    assert max(rgb.shape[:2]) <= PHOTO_WORKING_SIDE and rgb.shape[2] == 3 and rgb.dtype == np.uint8
    assert rgb.shape[1] > rgb.shape[0]  # landscape stays landscape until the squeeze
    seen = photo_input(rgb)
    assert seen.shape == (PHOTO_SIZE, PHOTO_SIZE, 3) and seen.dtype == np.float32 and 0 <= seen.min() and seen.max() <= 1
    assert photo_input(rgb, 96).shape == (96, 96, 3)
    # the garment is red, the floor beige: the centre of the input is red, the corner is not
    centre = PHOTO_SIZE // 2
    assert seen[centre, centre, 0] > 0.6 and seen[centre, centre, 1] < 0.3 and seen[2, 2, 1] > 0.55


def test_transparent_photos_go_over_white_and_blank_ones_are_refused():
    rgba = phone_photo().convert("RGBA")
    rgba.putalpha(0)
    with pytest.raises(PhotoError, match="blank"):
        decode(rgba)  # all transparent: white, nothing to see
    with pytest.raises(PhotoError, match="blank"):
        decode(Image.new("RGB", (300, 200), (90, 160, 40)))


def test_the_unsure_note_names_the_two_likeliest_classes():
    probabilities = dict.fromkeys(CLASS_NAMES, 0.0) | {"Shirt": 0.45, "T-shirt/top": 0.40, "Coat": 0.15}
    assert unsure_note(probabilities, 0.6) == "Not sure: maybe a Shirt or a T-shirt/top"
    footwear = dict.fromkeys(CLASS_NAMES, 0.0) | {"Sneaker": 0.5, "Ankle boot": 0.4}
    assert unsure_note(footwear, 0.6) == "Not sure: maybe a Sneaker or an Ankle boot"
    assert unsure_note(probabilities, 0.45) is None


# --- training pieces ----------------------------------------------------------------------------

def test_partial_label_loss_by_hand():
    logits = torch.log(torch.tensor([[0.5, 0.3, 0.2], [0.1, 0.1, 0.8]]))
    accepted = torch.tensor([[False, True, True], [True, False, False]])
    expected = [-np.log(0.3 + 0.2), -np.log(0.1)]
    assert partial_label_loss(logits, accepted).item() == pytest.approx(np.mean(expected), rel=1e-6)
    weights = torch.tensor([3.0, 1.0])
    assert partial_label_loss(logits, accepted, weights).item() == pytest.approx(
        (3 * expected[0] + expected[1]) / 4, rel=1e-6)
    # one accepted class: the plain cross-entropy; all accepted: nothing to learn
    one = torch.tensor([[True, False, False], [False, False, True]])
    assert partial_label_loss(logits, one).item() == pytest.approx(F.cross_entropy(logits, torch.tensor([0, 2])).item())
    assert partial_label_loss(logits, torch.ones(2, 3, dtype=torch.bool)).item() == pytest.approx(0.0, abs=1e-6)
    # the gradient moves probability into the accepted set, not towards one member of it
    logits = torch.zeros(1, 3, requires_grad=True)
    partial_label_loss(logits, torch.tensor([[True, True, False]])).backward()
    assert logits.grad[0, 0] == logits.grad[0, 1] < 0 < logits.grad[0, 2]


def test_accepted_masks_follow_the_table_and_rare_classes_weigh_more():
    assert [CLASS_NAMES[i] for i in torch.nonzero(accepted_mask("shoes")).flatten()] == ["Sandal", "Sneaker", "Ankle boot"]
    assert accepted_mask("pants").sum() == 1 and all(accepted_mask(c).any() for c in ACCEPTED)
    weights = class_weights(["t-shirt"] * 9 + ["outwear"])
    assert weights.mean().item() == pytest.approx(1.0) and weights[-1] / weights[0] == pytest.approx(3.0)


def test_photo_cnn_is_efficientnet_lite0_as_the_reference_implementation_computes_it():
    """Our EfficientNet-Lite0 with the reference package's weights (random, with made-up batch-norm
    statistics) gives the reference's features: same layers, same TensorFlow-style padding."""
    from efficientnet_lite_pytorch import EfficientNet  # training-only package (requirements-train.txt)

    torch.manual_seed(0)
    for side in (160, 96):
        reference = EfficientNet.from_name("efficientnet-lite0", image_size=side).eval()
        for module in reference.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
        ours = PhotoCNN(image_size=side).eval()
        missing, unexpected = ours.load_state_dict(lite0_state_dict(reference.state_dict()), strict=False)
        assert set(missing) == {"classifier.weight", "classifier.bias"} and not unexpected
        photos = torch.rand(2, 3, side, side)
        with torch.inference_mode():
            expected = reference.extract_features(ours.normalise(photos))  # (2, 1280, side/32, side/32)
            features = ours.head(ours.blocks(ours.stem(ours.normalise(photos))))
        assert features.shape == (2, 1280, side // 32, side // 32)
        assert torch.allclose(features, expected, atol=1e-5)


def test_the_imagenet_weights_are_checked_and_loaded(tmp_path: Path):
    model = PhotoCNN(image_size=64)
    classifier = model.classifier.weight.detach().clone()
    stem = model.stem[0].weight.detach().clone()
    load_pretrained(model, default_pretrained_path())
    assert not torch.equal(model.stem[0].weight, stem)  # ImageNet's stem
    assert torch.equal(model.classifier.weight, classifier)  # the new classifier is left as it was
    impostor = tmp_path / "efficientnet-lite0-57934424.pth"
    torch.save({"_conv_stem.weight": torch.zeros(32, 3, 3, 3)}, impostor)
    with pytest.raises(ValueError, match="not EfficientNet-Lite0"):
        load_pretrained(PhotoCNN(image_size=64), impostor)


def test_augment_keeps_shape_and_range():
    photos = torch.rand(5, 3, 32, 32)
    out = augment(photos, torch.Generator().manual_seed(0))
    assert out.shape == photos.shape and 0 <= out.min() and out.max() <= 1 and not torch.equal(out, photos)


def test_unsure_threshold_keeps_the_sure_answers_accurate():
    # ten photos of pants (only Trouser is right): the six most confident are right, then four wrong
    trouser, coat = CLASS_NAMES.index("Trouser"), CLASS_NAMES.index("Coat")
    probabilities = torch.full((10, 10), 0.01)
    for row, top in enumerate([0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6, 0.55, 0.5, 0.45]):
        probabilities[row, trouser if row < 6 else coat] = top
    result = calibrate_unsure(probabilities, ["pants"] * 10, sure_accuracy=0.95)
    assert result["unsure_below"] == pytest.approx(0.7) and result["unsure_share"] == pytest.approx(0.4)
    assert result["sure_accuracy"] == 1.0 and result["unsure_accuracy"] == 0.0


# --- the training script, end to end on made-up photos ------------------------------------------

@pytest.fixture
def tiny_photos(tmp_path: Path) -> Path:
    """Five made-up JPEG photos for each of the seven photo classes (one held out for validation)."""
    root = tmp_path / "photos"
    for index, photo_class in enumerate(ACCEPTED):
        (root / photo_class).mkdir(parents=True)
        for copy in range(5):
            garment = tuple(int(v) for v in np.random.default_rng(index * 10 + copy).integers(0, 255, 3))
            phone_photo((120, 160), garment, seed=copy).save(root / photo_class / f"{copy}.jpg", quality=80)
    return root


def test_dry_run_on_made_up_photos_writes_a_loadable_model(tiny_photos: Path, tmp_path: Path):
    out = tmp_path / "fashion-photos"
    metrics = train_fashion_photos.main(["--photos-dir", str(tiny_photos), "--image-size", "64",
                                         "--out", str(out), "--dry-run"])
    assert {p.name for p in out.iterdir()} == {"config.json", "model.safetensors", "metrics.json", "README.md"}
    saved = json.loads((out / "metrics.json").read_text())
    assert saved == json.loads(json.dumps(metrics))
    assert saved["validation"]["photos"] == 7 and set(saved["validation"]["per_class_accuracy"]) == set(ACCEPTED)
    assert 0 <= saved["unsure_below"] <= 1 and saved["run"]["train_size"] == 28
    assert {"augmentation", "image_size", "pretrained"} <= saved["run"].keys()
    assert saved["run"]["pretrained"] == "efficientnet-lite0-57934424.pth"
    card = (out / "README.md").read_text()
    assert card.startswith("---\n") and f"{saved['validation']['strict_accuracy']:.1%}" in card
    model = PhotoCNN.from_pretrained(out, strict=True).eval()
    assert model.image_size == 64
    photos = torch.rand(2, 3, 64, 64)
    trained = common.predict_probabilities(model, photos, torch.device("cpu"))
    assert trained.shape == (2, 10) and torch.allclose(trained.sum(dim=1), torch.ones(2))


def test_photo_model_round_trips_through_save_and_load_in_float16(tmp_path: Path):
    model = PhotoCNN(image_size=64, dropout=0.1).eval()
    model.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").stat().st_size < 7.5e6  # float16: half of float32's 13.6 MB
    loaded = PhotoCNN.from_pretrained(tmp_path, strict=True).eval()
    assert loaded.image_size == 64 and loaded.labels == CLASS_NAMES and loaded.dropout == 0.1
    assert all(p.dtype == torch.float32 for p in loaded.parameters())  # computed in float32
    # the same network as the original with its weights rounded to float16
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if tensor.is_floating_point():
                tensor.copy_(tensor.half().float())
    photos = torch.rand(3, 3, 64, 64)
    with torch.inference_mode():
        assert torch.allclose(model(photos), loaded(photos))
    with pytest.raises(ValueError, match="multiple of 32"):
        PhotoCNN(image_size=40)


def test_bad_photo_flags_are_refused(tiny_photos: Path, tmp_path: Path, capsys):
    for flags, message in ((["--pretrained", str(tmp_path / "missing.pth")], "no pretrained weights"),
                           (["--image-size", "60"], "--image-size"),
                           (["--photos-dir", str(tmp_path / "none")], "no photos")):
        with pytest.raises(SystemExit):
            train_fashion_photos.main(["--photos-dir", str(tiny_photos), "--out", str(tmp_path / "out"), "--dry-run",
                                       *flags])
        assert message in capsys.readouterr().err
