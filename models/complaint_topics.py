"""Complaint topics: Chinese word segmentation (jieba), stop words, hot-topic counts.

Segmentation is CPU-bound and jieba loads its dictionary on first use: callers on an event
loop run :func:`segment_all` in a worker thread.
"""

from __future__ import annotations

import logging
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

# Function words and words every complaint contains; they say nothing about its topic.
_STOP_WORDS_TEXT = """
    的 了 是 在 我 你 他 她 它 们 我们 你们 他们 和 与 及 或 也 都 就 还 又 很 太 更 最 被 把 给
    让 对 从 到 为 以 于 而 但 却 并 等 着 过 吗 呢 吧 啊 呀 哦 嘛 这 那 这个 那个 这些 那些 一个
    一直 没有 没 不 有 说 要 会 能 可以 什么 怎么 为什么 因为 所以 如果 然后 已经 还是 一 个 次
    多 少 上 下 里 后 前 时 时候 现在 今天 昨天 问题 情况 公司 保险 保险公司 客户 请 谢谢
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
# Numbers and identifiers are never topics: a phone, ID, plate, account or reference number
# typed into a summary (or its masked form, 138****5678) would otherwise become a "term".
_IDENTIFIER_LIKE = re.compile(r"[0-9０-９*@_.#/\\]|[A-Za-z]{13,}")
_jieba_lock = threading.Lock()
_tokenizer: Any = None

log = logging.getLogger(__name__)


def _jieba() -> Any:
    global _tokenizer
    with _jieba_lock:
        if _tokenizer is None:
            import jieba  # heavy: loaded once, on first use

            jieba.setLogLevel(logging.WARNING)
            tokenizer = jieba.Tokenizer()
            tokenizer.initialize()
            _tokenizer = tokenizer
        return _tokenizer


def terms(text: str) -> list[str]:
    """The content words of ``text``: segmented, stop words, single characters, punctuation
    and anything number- or identifier-like dropped, each term once, in order of appearance."""
    seen: dict[str, None] = {}
    for token in _jieba().lcut(text):
        word = token.strip()
        if is_topic_term(word):
            seen.setdefault(word, None)
    return list(seen)


def is_topic_term(word: str) -> bool:
    """Whether ``word`` may be a topic term: two characters or more, a content word (no stop
    word, not only punctuation), nothing number- or identifier-like."""
    return (
        len(word) >= 2
        and word not in STOP_WORDS
        and _WORD.search(word) is not None
        and _IDENTIFIER_LIKE.search(word) is None
    )


def segment_all(texts: Sequence[str]) -> list[list[str]]:
    """:func:`terms` of each text (one call, for a worker thread)."""
    return [terms(text) for text in texts]


@dataclass(frozen=True)
class TermCount:
    """A term's count in the period, in the previous period, and the change."""

    term: str
    count: int
    previous: int

    @property
    def change(self) -> int:
        return self.count - self.previous


@dataclass(frozen=True)
class CategoryTopics:
    """One category's complaint count in both periods and its most frequent terms."""

    category: str
    count: int
    previous: int
    terms: list[TermCount]

    @property
    def trend(self) -> str:
        """UP, DOWN or FLAT against the previous period of the same length."""
        if self.count > self.previous:
            return "UP"
        if self.count < self.previous:
            return "DOWN"
        return "FLAT"


def hot_topics(
    current: Iterable[tuple[str, list[str]]],
    previous: Iterable[tuple[str, list[str]]],
    top_terms: int = 10,
    min_complaints: int = 1,
) -> list[CategoryTopics]:
    """Per category: complaints and term counts (a term counts once per complaint) in the
    period and the one before; categories by count, terms by count then change. A term
    shared by fewer than ``min_complaints`` complaints of the period is left out (so that a
    narrow period cannot show the words of one complaint)."""
    counts: Counter[str] = Counter()
    before: Counter[str] = Counter()
    term_counts: dict[str, Counter[str]] = {}
    term_before: dict[str, Counter[str]] = {}
    for category, words in current:
        counts[category] += 1
        term_counts.setdefault(category, Counter()).update(set(words))
    for category, words in previous:
        before[category] += 1
        term_before.setdefault(category, Counter()).update(set(words))
    result = []
    for category in sorted(set(counts) | set(before), key=lambda c: (-counts[c], c)):
        now_terms = term_counts.get(category, Counter())
        old_terms = term_before.get(category, Counter())
        shared = [(term, n) for term, n in now_terms.items() if n >= min_complaints]
        ranked = sorted(shared, key=lambda item: (-item[1], item[0]))[:top_terms]
        result.append(
            CategoryTopics(
                category=category,
                count=counts[category],
                previous=before[category],
                terms=[TermCount(term, n, old_terms[term]) for term, n in ranked],
            )
        )
    return result
