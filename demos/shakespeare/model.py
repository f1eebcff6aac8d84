"""The Shakespeare model: a character-level LSTM (embedding -> stacked LSTM -> linear).

One file, read top to bottom: the vocabulary, the network, and sampling (`generate`), which
the app, the benchmarks and the training script's samples all use. Importable without gradio.

    model = CharLSTM(vocab="\\n !...z")          # hyper-parameters go to config.json (mixin)
    logits, state = model(ids)                   # (B, T) -> (B, T, V), carry `state` onward
    for next_id in model.generate(model.encode("ROMEO:"), 200): ...

Generation carries the hidden state: the prompt is read once, then each new character costs
one step per layer. That step is a single fused matrix-vector product per layer
(`_FusedStep`), several times faster at batch 1 than calling `nn.LSTM` once per character
(which re-packs its weights on every call on the CPU).
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
import torch.nn.functional as F
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
        self._fused: _FusedStep | None = None

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
        generator: torch.Generator | None = None,
    ) -> Iterator[int]:
        """Yield ``max_new_chars`` sampled ids after ``prompt_ids`` (at least one id), one at a time.

        ``temperature`` 0 means greedy (always the likeliest character); ``top_k`` keeps only
        the k likeliest characters. ``generator`` (on the model's device) makes samples repeatable.
        """
        if not prompt_ids:
            raise ValueError("generate needs at least one prompt character")
        step = self._fused_step()
        next_logits, h, c = step.read(torch.tensor(prompt_ids, device=self.head.weight.device))  # the prompt, once
        for count in range(1, max_new_chars + 1):
            next_id = sample(next_logits, temperature, top_k, generator)  # (1,)
            yield int(next_id)
            if count < max_new_chars:
                next_logits = step(next_id, h, c)  # one character in, the state carried

    def _fused_step(self) -> _FusedStep:
        versions = tuple((parameter.data_ptr(), parameter._version) for parameter in self.parameters())
        if self._fused is None or self._fused.versions != versions:
            self._fused = _FusedStep(self, versions)
        return self._fused


def sample(logits: torch.Tensor, temperature: float, top_k: int | None, generator: torch.Generator | None) -> torch.Tensor:
    """(B, V) logits -> (B,) ids: argmax at temperature 0, else a draw from softmax(logits / T) over the top k."""
    if temperature == 0:
        return logits.argmax(dim=-1)
    logits = logits.float() / temperature
    if top_k is not None and top_k < logits.shape[-1]:
        kth = torch.topk(logits, top_k, dim=-1).values[:, -1:]  # (B, 1)
        logits = logits.masked_fill(logits < kth, float("-inf"))
    return torch.multinomial(F.softmax(logits, dim=-1), 1, generator=generator)[:, 0]


class _FusedStep:
    """The LSTM at inference, batch 1, with the input and hidden weights of each layer concatenated
    once: a new character costs one matrix-vector product per layer. Same arithmetic as ``nn.LSTM``
    (gate order i, f, g, o). ``versions`` (storage and version of each parameter) says which weights
    it was built from.
    """

    def __init__(self, model: CharLSTM, versions: tuple) -> None:
        self.versions = versions
        lstm = model.lstm
        self.embedding = model.embedding.weight.detach()  # (V, E)
        self.layers = []
        for layer in range(lstm.num_layers):
            w_ih, w_hh = getattr(lstm, f"weight_ih_l{layer}"), getattr(lstm, f"weight_hh_l{layer}")
            bias = getattr(lstm, f"bias_ih_l{layer}") + getattr(lstm, f"bias_hh_l{layer}")
            weight = torch.cat([w_ih, w_hh], dim=1).t().contiguous()  # (in + H, 4H): rows [:in] read x, [in:] read h
            self.layers.append((weight.detach(), bias.detach().unsqueeze(0)))
        self.head_weight = model.head.weight.detach().t().contiguous()  # (H, V)
        self.head_bias = model.head.bias.detach().unsqueeze(0)

    def read(self, ids: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor], list[torch.Tensor]]:
        """(T,) prompt ids from a fresh state -> the (1, V) logits after the last one, and per layer h, c (1, H)."""
        x = self.embedding[ids]  # (T, E)
        h, c = [], []
        for weight, bias in self.layers:
            inputs = x.shape[1]
            from_inputs = torch.addmm(bias, x, weight[:inputs])  # (T, 4H): every time step in one product
            hidden_weight = weight[inputs:]  # (H, 4H)
            h_t = c_t = torch.zeros(1, hidden_weight.shape[0], dtype=x.dtype, device=x.device)
            outputs = []
            for t in range(len(ids)):  # the recurrence itself is sequential
                h_t, c_t = _cell(torch.addmm(from_inputs[t : t + 1], h_t, hidden_weight), c_t)
                outputs.append(h_t)
            x = torch.cat(outputs)  # (T, H), the next layer's input
            h.append(h_t)
            c.append(c_t)
        return torch.addmm(self.head_bias, x[-1:], self.head_weight), h, c

    def __call__(self, ids: torch.Tensor, h: list[torch.Tensor], c: list[torch.Tensor]) -> torch.Tensor:
        """Advance (h, c) in place by the (1,) ids; return the (1, V) logits of the character after."""
        x = self.embedding[ids]  # (1, E)
        for layer, (weight, bias) in enumerate(self.layers):
            h[layer], c[layer] = _cell(torch.addmm(bias, torch.cat([x, h[layer]], dim=1), weight), c[layer])
            x = h[layer]
        return torch.addmm(self.head_bias, x, self.head_weight)


def _cell(gates: torch.Tensor, c: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """LSTM gates (1, 4H) and cell (1, H) -> new (h, c)."""
    i, f, g, o = gates.chunk(4, dim=1)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c
