"""Masking identifiers in text we keep (the staff query report).

People paste what is in front of them into a search box: a SIM's ICCID, an IMSI or IMEI, a
phone number, an e-mail address, an API key. The report is about what people look for, so
those are replaced by a placeholder naming their kind before anything is stored.
"""

from __future__ import annotations

import re

# Longest and most specific first: an ICCID (19-20 digits, 89 prefix) is also a digit run.
_PATTERNS: list[tuple[str | None, re.Pattern]] = [
    ("[email]", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)),
    ("[iccid]", re.compile(r"(?<!\w)89\d{16,18}[\dfF]?(?!\w)")),
    ("[imei]", re.compile(r"(?<!\w)\d{2}-\d{6}-\d{6}-\d(?!\w)")),
    # 15 digits: an IMEI when its Luhn check digit is right, else an IMSI
    (None, re.compile(r"(?<!\w)\d{14,15}(?!\w)")),
    ("[phone]", re.compile(r"(?<![\w+])\+?\d[\d ()./-]{7,}\d(?!\w)")),
    # API keys and tokens: long runs of letters and digits that mix both
    ("[key]", re.compile(r"(?<!\w)(?=[\w-]*\d)(?=[\w-]*[A-Za-z])[\w-]{20,}(?!\w)")),
]


def mask_identifiers(text: str) -> str:
    """`text` with ICCIDs, IMEIs, IMSIs, phone numbers, e-mail addresses and API keys
    replaced by "[iccid]", "[imei]", ... (so the report still shows what kind of thing was
    searched for)."""
    for placeholder, pattern in _PATTERNS:
        text = pattern.sub(placeholder or _imei_or_imsi, text)
    return text


def _imei_or_imsi(match: re.Match) -> str:
    digits = match.group(0)
    return "[imei]" if len(digits) == 15 and _luhn_ok(digits) else "[imsi]"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0
