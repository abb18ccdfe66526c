"""Split person names and author lists as they appear in citations and bylines.

Citations write names in three shapes: Vancouver "Duman RS" (family, then initials without
dots), inverted "Smith, J. A." (APA), and Western "Michael A. Duman". Author lists join them
with commas, semicolons, "and" or "&", and may end in "et al." (which is not an author).

Decision on initials: ``given`` keeps the given names or initials *as written* ("RS", "J. A.",
"Michael A."), never re-punctuated, so every value can be checked against its span. Code that
compares names across mentions uses :func:`initials` ("RS" and "R. S." both give "RS").
Group authors ("WHO Study Group") keep their name with ``given`` and ``family`` None.
"""

from __future__ import annotations

import re
from typing import Iterator

# Family-name particles stay with the family name ("Ludwig van Beethoven" -> "van Beethoven").
_PARTICLES = frozenset(
    "van von de der den del della degli di da das dos du des la le ter ten bin ibn al el st st. saint".split()
)
#: Public name for the particle set, so every name parser in the package agrees on it.
NAME_PARTICLES = _PARTICLES

# Case matters: "JR" after a family name is two initials, "Jr" is a suffix.
_SUFFIX = re.compile(r"^(?:Jr\.?|Sr\.?|II|III|IV|2nd|3rd|\d(?:st|nd|rd|th))$")
# Vancouver writes a suffix glued to the initials: "Miller ER3rd", "Breder CMJr".
_GLUED_SUFFIX = re.compile(r"^([A-Z]{1,4})(\d(?:st|nd|rd|th)|Jr)$")
# Words that mark a group or organisation rather than a person.
_GROUP_WORDS = re.compile(
    r"\b(?:group|consortium|collaborat\w*|committee|network|society|association|investigators|"
    r"organi[sz]ation|council|institute|team|working|task\s+force|study|trialists|foundation)\b",
    re.IGNORECASE,
)
# A block of initials: "RS", "R.S.", "R. S.", "J.-P.", "M-L".
_INITIALS = re.compile(r"^(?:[A-Z]\.?(?:\s?-\s?)?\s?){1,4}$")
_ET_AL = re.compile(r"^(?:et\.?\s*al\.?|and\s+others|and\s+colleagues|others)$", re.IGNORECASE)
# Separators of an author list. Names themselves may hold a comma (APA "Smith, J."), which the
# splitter repairs by joining an initials-only piece to the piece before it.
_SEPARATOR = re.compile(r"\s*(?:;|,\s*(?:&|and)\s+|,|\s&\s|\s+and\s+)\s*", re.IGNORECASE)


def initials(given: str | None) -> str:
    """Upper-case initials of a given-name string: "Michael A." -> "MA", "R. S." -> "RS"."""
    if not given:
        return ""
    letters = []
    for word in re.split(r"[\s.\-]+", given.strip()):
        if not word:
            continue
        if word.isupper() and len(word) <= 4 and word.isalpha():
            letters.extend(word)  # "RS" is two initials, not a name
        else:
            letters.append(word[0].upper())
    return "".join(letters)


def is_initials(text: str) -> bool:
    """True for "J.", "J. A.", "JA", "J.-P." (not for a name like "Jo")."""
    return bool(_INITIALS.match(text.strip()))


def is_et_al(text: str) -> bool:
    return bool(_ET_AL.match(text.strip()))


def is_group_name(name: str) -> bool:
    """True for organisations and groups ("World Health Organization", "ABC Study Group")."""
    return bool(_GROUP_WORDS.search(name)) and not _looks_personal(name)


def split_name(name: str) -> dict:
    """Return ``{name, given, family, affiliations}`` for one person name as written."""
    name = " ".join(name.split()).strip(" ,;")
    person = {"name": name, "given": None, "family": None, "affiliations": []}
    if not name or is_group_name(name):
        return person
    if "," in name:  # inverted: "Smith, J. A." / "van der Berg, Anna"
        family, _, given = name.partition(",")
        given, family = given.strip(), family.strip()
        if _SUFFIX.match(given):
            given = ""
        person.update(given=given or None, family=family or None)
        return person
    words = name.split(" ")
    while len(words) > 1 and _SUFFIX.match(words[-1]):
        words.pop()  # the suffix stays in ``name`` only
    glued = _GLUED_SUFFIX.match(words[-1])
    if glued and len(words) > 1:
        words[-1] = glued.group(1)
    if len(words) == 1:
        person["family"] = words[0]
        return person
    trailing = _trailing_initials(words)
    if trailing and not is_initials(words[0]):
        # Vancouver: "Duman RS", "van der Berg AB", "Asselin-Labat M. L"
        person.update(family=" ".join(words[:-trailing]), given=" ".join(words[-trailing:]))
        return person
    # Western: given names first, family last, particles joined to the family name.
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in _PARTICLES:
        cut -= 1
    person.update(given=" ".join(words[:cut]), family=" ".join(words[cut:]))
    return person


def _trailing_initials(words: list[str]) -> int:
    count = 0
    while count < len(words) - 1 and is_initials(words[-1 - count]):
        count += 1
    return count


def _looks_personal(name: str) -> bool:
    # "Study" etc. in a two-word "Family Initials" shape is still a person (a family named Study).
    words = name.replace(",", " ").split()
    return len(words) == 2 and is_initials(words[1])


def split_author_list(text: str, offset: int = 0) -> list[tuple[int, int, dict]]:
    """Split an author list into ``(start, end, person)`` with offsets relative to ``offset``.

    "et al." and "and colleagues" are dropped; "Smith, J., & Doe, A." becomes two authors.
    """
    pieces = list(_pieces(text))
    joined: list[list[int]] = []
    for start, end in pieces:
        piece = text[start:end]
        if joined and is_initials(piece) and _single_family_word(text[joined[-1][0] : joined[-1][1]]):
            joined[-1][1] = end  # APA: "Smith" + "J." is one name
        else:
            joined.append([start, end])
    out = []
    for start, end in joined:
        piece = text[start:end]
        if is_et_al(piece) or not any(c.isalpha() for c in piece):
            continue
        # "Doe A et al" inside one piece: keep the name only.
        m = re.search(r"\s+(?:et\.?\s*al\.?|and\s+colleagues)\s*$", piece, re.IGNORECASE)
        if m:
            end = start + m.start()
            piece = text[start:end]
        out.append((offset + start, offset + end, split_name(piece)))
    return out


def _single_family_word(piece: str) -> bool:
    words = piece.split()
    return 1 <= len(words) <= 3 and not is_initials(words[-1]) and not is_initials(piece)


def _pieces(text: str) -> Iterator[tuple[int, int]]:
    position = 0
    for match in _SEPARATOR.finditer(text):
        if match.start() > position:
            yield from _trimmed(text, position, match.start())
        position = match.end()
    if position < len(text):
        yield from _trimmed(text, position, len(text))


def _trimmed(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    while start < end and text[start] in " \t\n.,;&":
        start += 1
    while end > start and text[end - 1] in " \t\n,;&":
        end -= 1
    # Keep a final dot only when it belongs to an initial ("J. A.") or to "al.".
    if end > start and text[end - 1] == "." and not re.search(r"(?:\b[A-Z]|\bal)\.$", text[start:end]):
        end -= 1
    if end > start:
        yield start, end
