"""Train the Shakespeare character-level LSTM on tiny Shakespeare and write weights/shakespeare/.

    python -m training.train_shakespeare                      # full run on the CPU (model card: wall time)
    python -m training.train_shakespeare --device cuda        # the same on a GPU
    python -m training.train_shakespeare --dry-run            # smoke test, seconds
    python -m training.train_shakespeare --corpus my.txt      # any plain-text corpus
    python -m training.train_shakespeare --push-to-hub you/shakespeare-char-lstm

The first 90% of the corpus trains, the last 10% is held out (the split nanoGPT's
character-level baseline uses). Training is truncated back-propagation through time with
the state carried: the training text is cut into ``--batch-size`` long streams, each batch
is the next ``--seq-len`` characters of every stream, and each stream's hidden state flows
from one batch into the next (detached), so the model learns from context longer than one
batch. The validation loss is the mean negative log-likelihood in nats per character, read
the same way. The checkpoint with the lowest validation loss is kept and stored in half
precision (its validation loss is measured again after rounding).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm import tqdm

from demos.shakespeare.model import CharLSTM
from training import common

OUT = common.REPO_ROOT / "weights" / "shakespeare"
VALIDATION_FRACTION = 0.1
SAMPLE_PROMPT = "ROMEO:"
WARMUP_STEPS = 200
MIN_LR_FRACTION = 0.1  # the cosine schedule ends at this fraction of the peak learning rate
SAMPLE_TEMPERATURE = 0.8  # the model card's sample


def load_corpus(path: Path) -> str:
    if not path.is_file():
        raise ValueError(f"no corpus at {path} (tiny Shakespeare lives in <data-dir>/tinyshakespeare/input.txt)")
    text = path.read_text(encoding="utf-8")
    if len(text) < 100:
        raise ValueError(f"{path} has only {len(text)} characters; a corpus needs at least 100")
    return text


def split_corpus(text: str) -> tuple[str, str]:
    """(training text, held-out text): the last 10% of the characters are held out."""
    cut = int(len(text) * (1 - VALIDATION_FRACTION))
    return text[:cut], text[cut:]


def as_streams(ids: torch.Tensor, streams: int) -> torch.Tensor:
    """(N,) ids -> (streams, N // streams): consecutive slices of the text, one per row."""
    length = len(ids) // streams
    if length < 2:
        raise ValueError(f"{len(ids)} characters cannot make {streams} streams; use a smaller --batch-size")
    return ids[: streams * length].view(streams, length)


def chunks(streams: torch.Tensor, seq_len: int, offset: int = 0):
    """(inputs, targets) pairs of shape (S, <= seq_len): the next characters of every stream."""
    for start in range(offset, streams.shape[1] - 1, seq_len):
        end = min(start + seq_len, streams.shape[1] - 1)
        yield streams[:, start:end], streams[:, start + 1 : end + 1]


def detach(state):
    return tuple(part.detach() for part in state)


def train_epoch(args, model: CharLSTM, streams: torch.Tensor, optimizer, scheduler, generator: torch.Generator,
                description: str) -> float:
    """One pass over the streams from a random offset; mean training loss (nats per character)."""
    model.train()
    offset = int(torch.randint(args.seq_len, (1,), generator=generator))  # chunk edges move each epoch
    total, count, state = 0.0, 0, None
    steps = -(-(streams.shape[1] - 1 - offset) // args.seq_len)
    if args.dry_run:
        steps = min(steps, 3)
    progress = tqdm(chunks(streams, args.seq_len, offset), total=steps, desc=description, leave=False)
    for step, (inputs, targets) in enumerate(progress):
        if step >= steps:
            break
        inputs, targets = inputs.to(args.device), targets.to(args.device)
        logits, state = model(inputs, state)  # (B, T, V)
        state = detach(state)  # carry the state, not the graph
        loss = F.cross_entropy(logits.flatten(0, 1), targets.flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        optimizer.step()
        scheduler.step()
        total += loss.item() * targets.numel()
        count += targets.numel()
        progress.set_postfix(loss=f"{total / count:.4f}")
    return total / max(count, 1)


@torch.inference_mode()
def evaluate(model: CharLSTM, streams: torch.Tensor, device: torch.device, seq_len: int = 512) -> float:
    """Mean negative log-likelihood (nats per character) over the streams, state carried."""
    model.eval()
    total, count, state = 0.0, 0, None
    for inputs, targets in chunks(streams, seq_len):
        logits, state = model(inputs.to(device), state)
        total += F.cross_entropy(logits.flatten(0, 1).float(), targets.to(device).flatten(), reduction="sum").item()
        count += targets.numel()
    return total / count


def sample_text(model: CharLSTM, prompt: str, length: int, seed: int) -> str:
    model.eval()
    ids = model.generate(model.encode(prompt), length, temperature=SAMPLE_TEMPERATURE, seed=seed)
    return prompt + model.decode(list(ids))


def cosine_schedule(optimizer, total_steps: int, warmup_steps: int):
    """Linear warm-up, then cosine decay to MIN_LR_FRACTION of the peak learning rate."""

    def factor(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        progress = min((step - warmup_steps) / max(total_steps - warmup_steps, 1), 1.0)
        return MIN_LR_FRACTION + (1 - MIN_LR_FRACTION) * 0.5 * (1 + math.cos(math.pi * progress))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def train(args, model: CharLSTM, train_streams: torch.Tensor, val_streams: torch.Tensor) -> tuple[list[dict], dict]:
    """AdamW + warm-up/cosine; validation after each epoch. Returns the history and the best state dict."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    steps_per_epoch = 3 if args.dry_run else -(-(train_streams.shape[1] - 1) // args.seq_len)
    scheduler = cosine_schedule(optimizer, args.epochs * steps_per_epoch, warmup_steps=min(WARMUP_STEPS, steps_per_epoch))
    generator = torch.Generator().manual_seed(args.seed)
    history, best, best_loss = [], None, math.inf
    started = time.time()
    for epoch in range(1, args.epochs + 1):
        train_loss = train_epoch(args, model, train_streams, optimizer, scheduler, generator, f"epoch {epoch}/{args.epochs}")
        val_loss = evaluate(model, val_streams, args.device)
        history.append({"epoch": epoch, "train_loss": round(train_loss, 4), "val_loss": round(val_loss, 4),
                        "minutes": round((time.time() - started) / 60, 1)})
        print(f"epoch {epoch}: train loss {train_loss:.4f}, val loss {val_loss:.4f}, "
              f"{history[-1]['minutes']} min", flush=True)
        if val_loss < best_loss:
            best_loss = val_loss
            best = {name: value.detach().clone() for name, value in model.state_dict().items()}
            if args.checkpoint:
                model.save_pretrained(args.checkpoint)  # survives an interrupted run
    return history, best


def round_to_half(model: CharLSTM) -> CharLSTM:
    """Store in float16 (half the file size); compute stays float32 after loading."""
    return model.half().float()


def model_card(model: CharLSTM, metrics: dict) -> str:
    """The model card, from metrics.json alone (and the class's Hub metadata)."""
    val, run, config = metrics["validation"], metrics["run"], metrics["config"]
    curve = common.markdown_table(
        ["epoch", "train loss", "val loss", "minutes"],
        [[h["epoch"], h["train_loss"], h["val_loss"], h["minutes"]] for h in metrics["history"]],
    )
    return f"""{common.card_front_matter(model, ["tiny_shakespeare"], ["loss"])}
# Shakespeare character-level LSTM (Deep Learning Demos)

Writes on from a prompt, one character at a time, in the Shakespeare tab of Deep Learning
Demos. Embedding ({config['embedding_dim']}) → {config['num_layers']}-layer LSTM with
{config['hidden_size']} hidden units (dropout {config['dropout']}) → linear over the
{len(config['vocab'])}-character vocabulary, which is stored in `config.json`.
{metrics['parameters']:,} parameters, stored in float16.

## Results

**Validation loss {val['loss']:.4f} nats per character** ({val['loss'] / math.log(2):.3f} bits) on the
held-out last 10% of tiny Shakespeare ({val['characters']:,} characters), with the stored float16 weights
(float32 before rounding: {val['loss_float32']:.4f}). Written by `python -m training.train_shakespeare`;
`python -m benchmarks.evaluate_shakespeare` recomputes it through `demos.shakespeare.nll`, reading the
whole held-out text as one sequence. The kept checkpoint is the epoch with the lowest validation loss
(epoch {val['epoch']}), so that figure has seen the validation set once, through that choice.

## Training

- Data: the first 90% of tiny Shakespeare ({run['train_size']:,} characters), cut into {run['batch_size']}
  streams; truncated back-propagation through {run['seq_len']} characters with the state carried
  between batches; the chunk edges move by a random offset each epoch.
- AdamW (weight decay {run['weight_decay']}), peak learning rate {run['lr']} with {run['warmup_steps']} warm-up
  steps and cosine decay to {run['min_lr_fraction']:g} of it, gradient norm clipped at {run['clip']}, {run['epochs']} epochs, seed {run['seed']}.
- Wall time {run['wall_time_seconds']:.0f} s on {run['device']} with {run['torch_threads']} torch threads
  ({run['characters_per_second']:,.0f} training characters per second).

{curve}

## Sample

Prompt `{metrics['sample_prompt']!r}`, temperature {run['sample_temperature']}, seed 0:

```
{metrics['sample']}
```

## Use

```python
from demos.shakespeare import generate, nll
generate("ROMEO:", max_new_chars=300, temperature=0.8, seed=1)  # the continuation
nll("To be, or not to be")  # nats per character
```

Limitations: it knows only the {len(config['vocab'])} characters of the corpus (plain ASCII letters and
punctuation) and about a million characters of one author; it imitates the look of the plays,
not their sense.
"""


def main(argv: list[str] | None = None) -> dict:
    parser = common.build_parser(__doc__.splitlines()[0], epochs=50, batch_size=64, lr=2e-3, out=OUT,
                                 weight_decay=0.01)
    parser.add_argument("--corpus", type=Path, default=None,
                        help="plain-text corpus (default: <data-dir>/tinyshakespeare/input.txt)")
    parser.add_argument("--seq-len", type=int, default=128, help="characters per back-propagation window")
    parser.add_argument("--embedding-dim", type=int, default=64)
    parser.add_argument("--hidden-size", type=int, default=600)
    parser.add_argument("--num-layers", type=int, default=2)
    parser.add_argument("--dropout", type=float, default=0.3)
    parser.add_argument("--clip", type=float, default=1.0, help="gradient norm clip")
    parser.add_argument("--checkpoint", type=Path, default=None, help="also save the best model here after each improvement")
    args = common.parse_args(parser, argv)
    for name in ("seq_len", "embedding_dim", "hidden_size", "num_layers"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if not 0 <= args.dropout < 1:
        parser.error("--dropout must be in [0, 1)")
    if args.clip <= 0:
        parser.error("--clip must be positive")
    corpus = args.corpus or args.data_dir / "tinyshakespeare" / "input.txt"
    try:
        text = load_corpus(corpus)
    except ValueError as error:
        parser.error(str(error))
    started = time.time()
    vocab = "".join(sorted(set(text)))
    train_text, val_text = split_corpus(text)
    model = CharLSTM(vocab, args.embedding_dim, args.hidden_size, args.num_layers, args.dropout).to(args.device)
    ids = lambda part: torch.tensor(model.encode(part), dtype=torch.long)  # noqa: E731
    train_streams = as_streams(ids(train_text), args.batch_size)
    val_streams = as_streams(ids(val_text), min(16, max(1, len(val_text) // 200)))
    history, best = train(args, model, train_streams, val_streams)
    model.load_state_dict(best)
    loss_float32 = evaluate(model, val_streams, args.device)
    model = round_to_half(model)
    loss = evaluate(model, val_streams, args.device)
    wall = time.time() - started
    prompt = SAMPLE_PROMPT if set(SAMPLE_PROMPT) <= set(vocab) else text[0]  # other corpora
    epochs_run = len(history)
    trained_chars = (3 * args.batch_size * args.seq_len if args.dry_run else train_streams.numel()) * epochs_run
    best_epoch = min(history, key=lambda h: h["val_loss"])["epoch"]
    metrics = {
        "validation": {"loss": round(loss, 4), "loss_float32": round(loss_float32, 4), "epoch": best_epoch,
                       "characters": len(val_text)},
        "history": history,
        "config": {"vocab": vocab, "embedding_dim": args.embedding_dim, "hidden_size": args.hidden_size,
                   "num_layers": args.num_layers, "dropout": args.dropout},
        "parameters": sum(parameter.numel() for parameter in model.parameters()),
        "run": {**common.run_info(args, started, train_size=len(train_text), warmup_steps=WARMUP_STEPS,
                                  validation_fraction=VALIDATION_FRACTION, min_lr_fraction=MIN_LR_FRACTION,
                                  sample_temperature=SAMPLE_TEMPERATURE),
                "characters_per_second": trained_chars / wall, "corpus": str(corpus.name)},
        "sample_prompt": prompt,
        "sample": sample_text(model, prompt, 300 if not args.dry_run else 40, seed=0),
    }
    model_half = model.half()  # the file holds float16; CharLSTM loads it into float32
    common.finish(args, model_half, metrics, model_card(model_half, metrics))
    print(f"validation loss {loss:.4f} nats per character ({len(val_text):,} held-out characters)")
    return metrics


if __name__ == "__main__":
    main()
