"""Near-duplicate detection: MinHash over character shingles, found again by LSH bands.

The same wire story republished on ten sites differs in a headline suffix, a byline, or a
lead cut at another length. The Jaccard similarity of the folded texts' character 3-shingle
sets stays high for such copies and low for different stories on the same topic. A MinHash
signature (``PERMUTATIONS`` values) estimates it; split into ``BANDS`` bands of ``ROWS``
values, two texts with Jaccard 0.5 share at least one band with probability about 0.93 and
texts at 0.1 about 0.02, so candidates are found by exact band lookups and confirmed by
the estimated similarity. Nothing lives in memory between polls: each story's band keys
are stored on it in the graph, in a full-text index that answers "any of these keys" in
one lookup, so every monitor process sees every story.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

SHINGLE = 3
BANDS = 20
ROWS = 3
PERMUTATIONS = BANDS * ROWS
# Estimated Jaccard similarity at or above which two texts are the same story.
SAME_STORY = 0.5

Signature = npt.NDArray[np.uint64]

# Fixed odd multipliers and offsets: the same text gets the same signature in every process.
_rng = np.random.default_rng(20240611)
_MULTIPLIERS = _rng.integers(1, 2**63, PERMUTATIONS, dtype=np.uint64) | np.uint64(1)
_OFFSETS = _rng.integers(0, 2**63, PERMUTATIONS, dtype=np.uint64)
_SCRAMBLE = np.uint64(0x9E3779B97F4A7C15)
_EMPTY: Signature = np.zeros(PERMUTATIONS, dtype=np.uint64)


def _shingle_codes(folded: str) -> npt.NDArray[np.uint64]:
    """Each distinct 3-shingle as one integer: three 21-bit code points side by side."""
    points = np.frombuffer(folded.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    if len(points) < SHINGLE:
        points = np.concatenate([points, np.zeros(SHINGLE - len(points), dtype=np.uint64)])
    codes = (points[:-2] << np.uint64(42)) | (points[1:-1] << np.uint64(21)) | points[2:]
    unique: npt.NDArray[np.uint64] = np.unique(codes)
    return unique


def minhash(folded: str) -> Signature:
    """The MinHash signature of folded text (all zeros for empty text)."""
    if not folded:
        return _EMPTY
    # Scramble the shingle codes first (a fixed odd multiplier), then one universal hash
    # (a * h + b) mod 2**64 per permutation; uint64 arithmetic wraps by design.
    base = _shingle_codes(folded) * _SCRAMBLE
    hashed = base[None, :] * _MULTIPLIERS[:, None] + _OFFSETS[:, None]
    signature: Signature = (hashed >> np.uint64(16)).min(axis=1)
    return signature


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of the texts behind two signatures."""
    return float(np.count_nonzero(a == b)) / PERMUTATIONS


def bands(signature: Signature) -> list[str]:
    """The LSH band keys ``b<band>x<hash>`` of a signature: plain tokens, so Neo4j stores
    them as one string per story in a full-text index and finds stories by any of them."""
    rows = signature.reshape(BANDS, ROWS)
    return [
        f"b{i}x{hashlib.blake2b(row.tobytes(), digest_size=8).hexdigest()}"
        for i, row in enumerate(rows)
    ]


def to_hex(signature: Signature) -> str:
    return signature.astype(">u8").tobytes().hex()


def from_hex(value: str) -> Signature:
    decoded: Signature = np.frombuffer(bytes.fromhex(value), dtype=">u8").astype(np.uint64)
    return decoded


@dataclass
class Cluster:
    """Indexes into a batch whose texts are near-duplicates of the cluster's first text."""

    signature: Signature
    members: list[int] = field(default_factory=list)


def cluster(signatures: Sequence[Signature], threshold: float = SAME_STORY) -> list[Cluster]:
    """Group a batch's signatures: each joins the first earlier cluster it is similar to."""
    clusters: list[Cluster] = []
    by_band: dict[str, list[int]] = {}
    for index, signature in enumerate(signatures):
        keys = bands(signature)
        found: Cluster | None = None
        for key in keys:
            for cluster_index in by_band.get(key, ()):
                if similarity(clusters[cluster_index].signature, signature) >= threshold:
                    found = clusters[cluster_index]
                    break
            if found is not None:
                break
        if found is None:
            found = Cluster(signature=signature)
            clusters.append(found)
            for key in keys:
                by_band.setdefault(key, []).append(len(clusters) - 1)
        found.members.append(index)
    return clusters


def split_by_time(
    clusters: Sequence[Cluster],
    signatures: Sequence[Signature],
    published: Sequence[datetime],
    window: timedelta,
) -> list[Cluster]:
    """Clusters with near-duplicates published further apart than ``window`` split into
    separate stories (a feed's archive may hold a story and its rerun days later), so each
    counts at its own publication and an old copy never drags a new one out of the current
    window. Members keep their batch order; the first member leads each part."""
    split: list[Cluster] = []
    for group in clusters:
        times = [published[i] for i in group.members]
        if max(times) - min(times) <= window:
            split.append(group)
            continue
        parts: list[list[int]] = []
        for index in sorted(group.members, key=lambda i: published[i]):
            if not parts or published[index] - published[parts[-1][0]] > window:
                parts.append([])
            parts[-1].append(index)
        split += [Cluster(signatures[min(part)], sorted(part)) for part in parts]
    return split
