#!/usr/bin/env python
"""Distil the sentiment teacher into a smaller student (needs the `[train]` extra).

    python scripts/distill_sentiment.py --out DIR [--layers 6] [--steps 4000] [--cap 128]
    python scripts/build_sentiment_model.py --student DIR/delta.safetensors \\
        --out .cache/sentiment/riskwatch-zh-sentiment-student

The student starts as alternate layers of the fine-tuned teacher (6 layers: 1, 3, 5, 7, 9,
11; 4 layers: 2, 5, 8, 11; or `--keep`), with the teacher's embeddings, pooler and head.
It learns the teacher's soft labels (KL divergence at temperature `--kd-temperature`) over
unlabelled text: the training splits' texts (FinFE train, FinNSP 80% train) and the review
corpora in `shared/data/sentiment/reviews/`; the evaluation splits are never seen. The
teacher's logits come from its ONNX folder (fast, computed once and cached in `--out`).
Like the teacher, the student trains LoRA adapters on every matrix plus all biases,
LayerNorms, the pooler and the head, so its delta stays small enough to commit; the delta's
metadata names the teacher layers it keeps, and `build_sentiment_model.py --student` turns
it into an ONNX folder exactly as it does the teacher. Evaluate the result with
`bench/sentiment_quality.py --student FOLDER` (the adoption rule is printed there).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from monitors.sentiment import datasets  # noqa: E402
from monitors.sentiment.paths import TEACHER_MODEL_DIR  # noqa: E402

ALTERNATE = {6: [1, 3, 5, 7, 9, 11], 4: [2, 5, 8, 11], 3: [3, 7, 11], 2: [5, 11]}


def unlabelled_texts(limit_per_source: int) -> list[str]:
    """Training texts without their labels: FinFE train, FinNSP train, the review corpora."""
    texts = [e.text for e in datasets.finfe("train")]
    texts += [e.text for e in datasets.finnsp_split()[0]]
    for path in sorted((datasets.data_dir() / "reviews").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            rows = [row["text"] for row in csv.DictReader(fh) if row.get("text")]
        texts += rows[:limit_per_source] if limit_per_source else rows
    return [t for t in texts if t.strip()]


def teacher_logits(teacher: Path, texts: list[str], cap: int, cache: Path) -> Any:
    """The teacher's logits for `texts` (ONNX Runtime), cached in `cache`."""
    import numpy as np

    from monitors.sentiment.transformer_scorer import TransformerSentimentScorer

    if cache.is_file():
        stored = np.load(cache)
        if stored.shape[0] == len(texts):
            return stored
    scorer = TransformerSentimentScorer(teacher, batch_size=64, max_length=cap)
    started = time.monotonic()
    logits = scorer.logits(texts)
    print(
        f"teacher logits for {len(texts)} texts in {time.monotonic() - started:.0f} s", flush=True
    )
    np.save(cache, logits)
    return logits


def build_student(keep: list[int], args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """The student as a torch model: the teacher's kept layers, LoRA on every matrix."""
    import torch
    from build_sentiment_model import teacher_weights
    from train_sentiment import LORA_TARGETS, _lora_linear_class
    from transformers import BertConfig, BertForSequenceClassification

    from monitors.sentiment.build import select_layers
    from monitors.sentiment.delta import DEFAULT_DELTA

    weights, cfg, _ = teacher_weights(DEFAULT_DELTA)
    cfg = {k: v for k, v in cfg.items() if k != "architectures"} | {"num_hidden_layers": len(keep)}
    torch.manual_seed(args.seed)
    model = BertForSequenceClassification(BertConfig(**cfg))
    state = {k: torch.from_numpy(v) for k, v in select_layers(weights, keep).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected, unexpected
    assert all("position_ids" in k for k in missing), missing
    for p in model.parameters():
        p.requires_grad = False
    lora = _lora_linear_class()
    for layer in model.bert.encoder.layer:
        for target in LORA_TARGETS:
            parent_name, _, leaf = target.rpartition(".")
            parent = layer.get_submodule(parent_name)
            setattr(parent, leaf, lora(getattr(parent, leaf), args.rank, args.alpha, 0.0))
    for name, p in model.named_parameters():
        if (
            "lora_" in name
            or name.endswith(".bias")
            or "LayerNorm" in name
            or name.startswith(("bert.pooler", "classifier"))
        ):
            p.requires_grad = True
    return model, cfg


def distil(args: argparse.Namespace) -> Path:
    """Train the student; write `delta.safetensors` (and the logits cache) to `args.out`."""
    import numpy as np
    import torch
    import torch.nn.functional as F
    from safetensors.torch import save_file
    from tokenizers import Tokenizer

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    keep = [int(i) for i in args.keep.split(",")] if args.keep else ALTERNATE[args.layers]
    texts = unlabelled_texts(args.limit_per_source)
    if args.max_texts and len(texts) > args.max_texts:
        chosen = np.random.default_rng(args.seed).choice(len(texts), args.max_texts, replace=False)
        texts = [texts[i] for i in sorted(chosen)]
    soft = teacher_logits(args.teacher, texts, args.cap, out / "teacher-logits.npy")
    tok = Tokenizer.from_file(str(args.teacher / "tokenizer.json"))
    tok.enable_truncation(args.cap)
    ids = [e.ids for e in tok.encode_batch(texts)]
    if args.threads:
        torch.set_num_threads(args.threads)
    model, _ = build_student(keep, args)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=args.lr, total_steps=args.steps, pct_start=0.1, anneal_strategy="linear"
    )
    rng = np.random.default_rng(args.seed)
    t = args.kd_temperature
    started = time.monotonic()
    for step in range(1, args.steps + 1):
        # A random batch, padded to its longest text.
        pick = rng.choice(len(texts), size=args.batch_size, replace=False)
        width = max(len(ids[i]) for i in pick)
        batch = torch.zeros((len(pick), width), dtype=torch.long)
        mask = torch.zeros_like(batch)
        for row, i in enumerate(pick):
            batch[row, : len(ids[i])] = torch.tensor(ids[i])
            mask[row, : len(ids[i])] = 1
        target = F.softmax(torch.from_numpy(soft[pick]).float() / t, dim=-1)
        logits = model(input_ids=batch, attention_mask=mask).logits
        loss = F.kl_div(F.log_softmax(logits / t, dim=-1), target, reduction="batchmean") * t * t
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        if step % args.log_every == 0 or step == args.steps:
            rate = step / (time.monotonic() - started)
            print(
                f"step {step}/{args.steps}: KD loss {float(loss.detach()):.4f} "
                f"({rate:.2f} steps/s)",
                flush=True,
            )
    delta = {
        n: p.detach().float().cpu().contiguous()
        for n, p in model.named_parameters()
        if p.requires_grad
    }
    recipe = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    meta = {
        "recipe": json.dumps(recipe),
        "keep_layers": json.dumps(keep),
        "lora_scale": str(args.alpha / args.rank),
        "labels": json.dumps(["negative", "neutral", "positive"]),
        "distilled_texts": str(len(texts)),
    }
    path = out / "delta.safetensors"
    save_file({k: v.half() for k, v in delta.items()}, str(path), metadata=meta)
    print(f"student delta ({len(keep)} layers {keep}, {path.stat().st_size / 1e6:.1f} MB): {path}")
    print(
        "build it: python scripts/build_sentiment_model.py --student "
        f"{path} --out .cache/sentiment/riskwatch-zh-sentiment-student"
    )
    return path


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True, help="folder for the delta")
    parser.add_argument("--teacher", type=Path, default=TEACHER_MODEL_DIR, help="ONNX folder")
    parser.add_argument("--layers", type=int, choices=sorted(ALTERNATE), default=6)
    parser.add_argument("--keep", help="teacher layers to keep, e.g. 0,4,8,11 (overrides)")
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--rank", type=int, default=16)
    parser.add_argument("--alpha", type=float, default=32.0)
    parser.add_argument("--cap", type=int, default=96, help="token cap (the serving cap)")
    parser.add_argument("--kd-temperature", type=float, default=2.0)
    parser.add_argument(
        "--limit-per-source", type=int, default=0, help="at most N texts of each review corpus"
    )
    parser.add_argument(
        "--max-texts", type=int, default=0, help="a seeded sample of N texts (a short run)"
    )
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--log-every", type=int, default=50)
    args = parser.parse_args(argv)
    if args.steps < 1:
        parser.error("--steps must be at least 1")
    distil(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
