"""A small transformer-encoder sentence classifier, standing in for BERT (Devlin et al. 2019).

Token ids ``[N, L]`` (``pad_id`` marks padding) → token + learned positional embeddings →
``n_layers`` pre-norm ``nn.TransformerEncoderLayer`` blocks (padding masked out of attention) →
mean over the non-pad tokens → a final LayerNorm → linear head. Trained from scratch: it keeps
BERT's architecture family (self-attention encoder, GELU feed-forward, LayerNorm) at a size a CPU
can train, not its pre-training.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["TransformerClassifier"]


class TransformerClassifier(nn.Module):
    def __init__(
        self,
        vocab_size: int,
        num_classes: int,
        d_model: int = 64,
        n_layers: int = 2,
        n_heads: int = 4,
        max_len: int = 128,
        dim_feedforward: int | None = None,
        dropout: float = 0.1,
        pad_id: int = 0,
    ):
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("d_model", d_model), ("n_layers", n_layers), ("n_heads", n_heads), ("max_len", max_len)):
            if not (isinstance(value, int) and value >= 1):
                raise ValueError(f"{name} must be a positive integer; got {value!r}")
        if d_model % n_heads:
            raise ValueError(f"d_model must be divisible by n_heads={n_heads}; got {d_model}")
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"dropout must lie in [0, 1); got {dropout!r}")
        if not (isinstance(pad_id, int) and 0 <= pad_id < vocab_size):
            raise ValueError(f"pad_id must be an integer in [0, {vocab_size}); got {pad_id!r}")
        self.pad_id, self.max_len = pad_id, max_len
        self.embed = nn.Embedding(vocab_size, d_model, padding_idx=pad_id)
        self.pos = nn.Embedding(max_len, d_model)
        layer = nn.TransformerEncoderLayer(
            d_model, n_heads, dim_feedforward or 4 * d_model, dropout, activation="gelu", batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, n_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, num_classes)
        nn.init.normal_(self.embed.weight, std=0.02)
        nn.init.normal_(self.pos.weight, std=0.02)
        with torch.no_grad():
            self.embed.weight[pad_id].zero_()

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        if tokens.shape[-1] > self.max_len:
            raise ValueError(f"sequences are {tokens.shape[-1]} tokens long; this model takes at most max_len={self.max_len}")
        keep = tokens != self.pad_id  # [N, L]
        h = self.embed(tokens) + self.pos.weight[: tokens.shape[-1]]
        # a row of padding only attends to its pads (no all-masked softmax); its mean pool is 0
        h = self.encoder(h, src_key_padding_mask=~keep & keep.any(dim=-1, keepdim=True))
        w = keep.to(h.dtype).unsqueeze(-1)
        pooled = (h * w).sum(dim=-2) / w.sum(dim=-2).clamp_min(1.0)
        return self.head(self.norm(pooled))
