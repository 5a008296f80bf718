"""Scrubbing personal data out of free text that staff type (complaint summaries, notes).

Identifiers typed into a summary ("客户电话13812345678，身份证110101199003071234") would
otherwise be stored and shown in the clear, bypassing the keyed-hash design. Each one found
is replaced by its masked display form (`models.identity.mask`), so a reader can still tell
that a phone or ID number was given, and which, without being able to use it.
"""

from __future__ import annotations

import re

from models.identity import IdentifierKind, InvalidIdentifier, fold_width, mask, normalise

_DIGIT = r"[0-9０-９]"
_SEP = r"[ \-－‐·]?"
_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
    r"[A-Za-zＡ-Ｚａ-ｚ][ ·・]?[A-Za-z0-9Ａ-Ｚａ-ｚ０-９]{5,6}"
)
# A run of digits, optionally grouped by single spaces or dashes (138-1234-5678, 6222 0212
# 3456 7890), optionally ending in X (ID numbers), and optionally led by +86. A run glued to
# letters is a reference (P00012345, CLM2026110300123) and stays.
_DIGIT_RUN = re.compile(
    rf"(?:(?:\+|＋)86{_SEP})?(?<![0-9０-９A-Za-z]){_DIGIT}(?:{_SEP}{_DIGIT}){{6,29}}"
    r"(?:[XxＸｘ])?(?![0-9０-９])"
)


def _masked_number(raw: str) -> str | None:
    """The masked form of a digit run that is an ID number, phone or account; None when it
    is too short to be one (amounts, dates and counts stay as typed)."""
    digits = re.sub(r"[^0-9Xx]", "", fold_width(raw))
    for kind in (IdentifierKind.ID_CARD, IdentifierKind.PHONE):
        try:
            return mask(kind, normalise(kind, raw))
        except InvalidIdentifier:
            pass
    if len(re.sub(r"\D", "", digits)) >= 10:
        return mask(IdentifierKind.BANK_ACCOUNT, re.sub(r"\D", "", digits))
    return None


def _mask_plate(match: re.Match[str]) -> str:
    try:
        return mask(IdentifierKind.PLATE, normalise(IdentifierKind.PLATE, match.group()))
    except InvalidIdentifier:
        return match.group()


def _mask_email(match: re.Match[str]) -> str:
    return mask(IdentifierKind.EMAIL, normalise(IdentifierKind.EMAIL, match.group()))


def _mask_digits(match: re.Match[str]) -> str:
    masked = _masked_number(match.group())
    return match.group() if masked is None else masked


def scrub_personal_data(text: str) -> str:
    """`text` with e-mail addresses, plates, ID numbers, phone numbers and bank accounts
    replaced by their masked forms; everything else is kept as typed."""
    text = _EMAIL.sub(_mask_email, text)
    text = _PLATE.sub(_mask_plate, text)
    return _DIGIT_RUN.sub(_mask_digits, text)
