"""Phone numbers: parsed with Google's libphonenumber (`phonenumbers`) and stored in E.164.

A number without a country code is Norwegian ("912 34 567" -> "+4791234567");
foreign numbers carry their code ("+48 600 100 200", "00370 612 34567").
"""
from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "NO"


class InvalidPhone(ValueError):
    """Not a phone number we can send a message to."""


def to_e164(text: str | None, region: str = DEFAULT_REGION) -> str:
    """The number in E.164 ("+4791234567"); InvalidPhone when it is not a valid number."""
    text = (text or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise InvalidPhone(text) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(text)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def e164_or_none(text: str | None) -> str | None:
    """to_e164, or None for anything that is not a valid number."""
    try:
        return to_e164(text)
    except InvalidPhone:
        return None
