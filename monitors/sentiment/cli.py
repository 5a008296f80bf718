"""`riskwatch sentiment`: score texts from the command line.

    riskwatch sentiment "保险公司拒赔" "理赔很快，服务好"
    riskwatch sentiment --file posts.txt --jsonl      # one text per line -> one JSON per line

`api/cli.py` mounts this as a subcommand (`add_arguments` + `run`); `python -m
monitors.sentiment.cli` runs it alone with the model folder from the environment.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TextIO

from monitors.sentiment.paths import MODEL_ENV, resolve_model_dir
from monitors.sentiment.score import Score, SentimentModelMissing
from monitors.sentiment.transformer_scorer import TransformerSentimentScorer


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the subcommand's arguments on `parser`."""
    parser.add_argument("texts", nargs="*", help="texts to score")
    parser.add_argument("--file", type=Path, help="score one text per line of FILE (- = stdin)")
    parser.add_argument(
        "--jsonl",
        action="store_true",
        help='print one {"label", "scores"} JSON object per text, in order',
    )
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=256, help="token limit per text")


def _read_lines(path: Path) -> list[str]:
    if str(path) == "-":
        return [line.rstrip("\r\n") for line in sys.stdin]
    with path.open(encoding="utf-8") as fh:
        return [line.rstrip("\r\n") for line in fh]


def _print_scores(texts: list[str], scores: list[Score], jsonl: bool, out: TextIO) -> None:
    for text, score in zip(texts, scores, strict=True):
        if jsonl:
            out.write(json.dumps(score.as_json(), ensure_ascii=False) + "\n")
        else:
            probs = " ".join(f"{s.value[:3]}={p:.3f}" for s, p in score.probabilities.items())
            out.write(f"{score.label.value:<8} {probs}  {text}\n")


def run(args: argparse.Namespace, model_dir: Path) -> int:
    """Score the texts named by `args` with the model in `model_dir`; return an exit code."""
    texts = list(args.texts)
    if args.file is not None:
        texts += _read_lines(args.file)
    if not texts:
        print("riskwatch sentiment: give texts or --file FILE", file=sys.stderr)
        return 2
    scorer = TransformerSentimentScorer(
        model_dir, batch_size=args.batch_size, max_length=args.max_length
    )
    try:
        scores = scorer.score(texts)
    except SentimentModelMissing as exc:
        print(f"riskwatch sentiment: {exc}", file=sys.stderr)
        return 1
    _print_scores(texts, scores, args.jsonl, sys.stdout)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Standalone entry point (`python -m monitors.sentiment.cli`)."""
    parser = argparse.ArgumentParser(
        prog="riskwatch sentiment",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    return run(parser.parse_args(argv), resolve_model_dir(os.environ.get(MODEL_ENV)))


if __name__ == "__main__":
    raise SystemExit(main())
