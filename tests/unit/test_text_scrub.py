"""Free text loses the identifiers typed into it, and keeps everything else."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from models.identity import id_check_digit
from models.text_scrub import scrub_personal_data

_FILLER = st.text(alphabet="客户来电称理赔被拒要求复核，。电话号码身份证 ", max_size=12)


@st.composite
def _id_numbers(draw: st.DrawFn) -> str:
    area = draw(st.sampled_from(["110101", "310104", "440305"]))
    birth = draw(st.dates().filter(lambda d: 1930 <= d.year <= 2010)).strftime("%Y%m%d")
    seq = f"{draw(st.integers(0, 999)):03d}"
    first17 = area + birth + seq
    return first17 + id_check_digit(first17)


_PHONES = st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True)
_ACCOUNTS = st.from_regex(r"62[0-9]{14,17}", fullmatch=True)


@given(_FILLER, st.one_of(_id_numbers(), _PHONES, _ACCOUNTS), _FILLER)
def test_identifiers_never_survive(before: str, value: str, after: str) -> None:
    scrubbed = scrub_personal_data(f"{before}{value}{after}")
    assert value not in scrubbed
    assert value[-4:] in scrubbed  # the masked form keeps the last four for recognition


def test_grouped_and_full_width_forms_are_masked() -> None:
    text = "手机 138-1234-5678，卡号 6222 0212 3456 7890 123，又报 １３９００００１１１１"
    scrubbed = scrub_personal_data(text)
    assert "138-1234-5678" not in scrubbed
    assert "138****5678" in scrubbed
    assert "6222 0212 3456 7890 123" not in scrubbed
    assert "１３９００００１１１１" not in scrubbed
    assert "139****1111" in scrubbed


def test_plates_and_emails_are_masked() -> None:
    scrubbed = scrub_personal_data("车牌粤B12345，邮箱 zhang.san@example.com")
    assert "粤B12345" not in scrubbed
    assert "粤B·" in scrubbed
    assert "zhang.san" not in scrubbed
    assert "@example.com" in scrubbed


def test_amounts_dates_and_references_are_kept() -> None:
    text = "2026-11-03 申请理赔12000元，保单号P00012345，案件CLM2026110300123，等了45天"
    assert scrub_personal_data(text) == text
