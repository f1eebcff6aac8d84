"""The Shakespeare model: a character-level LSTM (embedding -> stacked LSTM -> linear).

One file, read top to bottom: the vocabulary, the network, and sampling (`generate`), which
the app, the benchmarks and the training script's samples all use. Importable without gradio.

    model = CharLSTM(vocab="\\n !...z")          # hyper-parameters go to config.json (mixin)
    logits, state = model(ids)                   # (B, T) -> (B, T, V), carry `state` onward
    for next_id in model.generate(model.encode("ROMEO:"), 200): ...

Generation carries the hidden state: the prompt is read once, then each new character costs
one matrix product per layer (`FusedStep`), several times faster at batch 1 than calling the
whole network once per character, and it steps a batch of generations just as well: the app
runs every visitor's text in one batch (`demos.shakespeare.batching`).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

LSTMState = tuple[torch.Tensor, torch.Tensor]  # (h, c), each (num_layers, B, H)


class CharLSTM(
    nn.Module,
    PyTorchModelHubMixin,
    library_name="pytorch",
    license="mit",
    pipeline_tag="text-generation",
    tags=["char-rnn", "lstm", "shakespeare", "deep-learning-demos"],
):
    """Character-level language model. ``vocab`` is the ordered string of known characters:
    character ``vocab[i]`` has id ``i``; it is stored in config.json with the other arguments."""

    def __init__(
        self, vocab: str, embedding_dim: int = 64, hidden_size: int = 600, num_layers: int = 2, dropout: float = 0.3
    ) -> None:
        super().__init__()
        if not vocab or len(set(vocab)) != len(vocab):
            raise ValueError("vocab must be a non-empty string of distinct characters")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {dropout}")
        self.vocab = vocab
        self.char_to_id = {char: index for index, char in enumerate(vocab)}
        self.embedding = nn.Embedding(len(vocab), embedding_dim)
        self.dropout = nn.Dropout(dropout)
        self.lstm = nn.LSTM(embedding_dim, hidden_size, num_layers, dropout=dropout, batch_first=True)
        self.head = nn.Linear(hidden_size, len(vocab))
        self._fused: FusedStep | None = None

    # --- vocabulary -------------------------------------------------------------------

    def encode(self, text: str) -> list[int]:
        """Characters -> ids; ``ValueError`` naming any character outside the vocabulary."""
        unknown = sorted(set(text) - self.char_to_id.keys())
        if unknown:
            raise ValueError(f"characters outside the vocabulary: {''.join(unknown)!r}")
        return [self.char_to_id[char] for char in text]

    def decode(self, ids: list[int] | torch.Tensor) -> str:
        return "".join(self.vocab[int(index)] for index in ids)

    # --- the network ------------------------------------------------------------------

    def forward(self, ids: torch.Tensor, state: LSTMState | None = None) -> tuple[torch.Tensor, LSTMState]:
        """(B, T) ids -> (B, T, V) logits of the next character, and the state after the last one."""
        x = self.dropout(self.embedding(ids))  # (B, T, E)
        x, state = self.lstm(x, state)  # (B, T, H)
        return self.head(self.dropout(x)), state

    # --- sampling ---------------------------------------------------------------------

    @torch.inference_mode()
    def generate(
        self,
        prompt_ids: list[int],
        max_new_chars: int,
        temperature: float = 0.8,
        top_k: int | None = None,
        seed: int = 0,
    ) -> Iterator[int]:
        """Yield ``max_new_chars`` sampled ids after ``prompt_ids`` (at least one id), one at a time.

        ``temperature`` 0 means greedy (always the likeliest character); ``top_k`` keeps only
        the k likeliest characters; the same ``seed`` gives the same ids on any device, alone or
        in a batch (`demos.shakespeare.batching` steps many generations together with the same
        `fused_step` and `Sampling`).
        """
        if not prompt_ids:
            raise ValueError("generate needs at least one prompt character")
        device = self.head.weight.device
        step = self.fused_step()
        sampling = Sampling(temperature, top_k or len(self.vocab), seed, max_new_chars)
        logits, h, c = step.read(torch.tensor(prompt_ids, device=device))  # the prompt, once
        for count in range(max_new_chars):
            next_id = sampling.draw(logits[0].float().cpu().numpy(), count)
            yield next_id
            if count + 1 < max_new_chars:
                logits = step(torch.tensor([next_id], device=device), h, c)  # one character in, the state carried

    def fused_step(self) -> FusedStep:
        """The inference step (`FusedStep`), rebuilt only when the weights change."""
        versions = tuple((parameter.data_ptr(), parameter._version) for parameter in self.parameters())
        if self._fused is None or self._fused.versions != versions:
            self._fused = FusedStep(self, versions)
        return self._fused


class Sampling:
    """How one generation picks its characters: temperature, top-k, and one uniform draw per
    character from its seed (drawn on the CPU whatever the model's device, so a seed gives the
    same text on CPU and GPU, up to the network's float rounding). `sample` draws for a batch."""

    def __init__(self, temperature: float, top_k: int, seed: int, count: int) -> None:
        self.temperature, self.top_k = float(temperature), int(top_k)
        self.draws = torch.rand(count, generator=torch.Generator().manual_seed(seed)).numpy()  # (count,) in [0, 1)

    def draw(self, logits: np.ndarray, count: int) -> int:
        """(V,) logits -> the id of character number ``count`` (`sample` for a batch of one)."""
        return int(sample(logits[None], [self], [count])[0])


def sample(logits: np.ndarray, rows: list[Sampling], counts: list[int]) -> np.ndarray:
    """(B, V) logits -> (B,) ids, row ``i`` by ``rows[i]`` at its character ``counts[i]``: the
    argmax at temperature 0, else the character whose share of softmax(logits / temperature),
    over the top k, covers the row's draw (inverse CDF).

    Every operation works row by row, so a row's id depends on its own logits and settings, not
    on the others in the batch (up to NumPy's vectorised exp, which may round a row's last bit
    differently at another batch size). A few small NumPy operations per batch: cheaper than
    the same in torch, whose every call releases and re-takes the GIL.
    """
    temperature = np.array([row.temperature for row in rows])  # (B,)
    top_k = np.array([row.top_k for row in rows])
    draws = np.array([row.draws[count] for row, count in zip(rows, counts)], dtype=np.float64)
    scaled = logits.astype(np.float64) / np.where(temperature > 0, temperature, 1.0)[:, None]  # (B, V)
    if (top_k < scaled.shape[1]).any():
        kth = -np.sort(-scaled, axis=1)[np.arange(len(rows)), top_k - 1]  # (B,) the k-th largest
        scaled = np.where(scaled >= kth[:, None], scaled, -np.inf)
    cdf = np.cumsum(np.exp(scaled - scaled.max(axis=1, keepdims=True)), axis=1)  # (B, V), unnormalised
    # the first character whose cumulative share exceeds the draw: never one of share 0
    drawn = np.minimum((cdf > (draws * cdf[:, -1])[:, None]).argmax(axis=1), scaled.shape[1] - 1)
    return np.where(temperature > 0, drawn, logits.argmax(axis=1))


class FusedStep:
    """The LSTM at inference. `read` takes a prompt through ``nn.LSTM``, one call per chunk; each
    new character then costs one matrix product per layer, the input and hidden weights of each
    layer concatenated once (faster at batch 1 than ``torch.lstm_cell``'s two products, as fast
    at batch 20), for one generation or a batch of them. Same arithmetic as ``nn.LSTM`` (gate
    order i, f, g, o). ``versions`` (storage and version of each parameter) says which weights
    it was built from.
    """

    READ_CHUNK = 256  # prompt characters per `nn.LSTM` call; fixed, so a prompt read in parts reads the same

    def __init__(self, model: CharLSTM, versions: tuple) -> None:
        self.versions = versions
        self.lstm = model.lstm
        self.embedding = model.embedding.weight.detach()  # (V, E)
        self.layers = []
        for layer in range(model.lstm.num_layers):
            w_ih, w_hh = getattr(model.lstm, f"weight_ih_l{layer}"), getattr(model.lstm, f"weight_hh_l{layer}")
            bias = getattr(model.lstm, f"bias_ih_l{layer}") + getattr(model.lstm, f"bias_hh_l{layer}")
            weight = torch.cat([w_ih, w_hh], dim=1).t().contiguous()  # (in + H, 4H): rows [:in] read x, [in:] read h
            self.layers.append((weight.detach(), bias.detach().unsqueeze(0)))
        self.head_weight = model.head.weight.detach().t().contiguous()  # (H, V)
        self.head_bias = model.head.bias.detach().unsqueeze(0)

    @torch.inference_mode()
    def read(
        self, ids: torch.Tensor, h: list[torch.Tensor] | None = None, c: list[torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
        """(T,) prompt ids, from state (h, c) (per layer (1, H); fresh when None) -> the (1, V) logits
        after the last one, and the new h, c. Read in `READ_CHUNK` parts: the same arithmetic
        whether a caller hands the prompt whole or in parts of that size."""
        state = None if h is None or c is None else (torch.stack(h), torch.stack(c))  # (L, 1, H) each
        for start in range(0, len(ids), self.READ_CHUNK):
            x, state = self.lstm(self.embedding[ids[start : start + self.READ_CHUNK]][None], state)  # (1, T, H)
        return torch.addmm(self.head_bias, x[:, -1], self.head_weight), list(state[0]), list(state[1])

    @torch.inference_mode()
    def __call__(self, ids: torch.Tensor, h: list[torch.Tensor], c: list[torch.Tensor]) -> torch.Tensor:
        """Advance (h, c) (per layer (B, H)) in place by the (B,) ids; return the (B, V) logits of the next characters."""
        x = self.embedding[ids]  # (B, E)
        for layer, (weight, bias) in enumerate(self.layers):
            gates = torch.addmm(bias, torch.cat([x, h[layer]], dim=1), weight)  # (B, 4H)
            i, f, g, o = gates.chunk(4, dim=1)
            c[layer] = torch.sigmoid(f) * c[layer] + torch.sigmoid(i) * torch.tanh(g)
            h[layer] = x = torch.sigmoid(o) * torch.tanh(c[layer])
        return torch.addmm(self.head_bias, x, self.head_weight)
