"""Every reason people read exists in Chinese and English, and is worded from one table."""

from __future__ import annotations

import re

from models.reason_texts import (
    ACTION_TEXTS,
    REASON_TEXTS,
    Language,
    guide_reason_text,
    legal_limit_text,
    reason_text,
)
from models.renewal import RenewalAction
from models.watchlist import WatchlistReason

HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_watchlist_reason_reads_in_both_languages() -> None:
    for reason in WatchlistReason:
        zh = reason_text(reason.value, Language.ZH)
        en = reason_text(reason.value, Language.EN)
        assert HAN.search(zh), reason
        assert not HAN.search(en), reason
        assert zh != en
    assert set(ACTION_TEXTS) == set(RenewalAction)


def test_an_unknown_code_is_shown_as_it_is() -> None:
    assert reason_text("SOMETHING_NEW", Language.ZH) == "SOMETHING_NEW"


def test_the_legal_limit_names_the_line_and_both_actions() -> None:
    zh = legal_limit_text(
        "交强险", RenewalAction.DECLINE, RenewalAction.RENEW_WITH_CONDITIONS, Language.ZH
    )
    assert "交强险" in zh
    assert "拒绝续保" in zh
    assert "附条件续保" in zh
    en = legal_limit_text(
        "交强险", RenewalAction.DECLINE, RenewalAction.RENEW_WITH_CONDITIONS, Language.EN
    )
    assert "DECLINE became RENEW_WITH_CONDITIONS" in en
    assert "may not be refused" in en


def test_guide_reasons_list_the_keywords_or_say_fallback() -> None:
    assert guide_reason_text(["拒赔", "理由"], "CLAIMS", Language.ZH).endswith("拒赔、理由。")
    assert "拒赔, 理由" in guide_reason_text(["拒赔", "理由"], "CLAIMS", Language.EN)
    assert "general guide for OTHER" in guide_reason_text([], "OTHER", Language.EN)


def test_templates_fill_every_field() -> None:
    for code, text in REASON_TEXTS.items():
        for template in (text.zh, text.en):
            fields = set(re.findall(r"{(\w+)}", template))
            filled = text.render(Language.EN, **dict.fromkeys(fields, "x")) if fields else ""
            assert "{" not in filled, code
