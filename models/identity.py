"""Identity normalisation: one canonical form per identifier, a keyed hash, a masked form.

Raw ID and phone numbers never reach the graph: an ``:Identifier`` node holds the HMAC of the
normalised value (so equal values link parties) and a masked form for display.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from models.errors import InvalidInput


class IdentifierKind(StrEnum):
    """What an identifier is; part of its hash so equal digits of different kinds never link."""

    ID_CARD = "ID_CARD"
    PHONE = "PHONE"
    PLATE = "PLATE"
    BANK_ACCOUNT = "BANK_ACCOUNT"
    ADDRESS = "ADDRESS"
    EMAIL = "EMAIL"


class InvalidIdentifier(InvalidInput):
    """A value that cannot be an identifier of its kind (bad check digit, wrong length...)."""


@dataclass(frozen=True)
class Identifier:
    """A normalised identifier as stored: its kind, keyed hash and masked display form."""

    kind: IdentifierKind
    key: str
    masked: str

    @property
    def node_id(self) -> str:
        """The ``id`` of its ``:Identifier`` node."""
        return f"{self.kind.value}:{self.key}"


_SEPARATORS = re.compile(r"[\s\-·•．.()（）/_]+")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def fold_width(text: str) -> str:
    """Full-width letters, digits and punctuation to their half-width forms (NFKC)."""
    return unicodedata.normalize("NFKC", text)


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of a resident ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _birth_date_is_valid(value: str) -> bool:
    try:
        born = date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return False
    return date(1900, 1, 1) <= born <= date.today()


def normalise_id_number(raw: str) -> str:
    """An 18-character resident ID number; 15-digit (pre-1999) numbers are upgraded."""
    value = _SEPARATORS.sub("", fold_width(raw)).upper()
    if re.fullmatch(r"[0-9]{15}", value):
        first17 = value[:6] + "19" + value[6:]
        value = first17 + id_check_digit(first17)
    if not re.fullmatch(r"[0-9]{17}[0-9X]", value):
        raise InvalidIdentifier(
            "an ID number has 18 characters (17 digits and a check digit) or 15 digits"
        )
    if not _birth_date_is_valid(value[6:14]):
        raise InvalidIdentifier("the ID number's birth date is not a real date")
    if id_check_digit(value[:17]) != value[17]:
        raise InvalidIdentifier("the ID number's check digit is wrong")
    return value


def normalise_phone(raw: str) -> str:
    """Mobile numbers as 11 digits; landlines as area code plus number, digits only."""
    value = _SEPARATORS.sub("", fold_width(raw))
    value = re.sub(r"^(\+86|0086)", "", value)
    if re.fullmatch(r"861[3-9][0-9]{9}", value):
        value = value[2:]
    if re.fullmatch(r"1[3-9][0-9]{9}", value):
        return value
    if re.fullmatch(r"0[0-9]{2,3}[0-9]{7,8}", value):
        return value
    if re.fullmatch(r"[1-9][0-9]{1,2}[0-9]{7,8}", value) and len(value) in (10, 11):
        # A landline written without its trunk 0 after +86 (e.g. +86 10 12345678).
        return "0" + value
    raise InvalidIdentifier("a phone number is an 11-digit mobile or an area code and number")


_PLATE = re.compile(r"[\u4e00-\u9fff][A-Z][A-Z0-9]{4,6}[\u4e00-\u9fff]?")


def normalise_plate(raw: str) -> str:
    """A plate as province character, letter and number, no separators (粤B12345)."""
    value = _SEPARATORS.sub("", fold_width(raw)).upper()
    if not _PLATE.fullmatch(value):
        raise InvalidIdentifier("a plate is a province character, a letter and 5 or 6 characters")
    return value


def normalise_bank_account(raw: str) -> str:
    """Bank account or card numbers: 10 to 30 digits, separators removed."""
    value = _SEPARATORS.sub("", fold_width(raw))
    if not re.fullmatch(r"[0-9]{10,30}", value):
        raise InvalidIdentifier("a bank account is 10 to 30 digits")
    return value


def normalise_email(raw: str) -> str:
    """Lower-case e-mail address."""
    value = fold_width(raw).strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", value):
        raise InvalidIdentifier("not an e-mail address")
    return value


def normalise_address(raw: str) -> str:
    """An address with widths folded and whitespace removed (Chinese addresses have none)."""
    value = re.sub(r"\s+", "", fold_width(raw))
    if len(value) < 4:
        raise InvalidIdentifier("an address needs at least 4 characters")
    return value


def _mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    hidden = max(len(value) - keep_start - keep_end, 0)
    return value[:keep_start] + "*" * hidden + (value[-keep_end:] if keep_end else "")


def mask(kind: IdentifierKind, value: str) -> str:
    """The display form of a normalised value: enough to recognise it, not to use it."""
    if kind is IdentifierKind.ID_CARD:
        return _mask_middle(value, 3, 4)
    if kind is IdentifierKind.PHONE:
        return _mask_middle(value, 3, 4)
    if kind is IdentifierKind.PLATE:
        return value[:2] + "·" + _mask_middle(value[2:], 0, 2)
    if kind is IdentifierKind.BANK_ACCOUNT:
        return _mask_middle(value, 4, 4)
    if kind is IdentifierKind.EMAIL:
        local, _, domain = value.partition("@")
        return local[:1] + "***@" + domain
    return value[:6] + "…" if len(value) > 6 else value


_NORMALISERS = {
    IdentifierKind.ID_CARD: normalise_id_number,
    IdentifierKind.PHONE: normalise_phone,
    IdentifierKind.PLATE: normalise_plate,
    IdentifierKind.BANK_ACCOUNT: normalise_bank_account,
    IdentifierKind.EMAIL: normalise_email,
    IdentifierKind.ADDRESS: normalise_address,
}


def normalise(kind: IdentifierKind, raw: str) -> str:
    """The canonical form of ``raw`` as an identifier of ``kind``."""
    return _NORMALISERS[kind](raw)


def keyed_hash(secret: bytes, kind: IdentifierKind, normalised: str) -> str:
    """HMAC-SHA256 of kind and normalised value, hex; the graph's join key for identifiers."""
    message = f"{kind.value}:{normalised}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


# What ``identity_key_check`` hashes: a fixed message, so the check names a secret, no data.
_KEY_CHECK_MESSAGE = b"riskwatch identity key check v1"


@functools.cache  # asked once per exported party record on import: one HMAC per secret
def identity_key_check(secret: bytes) -> str:
    """A short public fingerprint of the identity secret (16 hex characters).

    Exports carry it beside keyed hashes so an import can tell, before writing anything,
    whether those hashes were made with its own secret; it reveals nothing about the secret.
    """
    return hmac.new(secret, _KEY_CHECK_MESSAGE, hashlib.sha256).hexdigest()[:16]


def make_identifier(secret: bytes, kind: IdentifierKind, raw: str) -> Identifier:
    """Normalise, hash and mask one raw identifier (InvalidIdentifier if it is not valid)."""
    value = normalise(kind, raw)
    return Identifier(kind=kind, key=keyed_hash(secret, kind, value), masked=mask(kind, value))
