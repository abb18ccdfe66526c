"""Pick key points, limitations and a short extractive digest from the text.

An editor reading a record wants three things before the details: what the article says (key
points), what it cannot say yet (limitations), and a few sentences that tell what it is about
(digest). All three are *extractive*: every item is a sentence or a list item of the text, so it
carries a span the editor can check; nothing is paraphrased.

How each is chosen (rules, deterministic, linear in the text):

- ``key_point``: list items (bullets, numbers, or runs of short lines after a line ending in ':')
  and the topic (first) sentence of each paragraph in the *key sections*: results, discussion,
  conclusion, and sections whose heading says key/main findings, highlights, take-aways, summary,
  "what ... found" or final thoughts, with their sub-sections (the numbered parts of a "Key
  Concepts" section). Where a paragraph states its finding ("Taken together, these data show
  ..."), that sentence replaces the topic sentence: research papers open a results paragraph
  with what was done and close it with what it showed. Items need some substance (four words or
  more; a one-word item like "Depression" is not a point). At most :data:`MAX_KEY_POINTS`,
  taken first from the opening paragraph of each key section, then list items, then later
  paragraphs, spread over the sections so one long section cannot crowd out the others; output
  in document order. With (almost) no key sections, the opening sentence and list items of each
  content section outline the article instead.
- ``limitation``: every sentence and list item of a limitations section (kind ``limitations``
  or a heading saying limitations/caveats), plus sentences elsewhere that state a limit of the
  evidence ("more research is needed", "small sample", "not yet approved", "remain under
  investigation", "should be interpreted with caution"). Disclaimers about the document itself
  ("does not constitute medical advice", "for educational purposes only") are *not* limitations:
  they say how to use the text, not what the evidence falls short of, and they would otherwise
  head the list of every web explainer. They are never key points or digest sentences either.
  "Open questions" and "Caveats" sections count as limitations sections.
- ``digest``: three to five sentences in document order, chosen by a score that adds the
  centrality of the sentence's content words (how frequent they are in the document), overlap with
  the title, position (the lede, paragraph openings, introduction/abstract/conclusion, key
  sections) and mentions of entities, and subtracts for openings that lean on the previous
  sentence ("However", "It", "This shows"). Headings, label lines ("Citation: ..."), questions,
  parenthetical asides, front matter, references and methods, and very short or very long
  sentences are never picked; near-duplicates of a picked sentence are skipped.

Sections come from the sections stage and may be missing. Then this stage makes do with stand-in
sections from the lines that look like headings (Markdown headings, short Title Case lines;
numbered ones nested under the one before), used only to find key and limitations sections and
to keep headings out of the sentences; with no headings at all, key points are the list items and
the digest is drawn from the whole text after the front matter.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Iterable, Mapping

from ..document import Document, Span
from .. import layers as L
from ._sentences import split_sentences

MAX_KEY_POINTS = 12
MAX_LIMITATIONS = 10
DIGEST_MIN, DIGEST_MAX = 3, 5

KEY_POINT_MIN_WORDS = 4
KEY_POINT_FALLBACK = 4  # fewer candidates than this from key sections: outline the content sections too
TOPIC_MIN_WORDS, TOPIC_MAX_WORDS = 6, 60
LIST_ITEM_MAX_WORDS = 60  # a longer "item" is a paragraph with a bullet: its first sentence is the point
DIGEST_MIN_WORDS, DIGEST_MAX_WORDS = 8, 45
DIGEST_MIN_PROSE_SHARE = 0.6  # formulae ("a 0 = β C 0 L") and number runs are not prose
DIGEST_MAX_SIMILARITY = 0.35  # Jaccard overlap of content words above which a sentence repeats a picked one
LIMITATION_MIN_WORDS = 4

_KEY_KINDS = frozenset({"results", "discussion", "conclusion"})
_NEVER_KEY_KINDS = frozenset({"limitations", "references", "methods", "abstract"})
_NO_DIGEST_KINDS = frozenset({"references", "methods"})
_BACKGROUND_KINDS = frozenset({"abstract", "introduction", "results"})
_DIGEST_BONUS_KINDS = frozenset({"abstract", "introduction", "conclusion"})

_KEY_HEADING = re.compile(
    r"\b(?:key|main|major|principal|core)\b|\bfindings?\b|\bresults?\b|\bconclu\w*|\bdiscussion\b"
    r"|\btake[- ]?(?:aways?|home)\b|\bhighlights?\b|\bsummary\b|\bbottom line\b|\bfinal thoughts\b"
    r"|\bin (?:brief|short|a nutshell)\b|\bwhat (?:\w+ ){0,2}(?:found|showed|shows|learned)\b",
    re.IGNORECASE,
)
_LIMITATION_HEADING = re.compile(
    r"\blimitations?\b|\bcaveats?\b|\bshortcomings\b|\bweakness(?:es)?\b|\bopen questions\b|\bunanswered\b"
    r"|\bunknowns\b|\bwhat (?:\w+ ){0,2}(?:don't|do not|still don't) know\b|\bwhat remains\b",
    re.IGNORECASE,
)

#: The ways a sentence states a limit of the evidence: each expression with substrings one of which
#: every match of it contains (read on the lower-cased sentence). ``_states_limitation`` tries an
#: expression only when one of its substrings is there: the single expression of all of them,
#: tried at every position of a sentence, was this stage's costliest step.
_LIMITATION_BRANCHES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("needed", "required", "warranted", "necessary"),
     r"\b(?:more|further|additional|future|larger|long-term)\s+(?:\w+\s+){0,2}?"
     r"(?:research|studies|study|work|trials?|investigations?|data|evidence)\s+(?:is|are|will be|would be)?\s*"
     r"(?:still\s+)?(?:needed|required|warranted|necessary)"),
    (("need",), r"\b(?:need|needs) (?:for )?(?:more|further|larger) (?:research|studies|trials|data|evidence)"),
    (("small ", "limited ", "modest "), r"\b(?:small|limited|modest) (?:sample|study|studies|trial|trials|cohort|cohorts|pilot)\b"),
    ((" number",), r"\b(?:included|enrolled|recruited|studied|involved) (?:only )?(?:a )?(?:small|limited|modest) number\b"),
    (("sample size",), r"\bsample sizes? (?:was|were|is|are|remains?) (?:small|limited|modest)"),
    (("not yet ", "not fully ", "not well "),
     r"\bnot (?:yet|fully|well) (?:been )?(?:known|clear|understood|established|approved|proven|replicated)"),
    (("remain", "still "),
     r"(?<!what )\b(?:remains?|is still|are still) (?:unclear|unknown|uncertain|poorly understood"
     r"|to be (?:determined|established|seen|confirmed|elucidated))"),
    (("under ",), r"\b(?:remains?|are|is) (?:still )?under (?:investigation|study|debate)"),
    (("with caution",), r"\b(?:should|must|need to) be (?:interpreted|treated|viewed|considered|taken) with caution"),
    (("cautiously",), r"\binterpreted cautiously\b"),
    (("with caution",), r"\bwith caution\b"),
    (("caution",), r"\b(?:urged?|urging|advised?|calls? for|called for) caution\b"),
    (("limitation",), r"\blimitations?\b(?! (?:on|to) (?:use|access))"),
    (("limited by",), r"\blimited by\b"),
    (("generali",), r"\b(?:may|might|do|does) not (?:be )?generali[sz]e"),
    (("generali",), r"\bgenerali[sz]ability\b"),
    (("cannot ",), r"\bcannot (?:be )?(?:rule[ds]? out|excluded?|establish\w*|infer\w*|determine\w*|conclude\w*|confirm\w*)"),
    (("lack of ", "absence of "),
     r"\b(?:lack|absence) of (?:a )?(?:control group|placebo|randomi[sz]ation|blinding|long-term data|replication)"),
    (("randomi", "blinded"), r"\b(?:not |non-)(?:randomi[sz]ed|blinded)\b"),
    (("open-label",), r"\bopen-label\b"),
    (("short follow-up",), r"\bshort follow-up\b"),
    (("preliminary", "limited", "mixed", "inconclusive", "sparse"),
     r"\b(?:findings|results|evidence|data) (?:are|is|remains?) (?:still )?(?:preliminary|limited|mixed|inconclusive|sparse)"),
    ((" bias",), r"\b(?:selection|publication|recall|reporting|attrition) bias\b"),
    (("confound",), r"\b(?:residual|unmeasured|uncontrolled) confound\w*"),
    (("confounded",), r"\b(?:may|might|could) (?:\w+ )?(?:have )?(?:been )?confounded\b"),
)
_LIMITATION_CUES = re.compile("|".join(pattern for _keys, pattern in _LIMITATION_BRANCHES))
_LIMITATION_TESTS = tuple((keys, re.compile(pattern)) for keys, pattern in _LIMITATION_BRANCHES)
# Talk of overcoming a limitation is method, not a limit of the evidence.
_LIMITATION_OVERCOME = re.compile(
    r"\b(?:overc[oa]m\w*|circumvent\w*|address\w*|avoid\w*|bypass\w*|get around|minimi[sz]\w*|reduc\w*|correct\w*"
    r"|control\w*|adjust\w*|account\w*|eliminat\w*|prevent\w*)(?: for)? (?:this|these|that|those|the|such|a|an|any|possible|potential)? ?"
    r"(?:[\w-]+ ){0,3}?(?:limitations?|bias|confound\w*)\b"
)
_DISCLAIMER = re.compile(
    r"medical advice|professional advice|(?:educational|informational|information) (?:purposes )?only"
    r"|for (?:educational|informational) purposes|advice (?:from|of) (?:a|your) (?:doctor|physician|pharmacist|clinician)"
    r"|consult (?:a|your) (?:doctor|physician|pharmacist|health)|not intended to (?:diagnose|treat)"
    r"|substitute for professional|(?:fictional|illustrative) (?:sample|example)"
)

_DISCLAIMER_KEYS = ("advice", "purposes", "only", "consult", "intended", "substitute", "fictional", "illustrative")
# "Citation: ...", "Link: ...", "Published: ...": a label of a few words, a colon, a value.
_LABEL_LINE = re.compile(r"\W{0,4}[A-Za-z][\w'’/&().-]*(?: [\w'’/&().-]+){0,3}:(?:\s|$)")
# A list item that is really a bibliography entry (these belong to the citations stage).
_REFERENCE_LIKE = re.compile(
    r"\bdoi\b|\bet al\b|https?://|\(\s*(?:19|20)\d{2}[a-z]?\s*\)|\b(?:19|20)\d{2}\s*[;.]\s*\d", re.IGNORECASE
)
_LINK = re.compile(r"https?://|\bdoi:|\b10\.\d{4,}/|\bwww\.")
_CLOSERS = "\"'”’)]"
_TOKEN = re.compile(r"[^\W\d_]\w*")  # apostrophes and hyphens split words: "brain's" -> "brain", "s"
_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?")
_LEADING_CONNECTIVE = re.compile(
    r"(?:but|however|additionally|also|moreover|furthermore|in addition|instead|thus|therefore|still|yet|and|or|so"
    r"|as a result|it|they|he|she|its|their|next|then|finally|first|second|third|similarly|likewise|conversely"
    r"|nevertheless|nonetheless|hence|accordingly|consequently|meanwhile|in contrast|on the other hand)\b"
    r"|(?:this|these|that|those|such) (?:is|was|are|were|has|have|had|can|could|may|might|will|would|should"
    r"|suggests?|shows?|means?|allows?|indicates?|implies|makes?|leads?|led)\b",
    re.IGNORECASE,
)
# Sentences that say what the work is or found (cue phrases in the manner of Edmundson, 1969).
# The cue patterns are matched against lower-cased text: IGNORECASE is several times slower.
_ABOUTNESS = re.compile(
    r"\b(?:study|review|article|paper|work|analysis|trial|report|research|authors|results|findings|data)"
    r" (?:\w+ )?(?:shows?|showed|finds?|found|suggests?|suggested|examines?|examined|explores?|explored|reports?"
    r"|reported|describes?|provides?|demonstrates?|reveals?|synthesi[sz]es|focuses|investigates?|investigated"
    r"|tests?|tested|proposes?|indicates?|published|titled)\b"
    r"|\bhere,? we\b|\bin this (?:study|paper|article|review|work)\b"
    r"|\bwe (?:show|found|report|demonstrate|describe|propose|identify|identified)\b"
)
# Sentences that state a paragraph's finding (matched against lower-cased text).
_FINDING_CUE = re.compile(
    r"^(?:in summary|in conclusion|in sum|taken together|together|collectively|altogether|overall)\b"
    r"|^(?:these|our|the) (?:\w+ ){0,2}?(?:results|data|findings|observations|experiments|analyses)"
    r" (?:\w+ )?(?:show|suggest|indicate|demonstrate|reveal|establish|support|confirm|argue)"
    r"|\bwe (?:conclude|found|find|show|propose)\b"
)
# Results narration ("Figure 1 shows ...", "(HR 1.6, CI 1.1-2.4, p = 0.02)"): detail, not gist.
_NARRATION = re.compile(r"\b(?:Fig(?:ure)?s?\.?|Tables?|Supplementary|Equations?|Eqs?\.)\s*\(?S?\d|\bp\s*[=<>≤]|\b(?:95%\s*)?CI\b|\bHR\s*[=(]?\s*\d")
_STOPWORDS = frozenset(
    """
    a about above after again against all also although among an and any are as at be because been before being
    between both but by can could did do does doing down during each either even ever every few for from further
    had has have having he her here hers him his how however i if in into is it its itself just least less like
    made make many may might more most much must my near neither no nor not now of off often on once one only or
    other our out over own per perhaps rather same she should since so some such than that the their them then
    there these they this those though through thus to too under until up upon us use used using very via was we
    were what when where whether which while who whom whose why will with within without would yet you your
    new well including include includes may might also called known based found show shows shown study studies
    """.split()
)

_LIST_MARKUPS = frozenset({"list_item", "ordered_item"})
_HEADING_MARKUPS = frozenset({"heading", "heading_underline", "fence", "code"})
# A one-letter "marker" before a lower-case word is an abbreviated name ("V. destructor", "E. coli").
_LETTER_MARKER_PROSE = re.compile(r"\s*[A-Za-z][.)]\s+[a-z]")
_PARENTHESISED = re.compile(r"\([^()]*\)")
_NUMBERED_HEADING = re.compile(r"\s*(?:\d{1,2}(?:\.\d{1,2})*|[IVX]{1,4})[.)]?\s+\S")
_REFERENCES_HEADING = re.compile(r"\W*(?:references|bibliography|works cited|literature cited|sources|further reading)\W*$", re.IGNORECASE)
_METHODS_HEADING = re.compile(r"\bmethods?\b|\bmaterials\b|\bmethodology\b", re.IGNORECASE)
_LIST_LINE_MAX_WORDS = 20
_LIST_LINE_MAX_CHARS = 160
_CONTINUATION_END = re.compile(r"(?:[,;(–—/&-]|\b(?:and|or|of|the|a|an|to|in|with|for|by|from|that|which))\s*$", re.IGNORECASE)
_FRONT_MATTER_END_WORDS = 20
_PARAGRAPH_WRAP_MIN = 45


def summarise(doc: Document) -> dict[str, list[Span]]:
    """Return the ``summary`` layer: key points, limitations and digest sentences, each a span."""
    view = _View.build(doc)
    spans = _key_points(view) + _limitations(view) + _digest(view)
    return {L.SUMMARY: spans}


# --- the document as units: paragraphs of sentences and list items, each in a section ----------


@dataclass(frozen=True)
class _Section:
    start: int
    end: int
    kind: str
    heading: str
    heading_start: int
    heading_end: int
    key: bool = False
    limitations: bool = False


@dataclass
class _Unit:
    """A paragraph (several sentences) or a list item (one span), with where it sits."""

    kind: str  # "paragraph" or "item"
    sentences: list[tuple[int, int]]
    section: int | None  # index into _View.sections (innermost), None outside sections
    paragraph_index: int = 0  # position among the paragraphs of its section
    labelled: bool = False  # starts with a label ("Source: ...", "Editor's note: ..."): a field, not prose


@dataclass
class _View:
    doc: Document
    sections: list[_Section]
    units: list[_Unit]
    front_matter_end: int
    title_words: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def build(cls, doc: Document) -> "_View":
        sections = _sections(doc.layer(L.SECTIONS))
        lines = _classified_lines(doc, sections)
        if not sections:
            sections = _sections(_fallback_section_spans(doc.text, lines))
            lines = _classified_lines(doc, sections) if sections else lines
        units = _units(doc.text, lines, sections)
        front_end = _front_matter_end(doc.text, sections, units)
        units = [u for u in units if u.sentences and u.sentences[0][0] >= front_end]
        return cls(doc, sections, units, front_end, _title_words(doc))

    def text_of(self, span: tuple[int, int]) -> str:
        return self.doc.text[span[0] : span[1]]

    def section_of(self, unit: _Unit) -> _Section | None:
        return self.sections[unit.section] if unit.section is not None else None


def _sections(layer: Iterable[Span]) -> list[_Section]:
    """Section spans as plain records, with key/limitations flags inherited from ancestors."""
    spans = sorted(layer, key=lambda s: (s.get("heading_start", s.start), -s.end))
    by_heading_start: dict[int, _Section] = {}
    sections = []
    for span in spans:
        heading = str(span.get("heading") or "")
        heading_start = span.get("heading_start", span.start)
        parent = by_heading_start.get(span.get("parent_heading_start"))
        own_key = span.label in _KEY_KINDS or bool(_KEY_HEADING.search(heading))
        own_limits = span.label == "limitations" or bool(_LIMITATION_HEADING.search(heading))
        limitations = own_limits or bool(parent and parent.limitations)
        # A sub-section of kind "other" is of its parent's kind ("Statistical analysis" is methods).
        kind = parent.kind if span.label == "other" and parent is not None else span.label
        key = (own_key or bool(parent and parent.key)) and kind not in _NEVER_KEY_KINDS and not limitations
        section = _Section(
            start=span.start,
            end=span.end,
            kind=kind,
            heading=heading,
            heading_start=heading_start,
            heading_end=span.get("heading_end", heading_start),
            key=key,
            limitations=limitations,
        )
        by_heading_start[heading_start] = section
        sections.append(section)
    return sections


def _fallback_section_spans(text: str, lines: list["_Line"]) -> list[Span]:
    """Stand-in sections from heading-like lines, for documents the sections stage left without.

    Only what this stage needs: where headings are (so they are not taken for sentences), which
    sections are key or limitations (from the heading words), and numbered headings nested under
    the unnumbered one before them (the parts of a "Key Findings" section).
    """
    headings = [ln for ln in lines if ln.role == "heading" or (ln.role in ("prose", "numbered") and _title_like(text[ln.start : ln.end]))]
    found = []
    for line in headings:
        heading_start = line.line_start
        numbered = line.role == "numbered" or bool(_NUMBERED_HEADING.match(text[line.line_start : line.end]))
        found.append((heading_start, line.end, 2 if numbered else 1, text[line.start : line.end]))
    spans = []
    parent = None
    for index, (heading_start, heading_end, level, heading) in enumerate(found):
        parent = heading_start if level == 1 else parent
        end = next((h[0] for h in found[index + 1 :] if h[2] <= level), len(text))
        body_start = min(heading_end + 1, end)
        kind = "references" if _REFERENCES_HEADING.match(heading) else "methods" if _METHODS_HEADING.search(heading) else "other"
        attrs = {
            "heading": heading,
            "level": level,
            "number": None,
            "heading_start": heading_start,
            "heading_end": heading_end,
            "parent_heading_start": parent if level == 2 else None,
        }
        spans.append(Span(body_start, max(body_start, end), kind, attrs))
    return spans


def _title_like(line: str) -> bool:
    """A short line in Title Case without closing punctuation ("Why This Matters", "Key Findings")."""
    if not line or line[-1] in ".!?:;,\"'”’" or len(line.split()) > 12:
        return False
    words = _WORD.findall(_PARENTHESISED.sub(" ", line))
    if len(words) > 1:
        words = words[1:]  # the first word is capitalised in any sentence
    words = [w for w in words if len(w) >= 4 and w.lower() not in _STOPWORDS]
    return bool(words) and sum(w[0].isupper() for w in words) >= 0.75 * len(words)


@dataclass
class _Line:
    start: int  # content start (after any list marker and indentation)
    end: int  # content end (trailing whitespace trimmed)
    role: str  # "blank", "heading", "item", "numbered", "item_more" (continuation of an item), "prose"
    indented: bool = False
    line_start: int = 0  # the line's own start (before indentation and marker)


def _raw_lines(doc: Document) -> list[tuple[int, int, Mapping]]:
    """(start, end, attrs) per line: the reader's ``lines`` layer, or a plain split without one."""
    spans = doc.layer(L.LINES)
    if spans:
        return [(s.start, s.end, s.attrs) for s in spans]
    out, pos = [], 0
    for line in doc.text.split("\n"):
        out.append((pos, pos + len(line), {"markup": "blank" if not line.strip() else None}))
        pos += len(line) + 1
    return out


def _heading_ranges(sections: list[_Section]) -> list[tuple[int, int]]:
    return sorted({(s.heading_start, max(s.heading_end, s.heading_start + 1)) for s in sections})


def _classified_lines(doc: Document, sections: list[_Section]) -> list[_Line]:
    text = doc.text
    headings = _heading_ranges(sections)
    heading_starts = [h[0] for h in headings]
    lines: list[_Line] = []
    for start, end, attrs in _raw_lines(doc):
        raw = text[start:end]
        content_start = attrs.get("marker_end") or start + (len(raw) - len(raw.lstrip()))
        content_end = start + len(raw.rstrip())
        markup = attrs.get("markup")
        if markup == "blank" or content_start >= content_end:
            role = "blank"
        elif markup in _HEADING_MARKUPS or _overlaps(headings, heading_starts, start, max(end, start + 1)):
            role = "heading"
        elif markup == "ordered_item" and _LETTER_MARKER_PROSE.match(raw):
            role, content_start = "prose", start + (len(raw) - len(raw.lstrip()))  # "V. destructor is a mite ..."
        elif markup == "ordered_item":
            role = "numbered"  # a list item, or a numbered heading the sections stage did not report
        elif markup in _LIST_MARKUPS:
            role = "item"
        else:
            role = "prose"
        lines.append(_Line(content_start, content_end, role, indented=raw[:1] in (" ", "\t"), line_start=start))
    _mark_item_continuations(lines)
    _mark_colon_lists(text, lines)
    return lines


def _overlaps(ranges: list[tuple[int, int]], starts: list[int], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of the disjoint, sorted ``ranges``."""
    index = bisect_right(starts, end - 1) - 1
    return index >= 0 and ranges[index][1] > start


def _mark_item_continuations(lines: list[_Line]) -> None:
    """An indented prose line right after a list item continues that item."""
    for index in range(1, len(lines)):
        if lines[index].role == "prose" and lines[index].indented and lines[index - 1].role in ("item", "numbered", "item_more"):
            lines[index].role = "item_more"


def _mark_colon_lists(text: str, lines: list[_Line]) -> None:
    """Runs of short lines after a line ending in ':' are list items even without bullets."""
    for index, line in enumerate(lines):
        if line.role != "prose" or not text[line.start : line.end].endswith(":"):
            continue
        run = []
        for follower in lines[index + 1 :]:
            if follower.role != "prose" or not _looks_like_unmarked_item(text[follower.start : follower.end]):
                break
            run.append(follower)
        if len(run) >= 2:  # one short line after a colon is a value, not a list
            for follower in run:
                follower.role = "item"


def _looks_like_unmarked_item(line: str) -> bool:
    words = line.split()
    if not words or len(words) > _LIST_LINE_MAX_WORDS or len(line) > _LIST_LINE_MAX_CHARS:
        return False
    if not (line[0].isupper() or line[0].isdigit()) or _CONTINUATION_END.search(line):
        return False
    # One sentence at most: an inner ". X" means this is prose, not an item.
    return len(split_sentences(line)) == 1


def _units(text: str, lines: list[_Line], sections: list[_Section]) -> list[_Unit]:
    """Group classified lines into list items and paragraphs, and split paragraphs into sentences."""
    locate = _SectionFinder(sections)
    units: list[_Unit] = []
    block: list[_Line] = []

    def flush_block() -> None:
        for start, end in _paragraphs(text, block):
            labelled = bool(_LABEL_LINE.match(text, start, end))
            units.append(_Unit("paragraph", split_sentences(text, start, end), locate(start), labelled=labelled))
        block.clear()

    for line in lines:
        if line.role == "prose":
            block.append(line)
            continue
        flush_block()
        if line.role in ("item", "numbered"):
            units.append(_Unit("item", [(line.start, line.end)], locate(line.start)))
        elif line.role == "item_more" and units and units[-1].kind == "item":
            units[-1].sentences = [(units[-1].sentences[0][0], line.end)]
    flush_block()
    _number_paragraphs(units)
    return units


def _paragraphs(text: str, block: list[_Line]) -> Iterable[tuple[int, int]]:
    """Split a run of prose lines into paragraphs.

    Pasted web text puts one paragraph on each line; hard-wrapped text spreads a paragraph over
    lines of similar length that stop mid-sentence. In wrapped text a paragraph ends at a line
    that ends a sentence and falls short of the wrap width.
    """
    if not block:
        return []
    inner = block[:-1]
    runs_on = [ln for ln in inner if ln.end - ln.start >= _PARAGRAPH_WRAP_MIN and not _ends_statement(text[ln.start : ln.end]) and not text[ln.end - 1] == ":"]
    if not inner or len(runs_on) * 2 < len(inner):
        return [(ln.start, ln.end) for ln in block]
    width = max(ln.end - ln.start for ln in block)
    paragraphs, start = [], block[0].start
    for line in inner:
        if _ends_statement(text[line.start : line.end]) and line.end - line.start < 0.8 * width:
            paragraphs.append((start, line.end))
            start = -1
        elif start < 0:
            start = line.start
    if start < 0:
        start = block[-1].start
    paragraphs.append((start, block[-1].end))
    return paragraphs


def _number_paragraphs(units: list[_Unit]) -> None:
    counts: dict[int | None, int] = {}
    for unit in units:
        if unit.kind == "paragraph":
            unit.paragraph_index = counts.get(unit.section, 0)
            counts[unit.section] = unit.paragraph_index + 1


class _SectionFinder:
    """Innermost section whose body contains an offset (bodies nest, so the latest start wins)."""

    def __init__(self, sections: list[_Section]) -> None:
        self._order = sorted(range(len(sections)), key=lambda i: (sections[i].start, -sections[i].end))
        self._starts = [sections[i].start for i in self._order]
        self._sections = sections

    def __call__(self, offset: int) -> int | None:
        for pos in range(bisect_right(self._starts, offset) - 1, -1, -1):
            index = self._order[pos]
            if offset < self._sections[index].end:
                return index
        return None


def _front_matter_end(text: str, sections: list[_Section], units: list[_Unit]) -> int:
    """Where the body starts: the first substantial paragraph or the first section heading.

    Title, by-line, dates, study blocks and disclaimers come before it and are no summary material.
    """
    body_start = min((s.heading_start for s in sections), default=len(text))
    for unit in units:
        if unit.kind != "paragraph":
            continue
        start, end = unit.sentences[0][0], unit.sentences[-1][1]
        if start >= body_start:
            break
        body = text[start:end]
        if len(body.split()) >= _FRONT_MATTER_END_WORDS and not body.startswith(("(", "[")) and not _LABEL_LINE.match(body):
            return start
    return body_start if sections else 0


def _title_words(doc: Document) -> frozenset[str]:
    titles = [s for s in doc.layer(L.METADATA) if s.label == "title"]
    if titles:
        chosen = next((s for s in titles if s.get("primary")), titles[0])
        title = str(chosen.get("value") or chosen.text_in(doc.text))
    else:
        first = doc.text.lstrip().split("\n", 1)[0]
        title = first if len(first.split()) <= 25 else ""
    return frozenset(_content_words(title))


# --- key points ----------------------------------------------------------------------------------


def _key_points(view: _View) -> list[Span]:
    is_key = lambda section: section is not None and section.key
    is_content = lambda section: section is not None and section.kind not in _NEVER_KEY_KINDS and not section.limitations
    if not view.sections:
        tiers = [[(None, span) for span in _key_items(view, view.units)]]
    else:
        tiers = _key_section_tiers(view, is_key)
        if sum(map(len, tiers)) < KEY_POINT_FALLBACK:
            # Few or no key sections ("The Bottom Line" only): the opening of every content
            # section, and its list items, outline the article instead.
            tiers += _key_section_tiers(view, lambda section: is_content(section) and not is_key(section), later_paragraphs=False)
    chosen = _spread(tiers, MAX_KEY_POINTS)
    return [Span(start, end, "key_point") for start, end in chosen]


def _key_section_tiers(view: _View, wanted, later_paragraphs: bool = True) -> list[list[tuple[int | None, tuple[int, int]]]]:
    """Candidates in priority tiers: opening topic sentences, list items, later topic sentences."""
    openings, items, later = [], [], []
    for unit in view.units:
        if not wanted(view.section_of(unit)):
            continue
        if unit.kind == "item":
            items.extend((unit.section, span) for span in _key_items(view, [unit]))
            continue
        topic = _finding_sentence(view, unit) or _topic_sentence(view, unit)
        if topic is None:
            continue
        if unit.paragraph_index == 0:
            openings.append((unit.section, topic))
        elif later_paragraphs:
            later.append((unit.section, topic))
    return [openings, items, later]


def _key_items(view: _View, units: Iterable[_Unit]) -> list[tuple[int, int]]:
    out = []
    for unit in units:
        if unit.kind != "item" or (view.section_of(unit) and view.section_of(unit).kind == "references"):
            continue
        span = unit.sentences[0]
        item = view.text_of(span)
        words = len(item.split())
        if words < KEY_POINT_MIN_WORDS or _REFERENCE_LIKE.search(item) or _is_disclaimer(item.lower()):
            continue
        if words > LIST_ITEM_MAX_WORDS:
            span = split_sentences(view.doc.text, *span)[0]
        out.append(span)
    return out


def _finding_sentence(view: _View, unit: _Unit) -> tuple[int, int] | None:
    """A sentence that states what a paragraph found ("Taken together, these data show ...").

    Research papers open results paragraphs with what was done and close them with what it
    showed; the latter is the point.
    """
    if unit.labelled:
        return None
    for span in unit.sentences[1:]:
        sentence = view.text_of(span)
        if _FINDING_CUE.search(sentence.lower()) and _ends_statement(sentence) and TOPIC_MIN_WORDS <= len(sentence.split()) <= TOPIC_MAX_WORDS:
            return span
    return None


def _topic_sentence(view: _View, unit: _Unit) -> tuple[int, int] | None:
    """The paragraph's first statement: skip a leading question ("But how does it work?")."""
    if unit.labelled:
        return None
    for span in unit.sentences[:2]:
        sentence = view.text_of(span)
        if sentence.endswith("?") or sentence.startswith(("(", "[")):
            continue
        if _is_disclaimer(sentence.lower()):
            return None
        complete = _ends_statement(sentence) or sentence.endswith(":")
        if complete and TOPIC_MIN_WORDS <= len(sentence.split()) <= TOPIC_MAX_WORDS:
            return span
        return None
    return None


def _spread(tiers: list[list[tuple[int | None, tuple[int, int]]]], limit: int) -> list[tuple[int, int]]:
    """Take up to ``limit`` spans, tier by tier; text order out.

    Within a tier, sections take turns (each section's first candidate, then each one's second,
    ...), so one long section cannot crowd out the others; when a turn has more candidates than
    room is left, evenly spaced ones are taken so the whole article stays covered.
    """
    chosen: list[tuple[int, int]] = []
    for tier in tiers:
        queues: dict[int | None, list[tuple[int, int]]] = {}
        for section, span in tier:
            queues.setdefault(section, []).append(span)
        depth = 0
        while len(chosen) < limit:
            turn = [queue[depth] for queue in queues.values() if depth < len(queue)]
            if not turn:
                break
            room = limit - len(chosen)
            if len(turn) > room:
                turn = [turn[(i * len(turn)) // room] for i in range(room)]
            chosen.extend(turn)
            depth += 1
    return sorted(set(chosen))


# --- limitations ---------------------------------------------------------------------------------


def _limitations(view: _View) -> list[Span]:
    """Limitations sections first, then stated limits in the discussion and elsewhere, then in the
    introduction, abstract and results (where they are mostly gaps in earlier work)."""
    tiers: tuple[list, list, list] = ([], [], [])
    for unit in view.units:
        section = view.section_of(unit)
        kind = section.kind if section is not None else None
        if kind in ("references", "methods") and not (section is not None and section.limitations):
            continue  # methods say how bias was avoided, not where the evidence falls short
        in_limits_section = section is not None and section.limitations
        tier = 0 if in_limits_section else 2 if kind in _BACKGROUND_KINDS else 1
        for span in unit.sentences:
            sentence = view.text_of(span).lower()
            if in_limits_section:
                wanted = len(sentence.split()) >= LIMITATION_MIN_WORDS
            else:
                wanted = _states_limitation(sentence)
            if wanted and not _is_disclaimer(sentence):
                tiers[tier].append(span)
    chosen = (tiers[0] + tiers[1] + tiers[2])[:MAX_LIMITATIONS]
    return [Span(start, end, "limitation") for start, end in sorted(chosen)]


def _states_limitation(lowered: str) -> bool:
    if lowered.endswith("?"):
        return False
    if not any(any(key in lowered for key in keys) and test.search(lowered) for keys, test in _LIMITATION_TESTS):
        return False  # as _LIMITATION_CUES.search would say, trying only the expressions that can match
    # "To overcome this limitation, we ..." describes the method; a second cue still counts.
    return len(_LIMITATION_CUES.findall(lowered)) > len(_LIMITATION_OVERCOME.findall(lowered))


# --- digest --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    span: tuple[int, int]
    words: frozenset[str]
    position_bonus: float
    order: int


def _digest(view: _View) -> list[Span]:
    candidates = _digest_candidates(view)
    if not candidates:
        return []
    weight = _word_weights(candidates)
    entity_starts = sorted(s.start for s in view.doc.layer(L.ENTITIES))
    scored = []
    for cand in candidates:
        score = _centrality(cand.words, weight) + cand.position_bonus
        score += _title_overlap(cand.words, view.title_words)
        score += _entity_bonus(entity_starts, cand.span)
        sentence = view.text_of(cand.span)
        if _ABOUTNESS.search(sentence.lower()):
            score += 0.15
        if _LEADING_CONNECTIVE.match(sentence):
            score -= 0.25
        if _NARRATION.search(sentence):
            score -= 0.2
        scored.append((-round(score, 6), cand.order, cand))
    scored.sort(key=lambda item: (item[0], item[1]))
    wanted = _digest_size(len(candidates))
    picked: list[_Candidate] = []
    for _, _, cand in scored:
        if len(picked) == wanted:
            break
        if all(_similarity(cand.words, other.words) <= DIGEST_MAX_SIMILARITY for other in picked):
            picked.append(cand)
    return [Span(c.span[0], c.span[1], "digest") for c in sorted(picked, key=lambda c: c.order)]


def _digest_candidates(view: _View) -> list[_Candidate]:
    in_metadata = _IntervalSet((s.start, s.end) for s in view.doc.layer(L.METADATA) if s.label not in ("abstract", "keyword"))
    candidates: list[_Candidate] = []
    lede = True
    total = max(1, len(view.doc.text))
    for unit in view.units:
        section = view.section_of(unit)
        if unit.kind != "paragraph" or unit.labelled or (section is not None and section.kind in _NO_DIGEST_KINDS):
            continue
        found = False
        for position, span in enumerate(unit.sentences):
            sentence = view.text_of(span)
            if not _digest_eligible(sentence) or in_metadata.overlaps(span):
                continue
            words = frozenset(_content_words(sentence))
            if words:
                bonus = _position_bonus(section, unit, position, lede, span[0] / total)
                candidates.append(_Candidate(span, words, bonus, len(candidates)))
                found = True
        lede = lede and not found
    return candidates


class _IntervalSet:
    """Answers "does this span overlap any of these intervals?" in log time."""

    def __init__(self, intervals: Iterable[tuple[int, int]]) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(intervals):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self._starts = [m[0] for m in merged]
        self._ends = [m[1] for m in merged]

    def overlaps(self, span: tuple[int, int]) -> bool:
        index = bisect_right(self._starts, span[1] - 1) - 1
        return index >= 0 and self._ends[index] > span[0]


def _digest_eligible(sentence: str) -> bool:
    tokens = sentence.split()
    words = len(tokens)
    return (
        DIGEST_MIN_WORDS <= words <= DIGEST_MAX_WORDS
        and _prose_share(tokens) >= DIGEST_MIN_PROSE_SHARE
        and _ends_statement(sentence)
        and not sentence.startswith(("(", "["))
        and not _LABEL_LINE.match(sentence)
        and not _is_disclaimer(sentence.lower())
        and not _LINK.search(sentence)
    )


def _prose_share(tokens: list[str]) -> float:
    """Share of tokens that are words of three letters or more: low in formulae and tables."""
    return sum(len(t) >= 3 and t[:3].isalpha() for t in tokens) / len(tokens)


def _is_disclaimer(lowered: str) -> bool:
    """A statement about the document itself ("does not constitute medical advice")."""
    return any(key in lowered for key in _DISCLAIMER_KEYS) and bool(_DISCLAIMER.search(lowered))


def _ends_statement(sentence: str) -> bool:
    """Ends in a full stop or exclamation mark, possibly inside closing quotes or brackets."""
    core = sentence.rstrip().rstrip(_CLOSERS)
    return core.endswith((".", "!"))


def _position_bonus(section: _Section | None, unit: _Unit, position: int, lede: bool, relative: float) -> float:
    bonus = 0.1 * (1.0 - relative)
    if position == 0:
        bonus += 0.1
    if lede:
        bonus += 0.1 if position == 0 else 0.05
    if section is not None:
        if section.kind in _DIGEST_BONUS_KINDS and unit.paragraph_index == 0:
            bonus += 0.1
        if section.key:
            bonus += 0.05
    return bonus


def _content_words(text: str) -> list[str]:
    return [w for w in _TOKEN.findall(text.lower()) if len(w) >= 3 and w not in _STOPWORDS]


def _word_weights(candidates: list[_Candidate]) -> dict[str, float]:
    """Each content word's document frequency over the candidates, log-scaled to 0..1."""
    frequency: dict[str, int] = {}
    for cand in candidates:
        for word in cand.words:
            frequency[word] = frequency.get(word, 0) + 1
    scale = math.log1p(max(frequency.values()))
    return {word: math.log1p(count) / scale for word, count in frequency.items()}


def _centrality(words: frozenset[str], weight: dict[str, float]) -> float:
    """Mean weight of the sentence's content words: high when it uses the document's main terms."""
    return sum(map(weight.__getitem__, words)) / len(words)


def _title_overlap(words: frozenset[str], title: frozenset[str]) -> float:
    return 0.4 * len(words & title) / len(title) if title else 0.0


def _entity_bonus(entity_starts: list[int], span: tuple[int, int]) -> float:
    count = bisect_right(entity_starts, span[1] - 1) - bisect_right(entity_starts, span[0] - 1)
    return 0.05 * min(3, count)


def _similarity(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _digest_size(candidates: int) -> int:
    if candidates < 15:
        return DIGEST_MIN
    if candidates < 60:
        return 4
    return DIGEST_MAX
