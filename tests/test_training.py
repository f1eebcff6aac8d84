"""The training scripts end to end in smoke mode on tiny made-up data, and the Hub push up to the network."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from demos.completion.model import CompletionUNet
from demos.digits.model import DigitCNN
from demos.fashion.model import FashionCNN
from training import common, train_completion, train_digits, train_fashion


class NotADigitOdds(torch.nn.Module):
    """Logits read off the image: "not a digit" gets the probability written in its first pixel, "0" the rest."""

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        share = images[:, 0, 0, 0].clamp(1e-6, 1 - 1e-6)
        logits = torch.full((len(images), 11), -50.0)
        logits[:, 0], logits[:, 10] = torch.log1p(-share), torch.log(share)
        return logits


def images_with(shares: list[float]) -> torch.Tensor:
    images = torch.zeros(len(shares), 1, 28, 28)
    images[:, 0, 0, 0] = torch.tensor(shares)
    return images


class RecordsInferenceMode(torch.nn.Module):
    """Two-class logits; remembers whether each call ran in inference mode (no autograd graph)."""

    labels = ("a", "b")

    def __init__(self) -> None:
        super().__init__()
        self.modes: list[bool] = []

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        self.modes.append(torch.is_inference_mode_enabled())
        return torch.zeros(len(images), 2)


def test_evaluation_and_prediction_build_no_autograd_graph():
    model, images = RecordsInferenceMode(), torch.zeros(3, 1, 28, 28)
    common.evaluate_classifier(model, images, torch.tensor([0, 1, 0]), torch.device("cpu"))
    common.predict_probabilities(model, images, torch.device("cpu"))
    assert model.modes and all(model.modes)


def test_refusal_threshold_lets_through_all_but_the_oddest_validation_digits():
    odd = [0.6, 0.7, 0.8, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99, 0.999]  # 10 of 10,000 digits look like no digit
    digits = images_with([0.01] * 9990 + odd)
    not_digits = images_with([0.2, 0.9, 0.99, 0.3])
    rejection = train_digits.refusal_threshold(NotADigitOdds(), digits, not_digits, torch.device("cpu"))
    # 0.05% of 10,000 is 5: the threshold lies between the 6th and 5th highest (0.9 and 0.95)
    assert 0.9 < rejection["refuse_at"] <= 0.95
    assert rejection["validation_digits"] == 10_000 and rejection["validation_digits_refused"] <= 0.0006
    assert rejection["validation_size"] == 4 and rejection["validation_refused"] == 0.25  # only 0.99
    assert rejection["validation_refused_or_below_half"] == 0.5  # 0.9 leaves every digit below one half
    # ordinary digits never put the threshold below one half: a digit would win below it
    assert train_digits.refusal_threshold(NotADigitOdds(), images_with([0.01] * 100), not_digits,
                                          torch.device("cpu"))["refuse_at"] == 0.5


def test_digits_dry_run_writes_a_loadable_model(tiny_mnist: Path, tmp_path: Path):
    out, completer = tmp_path / "digits", tmp_path / "completer"
    CompletionUNet(base_channels=4, depth=1).save_pretrained(completer)  # any completion UNet; no committed weights
    metrics = train_digits.main(["--data-dir", str(tiny_mnist), "--out", str(out), "--dry-run", "--seed", "1",
                                 "--completer", str(completer)])
    assert {p.name for p in out.iterdir()} == {"config.json", "model.safetensors", "metrics.json", "README.md"}
    saved = json.loads((out / "metrics.json").read_text())
    assert saved == json.loads(json.dumps(metrics))
    test = saved["test"]
    assert 0.0 <= test["accuracy"] <= 1.0
    assert len(test["per_class_accuracy"]) == 10  # the digits (the test set has no "not a digit")
    assert sum(map(sum, test["confusion_matrix"])) == 32 and 0.0 <= test["refused"] <= 1.0
    # the made-up styles and non-digits are in the training set, in every class
    assert len(saved["run"]["examples_per_class"]) == 11 and min(saved["run"]["examples_per_class"]) > 0
    # the refusal threshold is set on validation digits (the training digits drawn anew), both sides
    # are recorded, and it travels with the weights
    rejection = saved["rejection"]
    assert 0.5 <= rejection["refuse_at"] < 1 and rejection["validation_size"] > 0
    assert 0 < rejection["validation_digits"] <= 64 and 0 <= rejection["validation_digits_refused"] <= 1  # drawable ones
    assert saved["run"]["refused_digits"] == train_digits.REFUSED_DIGITS
    assert f"{saved['rejection']['refuse_at']:.2f}" in (out / "README.md").read_text()
    assert saved["run"]["train_size"] == 64 and saved["run"]["epochs"] == 1
    assert {"device", "wall_time_seconds"} <= saved["run"].keys()
    card = (out / "README.md").read_text()
    assert card.startswith("---\n") and f"{test['accuracy']:.2%}" in card
    # the Hub metadata comes from the model class, once: pipeline tag, library, tags
    front = card.split("---\n")[1]
    assert "pipeline_tag: image-classification" in front and "library_name: pytorch" in front and "- mnist" in front
    # every hyper-parameter is recorded, and the card quotes the record
    run = saved["run"]
    assert {"lr", "weight_decay", "label_smoothing", "pen_copies", "augmentation", "pen_width", "seed"} <= run.keys()
    assert f"label smoothing {run['label_smoothing']}" in card and f"rotation ±{run['augmentation']['rotation_degrees']}°" in card
    model = DigitCNN.from_pretrained(out, strict=True)
    assert model(torch.zeros(1, 1, 28, 28)).shape == (1, 11) and model.labels[-1] == "not a digit"


def test_fashion_dry_run_writes_a_loadable_model(tiny_fashion_mnist: Path, tmp_path: Path):
    out = tmp_path / "fashion"
    metrics = train_fashion.main(["--data-dir", str(tiny_fashion_mnist), "--out", str(out), "--dry-run"])
    assert {p.name for p in out.iterdir()} == {"config.json", "model.safetensors", "metrics.json", "README.md"}
    assert len(metrics["test"]["confusion_matrix"]) == 10 and metrics["run"]["train_size"] == 64
    assert "Confusion matrix" in (out / "README.md").read_text()
    assert FashionCNN.from_pretrained(out, strict=True)(torch.zeros(2, 1, 28, 28)).shape == (2, 10)


def test_completion_dry_run_writes_a_loadable_model(tiny_mnist: Path, tmp_path: Path):
    out, reader = tmp_path / "completion", tmp_path / "reader"
    DigitCNN(channels=(4, 8), hidden=8).save_pretrained(reader)  # any digits model reads; no committed weights needed
    metrics = train_completion.main(["--data-dir", str(tiny_mnist), "--out", str(out), "--dry-run", "--reader", str(reader),
                                     "--base-channels", "4", "--pen-copies", "1", "--loss", "bce"])
    assert {p.name for p in out.iterdir()} == {"config.json", "model.safetensors", "metrics.json", "README.md"}
    test = metrics["test"]
    assert 0 <= test["mse"] <= 1 and set(test["read_correctly"]) == {"half_input", "completion", "original"}
    assert metrics["run"]["training_examples_per_epoch"] == 128  # 64 digits + one pen copy each
    model = CompletionUNet.from_pretrained(out, strict=True)
    assert model(torch.zeros(1, 1, 28, 28)).shape == (1, 1, 28, 28)
    with pytest.raises(SystemExit):
        train_completion.main(["--data-dir", str(tiny_mnist), "--out", str(out), "--dry-run", "--reader", str(tmp_path)])


@pytest.mark.weights
def test_completion_metric_in_training_equals_the_benchmarks(tmp_path: Path, monkeypatch):
    """The same model on the same digits: `train_completion.evaluate`'s MSE is the benchmark's, which
    goes through the serving API (`demos.completion.complete`, one digit at a time)."""
    from argparse import Namespace

    from benchmarks import evaluate_completion
    from demos.completion import predict

    torch.manual_seed(0)
    model = CompletionUNet(base_channels=4, depth=1).eval()
    reader = DigitCNN(channels=(4, 8), hidden=8).eval()
    rng = np.random.default_rng(0)
    digits = (rng.random((12, 28, 28)) > 0.7).astype(np.uint8) * 255
    labels = rng.integers(0, 10, 12)
    images = torch.from_numpy(digits).float().unsqueeze(1) / 255
    trained = train_completion.evaluate(Namespace(device=torch.device("cpu")), model, reader, images,
                                        torch.from_numpy(labels), images)
    monkeypatch.setattr(predict, "load_unet", lambda: model)
    served = evaluate_completion.evaluate(digits, labels)
    assert served["mse"] == pytest.approx(trained["mse"], rel=1e-6)


def test_bad_flags_are_refused(tiny_mnist: Path, tmp_path: Path, capsys):
    for flags in (["--epochs", "0"], ["--lr", "-1"], ["--device", "warp-drive"], ["--batch-size", "0"]):
        with pytest.raises(SystemExit) as exit_info:
            train_digits.main(["--data-dir", str(tiny_mnist), "--out", str(tmp_path / "x"), *flags])
        assert exit_info.value.code == 2
    assert "--epochs must be at least 1" in capsys.readouterr().err


class RecordingHfApi:
    """Stands in for huggingface_hub.HfApi at the network boundary and records the calls."""

    calls: list = []

    def __init__(self, token=None):
        RecordingHfApi.calls.append(("init", bool(token)))

    def create_repo(self, **kwargs):
        RecordingHfApi.calls.append(("create_repo", kwargs))

    def upload_folder(self, **kwargs):
        RecordingHfApi.calls.append(("upload_folder", kwargs))


def test_push_to_hub_uploads_the_folder_it_wrote(tiny_mnist: Path, tmp_path: Path, monkeypatch, capsys):
    import huggingface_hub

    secret = "hf_secret_token_value_123"
    monkeypatch.setenv("HF_TOKEN", secret)
    monkeypatch.setattr(huggingface_hub, "HfApi", RecordingHfApi)
    RecordingHfApi.calls = []
    out = tmp_path / "digits"
    train_digits.main(["--data-dir", str(tiny_mnist), "--out", str(out), "--dry-run", "--push-to-hub", "me/digits-cnn"])
    assert RecordingHfApi.calls[0] == ("init", True)
    assert RecordingHfApi.calls[1] == ("create_repo", {"repo_id": "me/digits-cnn", "repo_type": "model", "private": None, "exist_ok": True})
    name, upload = RecordingHfApi.calls[2]
    assert name == "upload_folder" and upload["repo_id"] == "me/digits-cnn" and Path(upload["folder_path"]) == out
    # what would be uploaded loads back with the mixin
    uploaded = Path(upload["folder_path"])
    assert {"config.json", "model.safetensors", "README.md", "metrics.json"} <= {p.name for p in uploaded.iterdir()}
    DigitCNN.from_pretrained(uploaded, strict=True)
    captured = capsys.readouterr()
    assert secret not in captured.out + captured.err
    assert "https://huggingface.co/me/digits-cnn" in captured.out


def test_push_refuses_a_folder_without_weights(tmp_path: Path):
    with pytest.raises(ValueError, match="nothing to push"):
        common.push_folder(tmp_path, "me/empty", api=RecordingHfApi())
