"""What opening an "Under the hood" panel costs the server: median and 90th percentile per visual.

    python -m benchmarks.under_the_hood [--repeats 50]
    python -m benchmarks.under_the_hood --steps      # how many integration steps are enough

Each visual is one request; timed here is what its event runs (the tab's handler: the demo's
function and the picture or HTML it makes), with the serving thread setting (DEMOS_TORCH_THREADS,
default 1) after loading the models once, as the app does. Inputs are made here: a drawn 7 read
on the Digits pad, a clothing-small photo example and a Fashion-MNIST-style item, an MNIST
left half completed, and a 500-character text (the tab's default length) for Shakespeare.
The learning curves and galleries are made once per process and not timed. Measure on a quiet
machine.

``--steps`` checks the panels' integrated-gradient step counts instead: for the drawn 7 and the
grey item, the correlation of the map with one made in 128 steps, and how far the attributions' sum
is from log p(input) - log p(baseline), which it equals in the limit; and the same for the photo
network, to show why its panel uses Grad-CAM (one pass) instead.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
from PIL import Image

from demos import hood, runtime


def time_call(func: Callable[[], object], repeats: int) -> list[float]:
    for _ in range(5):  # warm-up
        func()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(name: str, times: list[float]) -> float:
    median, p90 = statistics.median(times), statistics.quantiles(times, n=10)[-1]
    print(f"{name:52s} median {median:6.1f} ms   p90 {p90:6.1f} ms")
    return median


def visuals() -> dict[str, Callable[[], object]]:
    """Each panel request, ready to run on its made-up input."""
    from demos.completion import inside as completion_inside
    from demos.completion import tab as completion_tab
    from demos.completion.predict import complete_drawing, ink_on_paper
    from demos.digits import inside as digits_inside
    from demos.digits import read_drawing
    from demos.fashion import inside as fashion_inside
    from demos.fashion import read_photo
    from demos.fashion.tab import PHOTO_EXAMPLES
    from demos.shakespeare import generate
    from demos.shakespeare import inside as shakespeare_inside
    from demos.shakespeare.tab import GENERATED, HoodHandlers
    from tests.conftest import draw_sketch, sketch_value

    digit = read_drawing(sketch_value(draw_sketch("7"))).model_input
    with Image.open(next(p for p in PHOTO_EXAMPLES if "outwear" in p.stem)) as photo:
        photo_input = read_photo(photo).model_input
    item = np.zeros((28, 28), np.uint8)
    item[4:24, 10:18] = 200
    item_input = read_photo(item).model_input
    half = np.asarray(Image.open(completion_tab.EXAMPLES[0]).convert("RGB"))
    whole = complete_drawing(ink_on_paper(half)).whole
    text = "ROMEO:\n" + generate("ROMEO:\n", 493, seed=1)
    words = HoodHandlers(shakespeare_inside.views())
    hint = "nothing"
    return {
        "digits: where it looked (integrated gradients)": lambda: hood.saliency_for_ui(digits_inside.VIEWS, digit, hint),
        "digits: first layer (maps and filters)": lambda: hood.first_layer_for_ui(digits_inside.VIEWS, digit, hint),
        "digits: every probability": lambda: hood.probabilities_for_ui(digits_inside.VIEWS, digit, hint),
        "fashion, a photo: where it looked": lambda: hood.saliency_for_ui(fashion_inside.VIEWS, photo_input, hint),
        "fashion, a photo: first layer": lambda: hood.first_layer_for_ui(fashion_inside.VIEWS, photo_input, hint),
        "fashion, a photo: every probability": lambda: hood.probabilities_for_ui(fashion_inside.VIEWS, photo_input, hint),
        "fashion, an item: where it looked": lambda: hood.saliency_for_ui(fashion_inside.VIEWS, item_input, hint),
        "completion: raw output": lambda: completion_tab.raw_output_for_ui(completion_inside.VIEWS, whole),
        "completion: half and whole read": lambda: completion_tab.readings_for_ui(completion_inside.VIEWS, whole),
        "shakespeare: surprise of 500 characters": lambda: words.surprise(GENERATED, text, ""),
        "shakespeare: what it expected at one character": lambda: words.candidates(GENERATED, text, "", 250),
        "shakespeare: one cell along 500 characters": lambda: words.cell(GENERATED, text, "", 883),
    }


def check_steps() -> None:
    """Each integrated-gradients panel's step count against 128 steps, on a made-up input each; and the
    photo network, which would need far more steps than fit in 100 ms (its panel uses Grad-CAM)."""
    import torch

    from demos import inside
    from demos.classifier import to_image_batch
    from demos.digits import inside as digits_inside
    from demos.digits import read_drawing
    from demos.fashion import inside as fashion_inside
    from demos.fashion import read_photo
    from demos.fashion.tab import ITEM_EXAMPLES, PHOTO_EXAMPLES
    from tests.conftest import draw_sketch, sketch_value

    digit = read_drawing(sketch_value(draw_sketch("7"))).model_input
    with Image.open(ITEM_EXAMPLES[0]) as item:
        item_input = read_photo(item).model_input
    with Image.open(next(p for p in PHOTO_EXAMPLES if "outwear" in p.stem)) as photo:
        photo_input = read_photo(photo).model_input
    # (name, network, baseline, the panel's step count; None: the panel uses Grad-CAM)
    for name, classifier, baseline, panel_steps, model_input in (
            ("digits, a drawn 7", digits_inside.INSIDE.classifier, 0.0, digits_inside.INSIDE.attribution.steps, digit),
            ("fashion, a grey item", fashion_inside.ITEMS_INSIDE.classifier, 0.0,
             fashion_inside.ITEMS_INSIDE.attribution.steps, item_input),
            # mid-grey baseline for the photo: about its normalisation mean
            ("fashion, a photo of a jacket", fashion_inside.PHOTOS_INSIDE.classifier, 0.5, None, photo_input)):
        model = classifier.load()
        with torch.inference_mode():
            batch = to_image_batch(np.stack([model_input, np.full_like(model_input, baseline)]))
            log_p = torch.log_softmax(model(batch), dim=1)
        target = int(log_p[0].argmax())
        exact = float(log_p[0, target] - log_p[1, target])
        reference = inside.integrated_gradients(model, model_input, target, baseline, 128)
        for steps in sorted({4, 8, 16, 32, 64} | ({panel_steps} if panel_steps else set())):
            attribution = inside.integrated_gradients(model, model_input, target, baseline, steps)
            r = np.corrcoef(attribution.ravel(), reference.ravel())[0, 1]
            print(f"{name:30s} {steps:3d} steps{' (the panel)' if steps == panel_steps else '            '}: "
                  f"r with 128 steps {r:.3f}; sum {attribution.sum():+.3f} against {exact:+.3f}")


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--steps", action="store_true", help="check the integration step counts instead")
    args = parser.parse_args(argv)
    if args.repeats < 10:
        parser.error("--repeats must be at least 10")
    threads = runtime.configure_threads()
    if args.steps:
        check_steps()
        return {}
    print(f"torch threads: {threads}; device: {runtime.get_device()}")
    return {name: report(name, time_call(run, args.repeats)) for name, run in visuals().items()}


if __name__ == "__main__":
    main()
