"""Latency of the demos' Python APIs on this CPU: median and 90th percentile per call.

    python -m benchmarks.speed [--demo digits fashion completion shakespeare] [--repeats 300]

Runs with the serving thread setting (DEMOS_TORCH_THREADS, default 1) after loading the
models once, as the app does. Inputs are made here, not read from a data set:
- digits: an 800x800 RGBA sketch value (Gradio's default canvas) holding a 7;
- fashion: a 28x28 Fashion-MNIST-style item, a 640x480 grey product shot, and a 12-megapixel
  (4032x3024) colour JPEG, opened with PIL from memory in each call (decoding included);
- completion: a 28x28 uint8 left half;
- shakespeare: time to the first character of `stream` (prompt "ROMEO:" and a 1,000-character
  prompt), and characters per second of `generate` at batch 1 (500 characters, temperature 0.8).
Measure on a quiet machine: another busy process skews CPU timings badly.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
from PIL import Image, ImageDraw

from demos import runtime

DEMOS = ("digits", "fashion", "completion", "shakespeare")


def time_call(func: Callable[[object], object], argument: object, repeats: int) -> list[float]:
    for _ in range(10):  # warm-up
        func(argument)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func(argument)
        times.append((time.perf_counter() - started) * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    p90 = statistics.quantiles(times, n=10)[-1]
    print(f"{name:44s} median {statistics.median(times):6.2f} ms   p90 {p90:6.2f} ms   ({len(times)} calls)")


def first_character_ms(prompt: str, repeats: int) -> list[float]:
    from demos.shakespeare import stream

    times = []
    for seed in range(repeats):
        started = time.perf_counter()
        next(stream(prompt, max_new_chars=500, seed=seed))
        times.append((time.perf_counter() - started) * 1000)
    return times


def characters_per_second(length: int, repeats: int) -> list[float]:
    from demos.shakespeare import generate

    rates = []
    for seed in range(repeats):
        started = time.perf_counter()
        generate("ROMEO:", max_new_chars=length, temperature=0.8, seed=seed)
        rates.append(length / (time.perf_counter() - started))
    return rates


def unfused_characters_per_second(length: int, repeats: int) -> list[float]:
    """The baseline `generate` replaces: the model's own forward (nn.LSTM) once per character."""
    from demos.shakespeare import load_lstm
    from demos.shakespeare.model import Sampling

    model = load_lstm()
    rates = []
    with torch.inference_mode():
        for seed in range(repeats):
            sampling = Sampling(0.8, len(model.vocab), seed, length)
            started = time.perf_counter()
            logits, state = model(torch.tensor([model.encode("ROMEO:")]))
            for count in range(length):
                next_id = torch.tensor([[sampling.draw(logits[0, -1].numpy(), count)]])
                logits, state = model(next_id, state)
            rates.append(length / (time.perf_counter() - started))
    return rates


def sketch_of_a_seven(canvas: int = 800) -> dict:
    image = Image.new("RGBA", (canvas, canvas), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(220, 150), (580, 150), (360, 660)], fill=(0, 0, 0, 255), width=50, joint="curve")
    return {"background": None, "layers": [], "composite": np.asarray(image)}


def garment_photo() -> tuple[np.ndarray, Image.Image, bytes]:
    """A trouser-like item, as 28x28 Fashion-MNIST style, as a grey product shot, and as a 12 MP
    colour phone-photo JPEG (blue trousers on a textured beige floor)."""
    item = np.zeros((28, 28), np.uint8)
    item[2:27, 8:20] = 180  # a trouser-like block
    item[14:27, 13:15] = 0
    photo = Image.new("RGB", (640, 480), (240, 240, 236))
    photo.paste(Image.fromarray(255 - item).resize((300, 300)).convert("RGB"), (170, 90))
    rng = np.random.default_rng(0)
    floor = (np.array([200, 180, 150]) + rng.normal(0, 12, (756, 1008, 1))).clip(0, 255).astype(np.uint8)
    phone = Image.fromarray(floor).resize((4032, 3024), Image.Resampling.BILINEAR)
    trousers = Image.fromarray(item).resize((2400, 2400), Image.Resampling.BILINEAR)
    phone.paste((40, 60, 140), (816, 312), trousers)
    jpeg = io.BytesIO()
    phone.save(jpeg, "JPEG", quality=90)
    return item, photo, jpeg.getvalue()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", nargs="+", choices=DEMOS, default=list(DEMOS))
    parser.add_argument("--repeats", type=int, default=300)
    args = parser.parse_args(argv)
    if args.repeats < 10:
        parser.error("--repeats must be at least 10")
    threads = runtime.configure_threads()
    print(f"torch {torch.__version__}, {threads} thread(s), device {runtime.get_device()}")
    if "digits" in args.demo:
        from demos.digits import classify, load_classifier
        from demos.digits.preprocess import preprocess_drawing

        load_classifier()
        sketch = sketch_of_a_seven()
        assert max(probabilities := classify(sketch), key=probabilities.get) == "7"
        report("digits.classify(800x800 sketch)", time_call(classify, sketch, args.repeats))
        report("  of which preprocess_drawing", time_call(preprocess_drawing, sketch, args.repeats))
    if "fashion" in args.demo:
        from demos.fashion import classify, load_classifiers

        load_classifiers()
        item, photo, jpeg = garment_photo()
        report("fashion.classify(28x28 Fashion-MNIST item)", time_call(classify, item, args.repeats))
        report("fashion.classify(640x480 grey product shot)", time_call(classify, photo, args.repeats))
        report("fashion.classify(12 MP JPEG, opened in the call)",
               time_call(lambda data: classify(Image.open(io.BytesIO(data))), jpeg, max(10, args.repeats // 3)))
    if "completion" in args.demo:
        from demos.completion import complete, load_unet

        load_unet()
        half = np.zeros((28, 28), np.uint8)
        half[6:22, 9:12] = 255
        report("completion.complete(28x28 left half)", time_call(complete, half, args.repeats))
    if "shakespeare" in args.demo:
        from demos.shakespeare import load_lstm

        load_lstm()
        first_character_ms("ROMEO:", 10)  # warm-up
        repeats = max(10, args.repeats // 10)
        report("shakespeare first character, 6-char prompt", first_character_ms("ROMEO:", repeats))
        long_prompt = ("ROMEO:\nBut soft, what light through yonder window breaks?\n" * 20)[:1000]
        report("shakespeare first character, 1,000-char prompt", first_character_ms(long_prompt, repeats))
        rates = characters_per_second(500, repeats)
        print(f"{'shakespeare.generate, batch 1, 500 chars':44s} median {statistics.median(rates):6.0f} chars/s"
              f"   slowest {min(rates):6.0f} chars/s ({len(rates)} calls)")
        rates = unfused_characters_per_second(500, 3)
        print(f"{'  baseline: nn.LSTM called once per character':44s} median {statistics.median(rates):6.0f} chars/s"
              f"   ({len(rates)} calls)")


if __name__ == "__main__":
    main()
