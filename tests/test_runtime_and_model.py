"""DigitCNN shapes, the mixin save/load round trip, and runtime's device and weight loading."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file, save_file

from demos import runtime
from demos.digits.model import DigitCNN


def test_forward_shapes():
    model = DigitCNN().eval()
    assert model(torch.zeros(5, 1, 28, 28)).shape == (5, 11)  # 0-9 and "not a digit"
    assert DigitCNN(labels=("a", "b", "c"), channels=(8, 16), hidden=32)(torch.zeros(2, 1, 28, 28)).shape == (2, 3)
    with pytest.raises(ValueError, match="28x28"):
        DigitCNN(image_size=32)
    with pytest.raises(ValueError, match="members"):
        DigitCNN(members=0)


def test_ensemble_answers_its_members_mean_probability():
    torch.manual_seed(0)
    model = DigitCNN(channels=(4, 8), hidden=16, members=3).eval()
    images = torch.rand(4, 1, 28, 28)
    with torch.inference_mode():
        members = model.member_logits(images).softmax(dim=2)  # (B, K, classes)
        assert members.shape == (4, 3, 11)
        assert torch.allclose(model(images).softmax(dim=1), members.mean(dim=1), atol=1e-6)
        assert not torch.allclose(members[:, 0], members[:, 1])  # the members are different networks


def test_save_load_round_trip(tmp_path: Path):
    torch.manual_seed(0)
    model = DigitCNN(channels=(8, 16), hidden=32, dropout=0.1).eval()
    model.save_pretrained(tmp_path)
    assert {"config.json", "model.safetensors"} <= {p.name for p in tmp_path.iterdir()}
    assert json.loads((tmp_path / "config.json").read_text()) == {
        "channels": [8, 16], "hidden": 32, "dropout": 0.1, "labels": [*(str(d) for d in range(10)), "not a digit"], "image_size": 28,
        "mean": 0.1307, "std": 0.3081, "members": 1}
    loaded = DigitCNN.from_pretrained(tmp_path, strict=True)
    assert not loaded.training
    images = torch.rand(4, 1, 28, 28)
    with torch.inference_mode():
        assert torch.allclose(model(images), loaded(images))


def test_loading_is_strict(tmp_path: Path):
    DigitCNN(channels=(8, 16), hidden=32).save_pretrained(tmp_path)
    weights = load_file(tmp_path / "model.safetensors")
    weights.pop("classifier.4.bias")
    save_file(weights, tmp_path / "model.safetensors")
    with pytest.raises(RuntimeError, match="classifier.4.bias"):
        runtime.load_model(DigitCNN, tmp_path.name, "train it", weights_dir=tmp_path.parent)


def test_local_weights_come_first(tmp_path: Path, monkeypatch):
    DigitCNN(channels=(8, 16), hidden=32).save_pretrained(tmp_path / "digits")
    monkeypatch.setenv("DEMOS_DIGITS_REPO", "someone/elsewhere")
    monkeypatch.setattr(runtime, "_download_from_hub", lambda repo: pytest.fail("must not download"))
    model = runtime.load_model(DigitCNN, "digits", "train it", weights_dir=tmp_path, device=torch.device("cpu"))
    assert isinstance(model, DigitCNN) and not model.training


def test_hub_repo_is_used_when_local_weights_are_missing(tmp_path: Path, monkeypatch):
    downloaded = tmp_path / "hub-snapshot"
    DigitCNN(channels=(8, 16), hidden=32).save_pretrained(downloaded)
    calls = []

    def fake_download(repo_id: str) -> Path:  # stands in for the one network call
        calls.append(repo_id)
        return downloaded

    monkeypatch.setattr(runtime, "_download_from_hub", fake_download)
    monkeypatch.setenv("DEMOS_DIGITS_REPO", "someone/digits-cnn")
    model = runtime.load_model(DigitCNN, "digits", "train it", weights_dir=tmp_path / "empty")
    assert calls == ["someone/digits-cnn"]
    assert model.classifier[-1].out_channels == 11 and model.labels[-1] == "not a digit"
    assert runtime.load_metrics("digits", "train it", weights_dir=tmp_path / "empty") is None  # none came with it
    (downloaded / "metrics.json").write_text('{"test": {"accuracy": 0.5}}')
    assert runtime.load_metrics("digits", "train it", weights_dir=tmp_path / "empty") == {"test": {"accuracy": 0.5}}
    assert calls == ["someone/digits-cnn"]  # looked up once: the metrics come from the same folder as the model


def test_the_hub_download_fetches_the_metrics_with_the_weights(tmp_path: Path, monkeypatch):
    import huggingface_hub

    asked = {}

    def recording_snapshot_download(**kwargs):  # the one network call
        asked.update(kwargs)
        return str(tmp_path)

    monkeypatch.setattr(huggingface_hub, "snapshot_download", recording_snapshot_download)
    assert runtime._download_from_hub("someone/digits-cnn") == tmp_path
    assert asked == {"repo_id": "someone/digits-cnn", "allow_patterns": ["config.json", "model.safetensors", "metrics.json",
                                                            "mistakes.png", "mistakes.json", "cells.json"]}


@pytest.mark.weights
def test_a_model_from_the_hub_needs_nothing_but_its_folder():
    """config.json carries labels, input size and normalisation: plain [0, 1] images give the app's answers."""
    from demos.digits import classify, digit_probabilities
    from demos.digits.preprocess import preprocess_drawing
    from demos.fashion.model import FashionCNN
    from tests.conftest import draw_sketch, sketch_value

    for name, model_class in (("digits", DigitCNN), ("fashion", FashionCNN)):
        config = json.loads((runtime.WEIGHTS_DIR / name / "config.json").read_text())
        assert {"labels", "image_size", "mean", "std"} <= config.keys()
        assert len(config["labels"]) == 10 + (name == "digits")  # the digits model also has "not a digit"
    model = DigitCNN.from_pretrained(runtime.WEIGHTS_DIR / "digits", strict=True).eval()
    digit = preprocess_drawing(sketch_value(draw_sketch("7")))  # (28, 28) in [0, 1]
    with torch.inference_mode():
        probabilities = torch.softmax(model(torch.from_numpy(digit)[None, None]), dim=1)[0].numpy()
    assert model.labels[probabilities.argmax()] == "7"
    assert probabilities == pytest.approx(digit_probabilities(digit[None])[0], abs=1e-6)
    assert classify(sketch_value(draw_sketch("7")))["7"] == pytest.approx(float(probabilities[7]), abs=1e-6)


def test_missing_weights_name_the_model_and_the_command(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("DEMOS_DIGITS_REPO", raising=False)
    with pytest.raises(runtime.MissingWeightsError) as error:
        runtime.load_model(DigitCNN, "digits", "python -m training.train_digits", weights_dir=tmp_path)
    message = str(error.value)
    assert "digits" in message and "python -m training.train_digits" in message and "DEMOS_DIGITS_REPO" in message
    assert runtime.hub_repo_variable("fashion-photos") == "DEMOS_FASHION_PHOTOS_REPO"  # a valid variable name


def test_serving_and_training_choose_the_device_the_same_way(monkeypatch):
    from training.common import resolve_device

    monkeypatch.delenv("DEMOS_DEVICE", raising=False)
    assert resolve_device("auto") == runtime.best_device() == runtime.get_device()


def test_device_choice(monkeypatch):
    monkeypatch.setenv("DEMOS_DEVICE", "cpu")
    assert runtime.get_device() == torch.device("cpu")
    monkeypatch.setenv("DEMOS_DEVICE", "not-a-device")
    with pytest.raises(ValueError, match="DEMOS_DEVICE"):
        runtime.get_device()
    monkeypatch.delenv("DEMOS_DEVICE")
    expected = "cuda" if torch.cuda.is_available() else "mps" if torch.backends.mps.is_available() else "cpu"
    assert runtime.get_device().type == expected


def test_gpu_decorator_is_a_no_op_off_zero_gpu(monkeypatch):
    monkeypatch.delenv("SPACES_ZERO_GPU", raising=False)
    func = lambda x: x  # noqa: E731
    assert runtime.gpu(func) is func


def test_thread_setting(monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.setenv("DEMOS_TORCH_THREADS", "1")
        assert runtime.configure_threads() == 1 and torch.get_num_threads() == 1
        monkeypatch.setenv("DEMOS_TORCH_THREADS", "zero")
        with pytest.raises(ValueError, match="DEMOS_TORCH_THREADS"):
            runtime.configure_threads()
    finally:
        torch.set_num_threads(before)


@pytest.mark.weights
def test_committed_weights_are_small_safetensors():
    folders = [p for p in runtime.WEIGHTS_DIR.iterdir() if p.is_dir()]
    assert folders, "no committed weights"
    for folder in folders:
        assert (folder / "model.safetensors").stat().st_size <= 10 * 1024 * 1024
        assert (folder / "config.json").is_file() and (folder / "README.md").is_file()
        assert not list(folder.glob("*.bin")) and not list(folder.glob("*.pt")) and not list(folder.glob("*.pth"))
