"""``riskwatch sentiment``: score texts with the sentiment model (see monitors/sentiment/cli.py)."""

from __future__ import annotations

import argparse
from typing import Any

from api.settings import Settings


def register(subparsers: Any) -> None:
    from monitors.sentiment.cli import add_arguments

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "sentiment", help='score texts: riskwatch sentiment "text" ... | --file FILE --jsonl'
    )
    add_arguments(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from monitors.sentiment.cli import run as score_texts

    # Only the model settings are needed: no database, so no secrets are required here.
    settings = Settings()
    return score_texts(
        args,
        settings.sentiment_model,
        max_length=settings.sentiment_max_tokens,
        precision=settings.sentiment_precision,
    )
