"""Parse written dates into ISO 8601 strings as precise as the text gives them.

Shared by the metadata stage (the article's publication date) and the citations stage (a cited
work's year or date). Two public functions:

* :func:`parse_date` reads one date written on its own ("August 1, 2025", "1 Aug. 2025",
  "2025-08-01", "March 2024", "2025") and returns ``"YYYY"``, ``"YYYY-MM"`` or ``"YYYY-MM-DD"``,
  or ``None`` when the text is not a date.
* :func:`find_dates` scans running text and yields ``(start, end, iso)`` for each date in it;
  :func:`find_date_matches` yields the same as :class:`DateMatch` with an ``ambiguous`` flag.

Rules, chosen so that a wrong date is rarer than a missing one:

* Month names in English, full or abbreviated, with or without a dot ("Sept." too); the month
  word must start with a capital letter, so the verb "may" never reads as a month.
* Day ordinals are accepted ("3rd May 2023", "May 3rd, 2023", "1st of May 2023").
* A day that does not exist in its month (31 April) is no date; years outside 1800..2199 are not
  taken, so counts and codes ("1500 patients") do not become dates.
* Numeric day/month forms ("01/08/2025", "1.8.2025") are ambiguous between day-first and
  month-first. When one part is above 12 the order is clear; when both parts are equal it does
  not matter; otherwise only the year is certain, so the ISO value is the year alone and the
  match is flagged ``ambiguous``. Two-digit years are never read.
* ISO forms ("2025-08-01", "2025/08/01", "2025-08-01T10:00:00Z") and PubMed forms ("2025 Aug 1",
  "2025 Aug") are read. A bare year or "2025-08" is read by :func:`parse_date` only (and a bare
  year by ``find_dates(..., bare_years=True)``), because in running text they are more often
  counts or ranges ("2019-20") than dates.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from typing import Iterator

__all__ = ["DateMatch", "find_date_matches", "find_dates", "parse_date"]

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
# Longest names first so "Sept" wins over "Sep" and "June" over "Jun" in the alternation.
_MONTH_WORD = "|".join(sorted(_MONTHS, key=len, reverse=True))
_MONTH = rf"(?:{_MONTH_WORD})\.?"
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?"
_YEAR = r"(?:1[89][0-9]{2}|2[01][0-9]{2})"
_B = r"(?<![\w/.-])"  # left boundary: not inside a word, number, path or another date
_E = r"(?![\w/]|[.-][0-9])"  # right boundary

_PATTERNS = [
    # August 1, 2025 · Aug. 1 2025 · May 3rd, 2023
    ("mdy", rf"{_B}(?P<m1>{_MONTH})\s+(?P<d1>{_DAY}),?\s+(?P<y1>{_YEAR}){_E}"),
    # 1 August 2025 · 3rd May 2023 · 1st of May, 2023 · 01-Aug-2025
    ("dmy", rf"{_B}(?P<d2>{_DAY})(?:\s+of\s+|\s+|-)(?P<m2>{_MONTH})(?:,?\s+|-)(?P<y2>{_YEAR}){_E}"),
    # 2025-08-01 · 2025/08/01 · 2025.08.01 (optionally followed by a time)
    ("iso", rf"{_B}(?P<y3>{_YEAR})(?P<sep>[-/.])(?P<m3>0[1-9]|1[0-2])(?P=sep)(?P<d3>0[1-9]|[12][0-9]|3[01])(?:T[0-9:.]+(?:Z|[+-][0-9:]+)?)?(?![\w/])"),
    # 2025 Aug 1 · 2025 Aug (PubMed)
    ("ymd", rf"{_B}(?P<y4>{_YEAR})\s+(?P<m4>{_MONTH})(?:\s+(?P<d4>{_DAY}))?{_E}"),
    # 01/08/2025 · 1.8.2025 · 01-08-2025
    ("num", rf"{_B}(?P<a5>[0-9]{{1,2}})(?P<sep5>[/.-])(?P<b5>[0-9]{{1,2}})(?P=sep5)(?P<y5>{_YEAR}){_E}"),
    # March 2024 · March, 2024
    ("my", rf"{_B}(?P<m6>{_MONTH}),?\s+(?P<y6>{_YEAR}){_E}"),
]
_BARE_YEAR = ("year", rf"{_B}(?P<y7>{_YEAR}){_E}")

_SCANNER = re.compile("|".join(f"(?P<{name}>{rx})" for name, rx in _PATTERNS), re.IGNORECASE)
_SCANNER_WITH_YEARS = re.compile("|".join(f"(?P<{name}>{rx})" for name, rx in _PATTERNS + [_BARE_YEAR]), re.IGNORECASE)

_WEEKDAY_PREFIX = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.IGNORECASE)
_ISO_MONTH = re.compile(rf"^({_YEAR})-(0[1-9]|1[0-2])$")
_TIME_SUFFIX = re.compile(
    r"^(?:,?\s*(?:at\s+)?[0-9]{1,2}[:.][0-9]{2}(?::[0-9]{2})?\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4}|UTC[+-]?[0-9:]*)?)?[\s.,;)]*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMatch:
    """A date found in text: ``text[start:end]`` is the date as written, ``iso`` its value."""

    start: int
    end: int
    iso: str
    ambiguous: bool = False


#: Every date pattern contains a year: text without one has no date, and this test is ~20x cheaper
#: than the scanner (which tries every alternative at every position).
_ANY_YEAR = re.compile(_YEAR)


def find_date_matches(text: str, *, bare_years: bool = False) -> Iterator[DateMatch]:
    """Yield every date in ``text``, left to right, without overlaps."""
    if _ANY_YEAR.search(text) is None:
        return
    scanner = _SCANNER_WITH_YEARS if bare_years else _SCANNER
    for match in scanner.finditer(text):
        found = _interpret(match)
        if found is not None:
            iso, ambiguous = found
            yield DateMatch(match.start(), match.end(), iso, ambiguous)


def find_dates(text: str, *, bare_years: bool = False) -> Iterator[tuple[int, int, str]]:
    """Yield ``(start, end, iso)`` for every date in ``text`` (see the module rules)."""
    for found in find_date_matches(text, bare_years=bare_years):
        yield found.start, found.end, found.iso


def parse_date(text: str) -> str | None:
    """The ISO value of ``text`` when the whole of it is one date (a weekday before it, a time
    after it and surrounding punctuation are allowed), else ``None``."""
    stripped = text.strip().strip("()[],;").strip()
    stripped = _WEEKDAY_PREFIX.sub("", stripped)
    iso_month = _ISO_MONTH.match(stripped)
    if iso_month:
        return f"{iso_month.group(1)}-{iso_month.group(2)}"
    for found in find_date_matches(stripped, bare_years=True):
        if found.start == 0 and _TIME_SUFFIX.match(stripped[found.end :]):
            return found.iso
        return None
    return None


def _month_number(word: str | None) -> int | None:
    if not word or not word[0].isupper():
        return None  # "may 2023" is more likely the verb than the month
    return _MONTHS.get(word.rstrip(".").lower())


def _day_number(word: str | None) -> int | None:
    return int(re.sub(r"(?i)(st|nd|rd|th)$", "", word)) if word else None


def _iso(year: int, month: int | None = None, day: int | None = None) -> str | None:
    if month is None:
        return f"{year:04d}"
    if not 1 <= month <= 12:
        return None
    if day is None:
        return f"{year:04d}-{month:02d}"
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _interpret(match: re.Match) -> tuple[str, bool] | None:
    kind = match.lastgroup
    g = match.group
    if kind == "mdy":
        month = _month_number(g("m1"))
        return _certain(_iso(int(g("y1")), month, _day_number(g("d1"))) if month else None)
    if kind == "dmy":
        month = _month_number(g("m2"))
        return _certain(_iso(int(g("y2")), month, _day_number(g("d2"))) if month else None)
    if kind == "iso":
        return _certain(_iso(int(g("y3")), int(g("m3")), int(g("d3"))))
    if kind == "ymd":
        month = _month_number(g("m4"))
        return _certain(_iso(int(g("y4")), month, _day_number(g("d4"))) if month else None)
    if kind == "num":
        return _numeric(int(g("a5")), int(g("b5")), int(g("y5")))
    if kind == "my":
        month = _month_number(g("m6"))
        return _certain(_iso(int(g("y6")), month) if month else None)
    if kind == "year":
        return _certain(_iso(int(g("y7"))))
    return None


def _certain(iso: str | None) -> tuple[str, bool] | None:
    return None if iso is None else (iso, False)


def _numeric(first: int, second: int, year: int) -> tuple[str, bool] | None:
    """Day/month order of a numeric date: certain only when a part exceeds 12 or both agree."""
    if first == 0 or second == 0:
        return None
    if first > 12 and second > 12:
        return None
    if first > 12:
        return _certain(_iso(year, second, first))
    if second > 12:
        return _certain(_iso(year, first, second))
    if first == second:
        return _certain(_iso(year, first, second))
    return f"{year:04d}", True
