"""Identity normalisation: every accepted spelling of a value becomes one canonical form."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.demo_book import make_id_number
from models.identity import (
    IdentifierKind,
    InvalidIdentifier,
    id_check_digit,
    keyed_hash,
    make_identifier,
    mask,
    normalise,
    normalise_bank_account,
    normalise_id_number,
    normalise_phone,
    normalise_plate,
)
from models.names import fold_name, name_similarity, pinyin_key

SECRET = b"unit-test-secret-0123456789"


def test_check_digit_of_the_standard_example() -> None:
    # The example number from GB 11643-1999.
    assert id_check_digit("11010519491231002") == "X"


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002X",
        "11010519491231002x",
        "110105 1949 1231 002X",
        "１１０１０５１９４９１２３１００２Ｘ",
    ],
)
def test_id_number_spellings_normalise_alike(raw: str) -> None:
    assert normalise_id_number(raw) == "11010519491231002X"


def test_fifteen_digit_id_is_upgraded() -> None:
    assert normalise_id_number("110105491231002") == "11010519491231002X"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("110105194912310021", "check digit"), ("11010519491331002X", "birth date"), ("1234", "18")],
)
def test_invalid_id_numbers_are_rejected(raw: str, reason: str) -> None:
    with pytest.raises(InvalidIdentifier, match=reason):
        normalise_id_number(raw)


@pytest.mark.parametrize(
    "raw",
    ["13800138000", "+86 138 0013 8000", "0086-138-0013-8000", "138-0013-8000", "８６13800138000"],
)
def test_mobile_spellings(raw: str) -> None:
    assert normalise_phone(raw) == "13800138000"


def test_landline_keeps_area_code() -> None:
    assert normalise_phone("(0755) 8888-6666") == "075588886666"
    assert normalise_phone("+86 755 8888 6666") == "075588886666"


@pytest.mark.parametrize("raw", ["粤B·12345", "粤b 12345", "粤Ｂ－１２３４５", "粤B12345"])
def test_plate_spellings(raw: str) -> None:
    assert normalise_plate(raw) == "粤B12345"


def test_bank_account_drops_separators() -> None:
    assert normalise_bank_account("6222 0212 3456 7890 123") == "6222021234567890123"


def test_masks_hide_the_middle() -> None:
    assert mask(IdentifierKind.PHONE, "13800138000") == "138****8000"
    assert mask(IdentifierKind.ID_CARD, "11010519491231002X") == "110***********002X"
    assert mask(IdentifierKind.PLATE, "粤B12345") == "粤B·***45"


def test_identifier_hash_is_keyed_and_kind_scoped() -> None:
    a = make_identifier(SECRET, IdentifierKind.PHONE, "+86 138 0013 8000")
    b = make_identifier(SECRET, IdentifierKind.PHONE, "13800138000")
    assert a == b
    assert "13800138000" not in a.key
    assert keyed_hash(b"another-secret-0123456", IdentifierKind.PHONE, "13800138000") != a.key
    assert keyed_hash(SECRET, IdentifierKind.BANK_ACCOUNT, "13800138000") != a.key


@given(st.integers(min_value=0, max_value=2**32))
def test_generated_id_numbers_are_valid(seed: int) -> None:
    number = make_id_number(random.Random(seed))
    assert normalise_id_number(number) == number


@given(st.text(max_size=40))
def test_normalisers_either_normalise_or_raise_invalid(raw: str) -> None:
    for normaliser in (
        normalise_id_number,
        normalise_phone,
        normalise_plate,
        normalise_bank_account,
    ):
        try:
            value = normaliser(raw)
        except InvalidIdentifier:
            continue
        assert normaliser(value) == value  # idempotent


def test_names_fold_traditional_and_width() -> None:
    assert fold_name("張 偉") == fold_name("张伟") == "张伟"
    assert pinyin_key("張偉") == "zhangwei"


def test_name_similarity_favours_homophones_over_strangers() -> None:
    assert name_similarity("张伟", "張偉") == 1.0
    assert name_similarity("张伟", "章伟") > 0.8
    assert name_similarity("张伟", "李娜") < 0.5


# -- every spelling of one value normalises alike (property-based) ------------------------------

_FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
_separator = st.sampled_from(["", " ", "-", "  ", "·", "．"])


def _spell(value: str, separators: list[str], full_width: bool) -> str:
    spelled = "".join(ch + separators[i % len(separators)] for i, ch in enumerate(value))
    return spelled.translate(_FULL_WIDTH) if full_width else spelled


@given(
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.lists(_separator, min_size=1, max_size=4),
    st.sampled_from(["", "+86", "+86 ", "0086-", "86"]),
    st.booleans(),
)
def test_mobile_spellings_normalise_alike(
    mobile: str, separators: list[str], prefix: str, full_width: bool
) -> None:
    assert normalise_phone(prefix + _spell(mobile, separators, full_width)) == mobile


@given(
    st.integers(min_value=0, max_value=2**32),
    st.lists(_separator, min_size=1, max_size=3),
    st.booleans(),
)
def test_id_number_spellings_normalise_alike_for_any_number(
    seed: int, separators: list[str], full_width: bool
) -> None:
    number = make_id_number(random.Random(seed))
    spelled = _spell(number, separators, full_width)
    assert normalise_id_number(spelled.lower()) == number


@given(st.integers(min_value=0, max_value=2**32))
def test_fifteen_digit_numbers_upgrade_to_the_eighteen_digit_form(seed: int) -> None:
    number = make_id_number(random.Random(seed))
    if number[6:8] != "19":
        return
    fifteen = number[:6] + number[8:17]
    upgraded = normalise_id_number(fifteen)
    assert upgraded[:17] == number[:17]
    assert upgraded[17] == id_check_digit(upgraded[:17])


@given(st.text(alphabet="٠١٢٣٤٥٦٧٨٩०१२३४५६७८९", min_size=11, max_size=18))
def test_non_ascii_digits_are_not_numbers(raw: str) -> None:
    for normaliser in (normalise_id_number, normalise_phone, normalise_bank_account):
        with pytest.raises(InvalidIdentifier):
            normaliser(raw)


def test_plates_fold_full_width_and_separators() -> None:
    assert normalise_plate("京Ｎ·２Ｗ６Ｋ８") == "京N2W6K8"
    assert normalise_plate("粤B·D12345") == "粤BD12345"  # new-energy plates have six


def test_emails_and_addresses() -> None:
    assert normalise(IdentifierKind.EMAIL, " LiuDeHua@Example.CN ") == "liudehua@example.cn"
    assert (
        normalise(IdentifierKind.ADDRESS, "深圳市福田区 深南大道 ６００８号")
        == "深圳市福田区深南大道6008号"
    )
    with pytest.raises(InvalidIdentifier):
        normalise(IdentifierKind.EMAIL, "not-an-address")
