"""Typed values from URL query parameters: a shared link is user input, so anything unexpected reads as absent."""

from __future__ import annotations

MAX_DIGITS = 18  # whole numbers in links are years, percents and deciles; longer digit strings are not numbers here


def whole_number(value: object, *, low: int, high: int, clamp: bool = False) -> int | None:
    """A whole number written in ASCII digits, within [low, high] (or clamped to it); None for anything else.

    '²', '٣' and other characters str.isdigit accepts are refused, as are signs, spaces, decimals and digit
    strings longer than MAX_DIGITS.
    """
    text = value if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS):
        return None
    number = int(text)
    if clamp:
        return min(max(number, low), high)
    return number if low <= number <= high else None


def whole_numbers(value: object, *, low: int, high: int) -> tuple[int, ...]:
    """Comma-separated whole numbers within [low, high], sorted and unique; other items are dropped."""
    text = value if isinstance(value, str) else ""
    found = (whole_number(item, low=low, high=high) for item in text.split(",")[:100])
    return tuple(sorted({number for number in found if number is not None}))
