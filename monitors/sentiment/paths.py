"""Where the sentiment model folder lives.

The default is built by `scripts/build_sentiment_model.py` under the repository's
git-ignored `.cache/`; the `RISKWATCH_SENTIMENT_MODEL` setting (read by the project's
settings, or by the scripts) may point at any local Hugging Face sequence-classification
folder instead.
"""

from __future__ import annotations

from pathlib import Path

MODEL_ENV = "RISKWATCH_SENTIMENT_MODEL"
REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_MODEL_DIR = REPO_ROOT / ".cache" / "sentiment" / "riskwatch-zh-sentiment"


def teacher_beside(student: Path) -> Path:
    """Where the build puts the teacher of a student built into `student`: it scores the
    texts in Latin script only (`latin_fallback`; the student was distilled on Chinese text
    and reads English less well), and the benches compare the two."""
    return student.with_name(f"{student.name}-teacher")


# the 12-layer teacher the default model was distilled from
TEACHER_MODEL_DIR = teacher_beside(DEFAULT_MODEL_DIR)
BUILD_COMMAND = "python scripts/build_sentiment_model.py"


def resolve_model_dir(override: str | None) -> Path:
    """The model folder: `override` (the setting's value) when set, else the default."""
    return Path(override).expanduser() if override else DEFAULT_MODEL_DIR
