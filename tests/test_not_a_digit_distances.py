"""`benchmarks.not_a_digit_distances`: its two distances measure what they say, on made-up data."""

from __future__ import annotations

import numpy as np
import torch

from benchmarks.not_a_digit_distances import FeatureDistance, blurred_halves, half_distance, hidden_features
from demos.digits.model import DigitCNN


def test_hidden_features_are_what_each_members_last_layer_reads():
    torch.manual_seed(0)
    model = DigitCNN(channels=(4, 8), hidden=6, members=2).eval()
    images = np.random.default_rng(0).random((5, 28, 28)).astype(np.float32)
    features = hidden_features(model, images)  # (5, 2, 6)
    assert features.shape == (5, 2, 6)
    assert (features >= 0).all()  # after the ReLU
    last = model.classifier[-1]  # the members' grouped last linear layer
    with torch.inference_mode():
        logits = last(features.reshape(5, 12, 1)).view(5, 2, -1)
        assert torch.allclose(logits, model.member_logits(torch.from_numpy(images)[:, None]), atol=1e-5)


def test_feature_distance_is_zero_at_a_class_mean_and_grows_away_from_it():
    rng = np.random.default_rng(0)
    centres = torch.tensor([[[0.0, 0.0], [0.0, 0.0]], [[4.0, 4.0], [4.0, -4.0]]])  # (classes, members, H)
    labels = torch.arange(2).repeat(500)
    features = centres[labels] + torch.from_numpy(rng.normal(0, 1, (1000, 2, 2))).float()
    distance = FeatureDistance(features, labels)
    at_means = distance(distance.means.float(), torch.arange(2))
    assert np.allclose(at_means, 0, atol=1e-9)
    # one unit of the noise's spread in every coordinate: about 1 per coordinate, 4 in all
    one_spread = distance(distance.means[:1].float() + 1, torch.tensor([0]))[0]
    assert 2.5 < one_spread < 6
    # class 1's mean measured from class 0's: far (32 squared spreads per member, 64 in all)
    assert distance(distance.means[1:].float(), torch.tensor([0]))[0] > 40


def test_half_distance_finds_the_same_half_one_row_off_and_only_in_its_class():
    digits = np.zeros((3, 28, 28), np.float32)
    digits[0, 6:22, 8:11] = 1  # a stroke in the left half: the "1" of the bank
    digits[1, 6:10, 4:14] = 1  # a bar at the top: the "7"
    digits[2, 14:18, 4:14] = 1  # a bar lower down: the other "7"
    bank, bank_labels = blurred_halves(digits), np.array([1, 7, 7])
    one_row_down = np.roll(digits[:1], 1, axis=1)
    one_row_down[:, :, 14:] = 1  # the right half is not looked at
    assert half_distance(one_row_down, np.array([1]), bank, bank_labels, neighbour=1)[0] < 1e-5
    assert half_distance(one_row_down, np.array([7]), bank, bank_labels, neighbour=1)[0] > 1
    # the second nearest of its class: the other 7, further away
    assert half_distance(digits[1:2], np.array([7]), bank, bank_labels, neighbour=2)[0] > 1
