"""The model folders the sentiment benches compare: the 12-layer teacher and the served model
(the distilled student)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from monitors.sentiment.paths import MODEL_ENV, TEACHER_MODEL_DIR, resolve_model_dir


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """`--model` (the teacher) and `--student` (by default the served model)."""
    parser.add_argument(
        "--model",
        type=Path,
        default=TEACHER_MODEL_DIR,
        help="the teacher's ONNX folder (python scripts/build_sentiment_model.py --teacher)",
    )
    parser.add_argument(
        "--student",
        type=Path,
        default=resolve_model_dir(os.environ.get(MODEL_ENV)),
        help="a distilled student's ONNX folder (default: the served model)",
    )
