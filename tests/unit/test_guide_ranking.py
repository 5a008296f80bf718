"""Ranking handling guides for what a customer said: the one matcher that also picks a filed
complaint's guide."""

from __future__ import annotations

from models.complaints import GuideCandidate, best_guide, rank_guides
from models.records import ComplaintCategory

CLAIMS = ComplaintCategory.CLAIMS
GUIDES = [
    GuideCandidate("guide:denial", CLAIMS, ["拒赔", "理由", "免责"]),
    GuideCandidate("guide:low", CLAIMS, ["定损", "金额", "太低"]),
    GuideCandidate("guide:claims-general", CLAIMS, []),
    GuideCandidate("guide:premium", ComplaintCategory.UNDERWRITING, ["保费", "上涨"]),
]


def test_guides_rank_by_keywords_found_across_categories() -> None:
    said = "定损金额太低，而且保费上涨了"
    ranked = rank_guides(GUIDES, said, ["定损", "金额", "保费"])
    assert [(m.id, m.score) for m in ranked] == [("guide:low", 3), ("guide:premium", 2)]
    assert ranked[0].keywords == ("定损", "金额", "太低")
    assert not any(m.fallback for m in ranked)  # no category asked: no fallback


def test_a_category_keeps_its_guides_and_ends_with_its_fallback() -> None:
    ranked = rank_guides(GUIDES, "理赔被拒赔，理由说不清", [], CLAIMS)
    assert [(m.id, m.score, m.fallback) for m in ranked] == [
        ("guide:denial", 2, False),
        ("guide:claims-general", 0, True),
    ]


def test_nothing_matches_nothing_is_suggested() -> None:
    assert rank_guides(GUIDES, "你好", []) == []


def test_best_guide_is_the_first_of_the_ranking() -> None:
    for said, terms in (("定损金额太低", ["定损"]), ("拒赔", []), ("别的事", [])):
        ranked = rank_guides(GUIDES, said, terms, CLAIMS)
        assert best_guide(GUIDES, CLAIMS, said, terms) == ranked[0].id
    assert best_guide(GUIDES, ComplaintCategory.SALES, "误导", []) is None
