"""`riskwatch sentiment`: score texts from the command line.

    riskwatch sentiment "保险公司拒赔" "理赔很快，服务好"
    riskwatch sentiment --file posts.txt --jsonl      # one text per line -> one JSON per line

Every input line gets one output line, in order: a score, or (a line that is not UTF-8, or
that the model could not take) `{"error": ..., "line": N}` and a message on stderr; the rest
of the file goes on. Empty and whitespace-only lines are scored (they read neutral), and a
very long line is cut to its title and lead like any other text.

`api/cli.py` mounts this as a subcommand (`add_arguments` + `run`); `python -m
monitors.sentiment.cli` runs it alone with the model folder from the environment.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

from monitors.sentiment.model_folder import PRECISIONS, Precision
from monitors.sentiment.paths import MODEL_ENV, resolve_model_dir
from monitors.sentiment.score import Score, SentimentModelMissing
from monitors.sentiment.transformer_scorer import DEFAULT_MAX_LENGTH, TransformerSentimentScorer


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
    parser.add_argument(
        "--max-length", type=int, default=None, help="token limit per text (default: settings)"
    )
    parser.add_argument(
        "--precision", choices=PRECISIONS, default=None, help="fp32 or int8 (default: settings)"
    )


# Lines scored per call: output starts at once and memory stays flat on big files.
CHUNK_LINES = 512


def _lines(path: Path) -> Iterator[str | UnicodeDecodeError]:
    """The file's lines without their ends; a line that is not UTF-8 comes as its error."""
    stream = sys.stdin.buffer if str(path) == "-" else path.open("rb")
    with stream:
        for raw in stream:
            try:
                yield raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as error:
                yield error


def _print_scores(texts: list[str], scores: list[Score], jsonl: bool, out: TextIO) -> None:
    for text, score in zip(texts, scores, strict=True):
        if jsonl:
            out.write(json.dumps(score.as_json(), ensure_ascii=False) + "\n")
        else:
            probs = " ".join(f"{s.value[:3]}={p:.3f}" for s, p in score.probabilities.items())
            out.write(f"{score.label.value:<8} {probs}  {text}\n")


def _print_error(line: int, message: str, jsonl: bool, out: TextIO) -> None:
    print(f"riskwatch sentiment: line {line}: {message}", file=sys.stderr)
    if jsonl:  # one output line per input line, so outputs still pair with inputs
        out.write(json.dumps({"error": message, "line": line}, ensure_ascii=False) + "\n")
    else:
        out.write(f"error    line {line}: {message}\n")


def _score_chunk(
    scorer: TransformerSentimentScorer,
    chunk: list[tuple[int, str | UnicodeDecodeError]],
    jsonl: bool,
    out: TextIO,
) -> int:
    """Score and print one chunk in order; a chunk that fails is retried line by line so
    one bad text costs only its own line. Return how many lines failed."""
    texts = [t for _, t in chunk if isinstance(t, str)]
    try:
        scores = iter(scorer.score(texts))
    except SentimentModelMissing:
        raise
    except Exception:  # retried one by one below, where the failing line is named
        scores = None
    failed = 0
    for line, text in chunk:
        if isinstance(text, UnicodeDecodeError):
            _print_error(line, f"not UTF-8 text ({text.reason} at byte {text.start})", jsonl, out)
            failed += 1
            continue
        try:
            score = next(scores) if scores is not None else scorer.score([text])[0]
        except SentimentModelMissing:
            raise
        except Exception as error:  # this line only; the file goes on
            _print_error(line, f"could not score: {error}", jsonl, out)
            failed += 1
            continue
        _print_scores([text], [score], jsonl, out)
    return failed


def run(
    args: argparse.Namespace,
    model_dir: Path,
    max_length: int = DEFAULT_MAX_LENGTH,
    precision: Precision = "fp32",
) -> int:
    """Score the texts named by `args` with the model in `model_dir`; return an exit code
    (0; 1 when the model is missing or some lines could not be scored; 2 on usage)."""
    items: Iterable[str | UnicodeDecodeError] = list(args.texts)
    if args.file is not None:
        items = itertools.chain(items, _lines(args.file))
    elif not args.texts:
        print("riskwatch sentiment: give texts or --file FILE", file=sys.stderr)
        return 2
    scorer = TransformerSentimentScorer(
        model_dir,
        batch_size=args.batch_size,
        max_length=args.max_length or max_length,
        precision=args.precision or precision,
    )
    failed = 0
    numbered = enumerate(items, start=1)
    try:
        while chunk := list(itertools.islice(numbered, CHUNK_LINES)):
            failed += _score_chunk(scorer, chunk, args.jsonl, sys.stdout)
            sys.stdout.flush()
    except SentimentModelMissing as exc:
        print(f"riskwatch sentiment: {exc}", file=sys.stderr)
        return 1
    return 1 if failed else 0


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
