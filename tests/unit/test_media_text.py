"""Pure media logic: folding, dedup keys, near-duplicate signatures, HTML, parsing, linking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from models.media import FeedEntry, canonical_link, exact_key, fold_text, subject_id
from monitors.feeds import dedup
from monitors.feeds.linking import EntityLinker, NamedNode
from monitors.feeds.parse import parse_document, strip_html
from tests.feed_server import Item, rss_document

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "feeds"
NOW = datetime(2024, 10, 18, 8, 0, tzinfo=UTC)
STORY = (
    "受持续强降雨影响，深圳多个区域出现严重内涝，上千辆汽车不同程度受损。瑞安保险表示已开通"
    "理赔绿色通道，简化水淹车定损流程，并在积水严重路段设立临时服务点，承诺小额案件三日内结案。"
)


def test_fold_text_unifies_script_width_case_and_punctuation() -> None:
    assert fold_text("深圳 鑫達汽修，ＲＡ  Insurance!") == "深圳鑫达汽修ra insurance"
    assert fold_text("  ") == ""


def test_canonical_link_drops_tracking_fragments_scheme_and_default_port() -> None:
    a = canonical_link("http://News.Example.cn:80/a/1.html/?utm_source=rss&id=3#top")
    b = canonical_link("https://news.example.cn/a/1.html?id=3&spm=abc")
    assert a == b == "https://news.example.cn/a/1.html?id=3"


def test_exact_key_prefers_guid_then_link_then_content() -> None:
    assert exact_key("g-1", "https://a.cn/x", "h") == "guid:g-1"
    assert exact_key("", "https://a.cn/x?utm_medium=x", "h") == "link:https://a.cn/x"
    assert exact_key(" ", "", "abc") == "hash:abc"


def test_entries_with_the_same_text_share_a_content_hash_but_not_an_id() -> None:
    def entry(guid: str, title: str) -> FeedEntry:
        return FeedEntry("feed:1", title, STORY, "", guid, NOW, NOW, "zh")

    a, b = entry("a", "暴雨 致车损"), entry("b", "暴雨，致车损")
    assert a.content_hash == b.content_hash
    assert a.mention_id != b.mention_id


def test_minhash_keeps_syndicated_copies_together_and_other_news_apart() -> None:
    original = dedup.minhash(fold_text("暴雨致深圳上千辆汽车受损" + STORY))
    suffixed = dedup.minhash(
        fold_text("暴雨致深圳上千辆汽车受损 - 南方网" + STORY + "（来源：新华）")
    )
    cut = dedup.minhash(fold_text("【关注】暴雨致深圳上千辆汽车受损" + STORY[:60]))
    other = dedup.minhash(
        fold_text("瑞安保险三季度保费收入同比增长12%，综合成本率下降至97.5%，理赔服务效率提升。")
    )
    assert dedup.similarity(original, suffixed) >= dedup.SAME_STORY
    assert dedup.similarity(original, cut) >= dedup.SAME_STORY
    assert dedup.similarity(original, other) < 0.2
    assert set(dedup.bands(original)) & set(dedup.bands(suffixed))
    assert not set(dedup.bands(original)) & set(dedup.bands(other))
    assert dedup.from_hex(dedup.to_hex(original)).tolist() == original.tolist()
    groups = dedup.cluster([original, other, suffixed, cut])
    assert [g.members for g in groups] == [[0, 2, 3], [1]]


def test_minhash_is_stable_across_calls_and_empty_text_is_all_zero() -> None:
    assert dedup.minhash("理赔").tolist() == dedup.minhash("理赔").tolist()
    assert not dedup.minhash("").any()


def test_strip_html_keeps_text_and_drops_scripts() -> None:
    html = "<p>车主称：&ldquo;等了<b>两个月</b>&rdquo;</p><script>x()</script><br/>未到账"
    assert strip_html(html) == "车主称：“等了两个月” 未到账"
    assert strip_html("plain   text") == "plain text"


def test_rss2_atom_and_rss1_entries_are_normalised() -> None:
    rss2 = parse_document((FIXTURES / "rss2.xml").read_bytes(), "feed:1", NOW)
    assert [e.guid for e in rss2.entries] == ["nfcj-2024-1001", "nfcj-2024-1002", "nfcj-2024-1003"]
    second = rss2.entries[1]
    assert "<" not in second.summary
    assert "track()" not in second.summary
    assert second.published_at == datetime(2024, 10, 15, 2, 0, tzinfo=UTC)
    assert second.language == "zh-cn"
    atom = parse_document((FIXTURES / "atom.xml").read_bytes(), "feed:2", NOW)
    assert atom.version == "atom10"
    assert atom.entries[1].summary.startswith("监管通报显示")
    assert atom.entries[1].published_at == datetime(2024, 10, 15, 1, 0, tzinfo=UTC)
    rss1 = parse_document((FIXTURES / "rss1.xml").read_bytes(), "feed:3", NOW, "zh")
    assert rss1.version == "rss10"
    assert [e.language for e in rss1.entries] == ["zh", "zh"]


def test_malformed_feeds_are_used_and_garbage_is_unusable() -> None:
    malformed = parse_document((FIXTURES / "malformed.xml").read_bytes(), "feed:4", NOW)
    assert malformed.bozo
    assert not malformed.unusable
    assert malformed.entries[0].published_at == NOW, "no date: first seen"
    garbage = parse_document((FIXTURES / "garbage.html").read_bytes(), "feed:5", NOW)
    assert garbage.unusable


def test_linker_finds_folded_names_longest_first_and_respects_latin_words() -> None:
    linker = EntityLinker(
        [
            NamedNode("repairshop:S9000001", ("鑫达汽修",)),
            NamedNode("repairshop:S2", ("鑫达汽修厂",)),
            NamedNode(subject_id("瑞安保险"), ("瑞安保险", "RA Insurance")),
            NamedNode("agent:A1", ("王",)),
        ]
    )
    assert linker.link(fold_text("深圳鑫達 汽修被点名")) == {"repairshop:S9000001"}
    assert linker.link(fold_text("鑫达汽修厂回应")) == {"repairshop:S2"}
    assert linker.link(fold_text("RA insurance said")) == {"subject:ruianbaoxian"}
    assert linker.link(fold_text("ultra insurances")) == set()
    assert linker.link(fold_text("王先生")) == set(), "names under min_chars are ignored"


def test_missing_and_future_dates_are_clamped_to_first_seen() -> None:
    items = [
        Item("明天的新闻", "时区写错的条目", "g-1", "https://a.cn/1", NOW + timedelta(hours=5)),
        Item("昨天的新闻", "正常的条目", "g-2", "https://a.cn/2", NOW - timedelta(days=1)),
    ]
    parsed = parse_document(rss_document("t", items), "feed:6", NOW)
    assert [e.published_at for e in parsed.entries] == [NOW, NOW - timedelta(days=1)]


def test_near_duplicates_published_days_apart_are_separate_stories() -> None:
    text = fold_text(STORY)
    signatures = [dedup.minhash(text), dedup.minhash(text + "。"), dedup.minhash(text)]
    published = [NOW - timedelta(days=10), NOW, NOW - timedelta(hours=3)]
    [together] = dedup.cluster(signatures)
    assert together.members == [0, 1, 2]
    split = dedup.split_by_time([together], signatures, published, timedelta(days=3))
    assert [part.members for part in split] == [[0], [1, 2]]
