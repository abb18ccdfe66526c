"""Find compound–action–target mechanism relations stated within one sentence.

Articles state mechanisms in a handful of recurring shapes: "ketamine blocks NMDA receptors",
"rapamycin, an inhibitor of mTOR", "the NMDA receptor antagonist ketamine", "mTOR inhibition by
rapamycin", "NMDA antagonism in ketamine". This stage reads the ``entities`` layer, and inside
each sentence replaces every entity mention by a placeholder, so those shapes become short regular
expressions over placeholders and words (rules for now; a model can replace them behind the same
function later). Because the gaps a pattern allows never contain another entity, each action is
paired with the nearest compound and target in its own clause; clauses are cut at contrast words
("vs.", "whereas", ";") so "NMDA antagonism in ketamine vs. 5-HT2A agonism in psilocybin" gives
two relations and never crosses them. Negated statements ("does not inhibit") give none.

The subject is a COMPOUND mention and the object a PROTEIN or PATHWAY mention; a relation points
at them by their exact offsets, its span is the sentence that states it (the evidence), and its
score says how tight the pattern that found it is (0.9 for appositions and "X is a T agonist",
0.85 for verbs, 0.8 for nominalisations, 0.7–0.75 for looser "through T inhibition" shapes).

Patterns find one ChemProt relation in five. For compound-PROTEIN pairs no pattern relates, a small
classifier (logistic regression over the words between and around the pair, trained on ChemProt
train by scripts/train_relations.py, package data in pipeline/data/relations) decides; its
relations carry ``method`` "model" and its probability as ``score``. Because every ChemProt sentence
states a relation, the model needs guards it cannot learn there: an action word near the pair, the
same clause, no negation or foil, and no re-pairing of mentions the patterns already related.

Sentences come from the shared splitter in :mod:`pipeline.stages._sentences`.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import json
import math
import re
from dataclasses import dataclass
from importlib import resources
from typing import Iterator, Sequence

from ..document import Document, Span
from ..errors import DefectError
from .. import layers as L
from ._relation_features import Token, head_word, pair_features, tokenize
from ._sentences import split_sentences

SUBJECT_LABELS = ("COMPOUND",)
OBJECT_LABELS = ("PROTEIN", "PATHWAY")



_CLAUSE_BREAK = re.compile(
    r";|\b(?:vs\.?(?=\s)|versus\b|whereas\b|while\b|whilst\b|(?:al)?though\b|but\b|in contrast\b"
    r"|on the other hand\b|conversely\b)",
    re.IGNORECASE,
)


def _clauses(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    clause_start = start
    for match in _CLAUSE_BREAK.finditer(text, start, end):
        yield clause_start, match.start()
        clause_start = match.end()
    yield clause_start, end


# --------------------------------------------------------------------------------------------
# Patterns over placeholders. An entity mention becomes "\ue000" + kind + index + "\ue001" with
# kind C (compound), T (target) or X (any other entity, which no gap may cross).
# --------------------------------------------------------------------------------------------

_OPEN, _CLOSE = "\ue000", "\ue001"
_C1 = r"\ue000C\d+\ue001"
_T1 = r"\ue000T\d+\ue001"
_W = r"[^\W\d_][\w'’.-]*"  # one word (never a placeholder: private-use characters are not \w)
_SEP = r"(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|and/or|&)\s+|\s*/\s*)"
_HEAD = (
    r"(?:[\s-]+(?:receptors?|subunits?|channels?|transporters?|kinases?|enzymes?|proteins?|isoforms?|"
    r"subtypes?|complex(?:es)?|signal(?:l)?ing|pathways?|cascades?|sites?|activity))"
)
# A parenthesis right after a mention gives its abbreviation, code or dose: "monoamine oxidase
# (MAO)", "ketanserin (0.1 microM)". Inside a coordinated list only an abbreviation may follow a
# member, so "A (a T1 inhibitor), B (a T2 inhibitor)" is not read as one group.
_PAREN = r"(?:\s*\((?:[^()\ue000\ue001]|\ue000[CTX]\d+\ue001){1,60}\))"
_ABBREV = r"(?:\s*\(\s*\ue000[CTX]\d+\ue001\s*\))"
_CG = rf"(?P<c>{_C1}(?:{_ABBREV}?{_SEP}{_C1})*{_PAREN}?)"
# A target may be named after its ligand: "the serotonin 5-HT2A receptor", "dopamine D2 receptors".
_T1_NAMED = rf"(?:{_C1}\s+)?{_T1}"
_TG = rf"(?P<t>{_T1_NAMED}(?:{_ABBREV}?{_HEAD}{{0,2}}{_SEP}{_T1_NAMED})*{_PAREN}?{_HEAD}{{0,2}})"
_DET = r"(?:(?:the|a|an|its|their|both|all|this|these)\s+)"

_AGENT = (
    r"(?P<a>\b(?:(?:partial|inverse|full|positive|negative|allosteric|non-?competitive|competitive)[\s-]+){0,3}"
    r"(?:agonist|antagonist|inhibitor|blocker|activator|modulator|substrate|ligand|binder|inducer|opener|"
    r"stimulator|potentiator|suppressor)s?)\b"
)
_NOUN = (
    r"(?P<a>\b(?:(?:partial|inverse|positive|negative|allosteric|non-?competitive|competitive)[\s-]+){0,2}"
    r"(?:agonism|antagonism|inhibition|blockade|blocking|block|activation|stimulation|modulation|"
    r"potentiation|up-?regulation|down-?regulation|induction|suppression|binding))\b"
)
_AGENT_ACTION = (
    r"(?P<a>\b(?:(?:partial|inverse|full)[\s-]+)?(?:agonist|antagonist|inhibitor|blocker|activator|modulator|"
    r"agonistic|antagonistic|inhibitory|blocking|activating|stimulatory|modulatory))\s+"
    r"(?:activity|activities|effects?|properties|actions?|profile)"
)
_VERB = (
    r"(?P<a>\b(?:inhibit|block|antagoni[sz]e|activate|stimulate|modulate|potentiate|up-?regulate|"
    r"down-?regulate|induce|suppress|agoni[sz]e)(?:s|es|d|ed|ing)?|bind(?:s|ing)?|bound)\b"
)
_VERB_PASSIVE = (
    r"(?P<a>\b(?:inhibit|block|antagoni[sz]|activat|stimulat|modulat|potentiat|up-?regulat|down-?regulat|"
    r"induc|suppress|agoni[sz])e?d|bound)\b"
)
_LEVEL_CHANGE = (
    r"(?P<a>\b(?:increas|elevat|enhanc|rais|promot|decreas|reduc|lower|attenuat|diminish|suppress|inhibit|"
    r"impair|augment|boost)(?:e|es|ed|ing|s)?)\b"
)
_QUANTITY = (
    r"(?P<q>expression|levels?|production|synthesis|release|secretion|m?RNA|transcription|amounts?|"
    r"concentrations?|activity|activities|function|phosphorylation|signal(?:l)?ing)\b"
)
_COPULA = (
    r"(?:is|are|was|were|be|been|being|remains?|becomes?|acts?\s+as|acting\s+as|acted\s+as|functions?\s+as|"
    r"functioning\s+as|serves?\s+as|behaves?\s+as|works?\s+as|(?<!\bwell\s)(?<!\bsuch\s)as)"
)
_PREP_TARGET = r"(?:of|at|on|for|to|toward|towards|against)"


def _gap(max_words: int) -> str:
    """Up to ``max_words`` words, each followed by a space, never crossing an entity or a comma."""
    return rf"(?:{_W}\s+){{0,{max_words}}}?"


def _lead(max_words: int) -> str:
    """What may stand between a subject and its predicate: a few words, or a parenthetical
    clause set off by commas ("ketamine, however, blocks", "fluoxetine, which inhibits"), but
    never a comma after plain words ("superoxide production, enhanced ...")."""
    return rf"(?:\s+{_gap(max_words)}|\s*,\s*{_gap(max_words)}(?:{_W}\s*,\s*)?)"


@dataclass(frozen=True)
class _Pattern:
    name: str
    regex: re.Pattern[str]
    score: float
    kind: str  # how to read the trigger: agent, noun, verb, level


def _pattern(name: str, body: str, score: float, kind: str) -> _Pattern:
    return _Pattern(name, re.compile(body, re.IGNORECASE), score, kind)


_APPOSITION = r"(?:\s*[,(—–:]\s*)"
_COPULA_LINK = rf"(?:{_lead(4)}{_COPULA}\s+)"
_LINK = rf"(?:{_COPULA_LINK}|{_APPOSITION})"
#: Modifiers before an agent noun ("a potent, selective"); function words end a noun phrase.
_NOT_MODIFIER = r"(?!(?:of|with|by|for|to|in|on|at|from|into|than|that|which|who|is|are|was|were|be|been|being|has|have|had|not|as)\b)"
_ADJECTIVES = rf"{_DET}?(?:{_NOT_MODIFIER}{_W},?\s+){{0,4}}?"
_EXAMPLE_CUE = r"(?:\s+|\s*,\s*(?:such\s+as|like|including|e\.g\.,?|namely)\s+|\s*\(\s*(?:e\.g\.,?|such\s+as|like|including)?\s*|\s+(?:such\s+as|like|including|is|was|are|were)\s+)"

#: Ordered tightest first: when two patterns relate the same pair, the first one's action wins.
PATTERNS: tuple[_Pattern, ...] = (
    # "rapamycin, an inhibitor of mTOR"; "ketamine acts as an antagonist at NMDA receptors"
    _pattern(
        "agent_of_target",
        rf"{_CG}{_LINK}{_ADJECTIVES}{_AGENT}\s+(?:(?:selective|specific|active)\s+)?{_PREP_TARGET}\s+{_DET}?(?:{_W}[\s-]+)?{_TG}",
        0.9,
        "agent",
    ),
    # "psilocybin is a potent 5-HT2A receptor agonist"; "haloperidol (a D2 antagonist)"
    _pattern("target_agent", rf"{_CG}{_LINK}{_ADJECTIVES}{_TG}[\s-]+{_AGENT}", 0.9, "agent"),
    # "the NMDA receptor antagonist ketamine"; "mTOR inhibitors such as rapamycin"
    _pattern("agent_example", rf"{_TG}[\s-]+{_AGENT}{_EXAMPLE_CUE}{_CG}", 0.9, "agent"),
    # "ketamine has antagonist activity at NMDA receptors"
    _pattern(
        "agent_activity",
        rf"{_CG}{_lead(4)}{_AGENT_ACTION}\s+{_PREP_TARGET}\s+{_DET}?{_TG}",
        0.8,
        "agent",
    ),
    # "ketamine blocks NMDA receptors"; "fluoxetine, which inhibits SERT"
    _pattern("verb_active", rf"{_CG}{_lead(5)}{_VERB}\s+(?:to\s+)?{_gap(3)}{_DET}?{_TG}", 0.85, "verb"),
    # "NMDA receptors are blocked by ketamine"
    _pattern(
        "verb_passive",
        rf"{_TG}\s+{_gap(3)}{_VERB_PASSIVE}\s+(?:{_W}\s+){{0,2}}?by\s+{_DET}?{_gap(2)}{_CG}",
        0.85,
        "verb",
    ),
    # "ketamine increases the expression of BDNF"; "rapamycin reduced mTOR activity"
    _pattern(
        "level_change_of",
        rf"{_CG}{_lead(4)}{_LEVEL_CHANGE}\s+{_DET}?(?:{_W}\s+){{0,1}}?{_QUANTITY}\s+of\s+{_DET}?{_TG}",
        0.75,
        "level",
    ),
    _pattern(
        "level_change_pre",
        rf"{_CG}{_lead(4)}{_LEVEL_CHANGE}\s+{_DET}?{_TG}[\s-]+{_QUANTITY}",
        0.75,
        "level",
    ),
    # "mTOR inhibition by rapamycin"; "NMDA antagonism in ketamine"
    _pattern(
        "target_noun_by",
        rf"{_TG}[\s-]+(?:{_W}\s+){{0,1}}?{_NOUN}\s+{_gap(2)}(?:by|in|of|with|from|using|via|through)\s+{_DET}?{_gap(3)}{_CG}",
        0.8,
        "noun",
    ),
    # "inhibition of mTOR by rapamycin"
    _pattern(
        "noun_of_target_by",
        rf"{_NOUN}\s+{_PREP_TARGET}\s+{_DET}?{_TG}\s+{_gap(3)}(?:by|with|using|via|through)\s+{_DET}?{_gap(3)}{_CG}",
        0.8,
        "noun",
    ),
    # "ketamine's antagonism of NMDA receptors"; "rapamycin-induced inhibition of mTOR"
    _pattern(
        "compound_noun_of",
        rf"{_CG}(?:['’]s|[\s-]+(?:induced|mediated|dependent|evoked|driven|elicited|triggered))?\s+{_NOUN}\s+{_PREP_TARGET}\s+{_DET}?{_TG}",
        0.8,
        "noun",
    ),
    # "ketamine's NMDA antagonism"; "rapamycin-induced mTOR inhibition"
    _pattern(
        "compound_target_noun",
        rf"{_CG}(?:['’]s|[\s-]+(?:induced|mediated|dependent|evoked|driven|elicited|triggered))\s+{_TG}[\s-]+{_NOUN}",
        0.8,
        "noun",
    ),
    # "ketamine works through NMDA antagonism"; "noradrenaline contracts the aorta via activation of ..."
    _pattern(
        "by_way_of_target_noun",
        rf"{_CG}{_lead(8)}(?:via|through|by|due\s+to|owing\s+to)\s+{_DET}?(?:{_W}\s+){{0,2}}?{_TG}[\s-]+{_NOUN}",
        0.7,
        "noun",
    ),
    _pattern(
        "by_way_of_noun_of",
        rf"{_CG}{_lead(8)}(?:via|through|by|due\s+to|owing\s+to)\s+{_DET}?(?:{_W}\s+){{0,1}}?{_NOUN}\s+{_PREP_TARGET}\s+{_DET}?{_TG}",
        0.7,
        "noun",
    ),
)

_TRIGGERS = tuple(
    (kind, re.compile(re.sub(r"\(\?P<\w+>", "(?:", regex), re.IGNORECASE))
    for kind, regex in (("agent", rf"{_AGENT}|{_AGENT_ACTION}"), ("noun", _NOUN), ("verb", rf"{_VERB}|{_VERB_PASSIVE}"), ("level", _LEVEL_CHANGE))
)

_NEGATION = re.compile(
    r"\b(?:not|no|never|neither|nor|without|lacks?|lacking|lacked|fail(?:s|ed)?\s+to|cannot|unable\s+to|"
    r"absence\s+of|devoid\s+of|rather\s+than|instead\s+of)\b|n['’]t\b",
    re.IGNORECASE,
)
#: A compound introduced by one of these is a foil, not the subject: "unlike ketamine, ...".
_FOIL_BEFORE = re.compile(
    r"\b(?:unlike|like|than|as\s+with|compared\s+(?:with|to)|in\s+contrast\s+to|as\s+opposed\s+to|"
    r"rather\s+than|instead\s+of|other\s+than|except)\s*$",
    re.IGNORECASE,
)
_AMOUNT_WORDS = r"(?:expression|secretion|release|production|synthesis|m?RNA|transcription|levels?|abundance|amounts?)"
_AMOUNT = re.compile(rf"\b{_AMOUNT_WORDS}\b", re.IGNORECASE)
_AMOUNT_AFTER = re.compile(rf"[\s-]+(?:[\w-]+\s+)?{_AMOUNT_WORDS}\b", re.IGNORECASE)
_RESPECTIVELY = re.compile(r"\brespectively\b", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\ue000([CTX])(\d+)\ue001")
_PARENTHESES = re.compile(r"\([^()]*\)")


def _action(trigger: str, kind: str, quantity: str | None = None) -> str:
    """Map the trigger word a pattern matched to one action of the schema's enum."""
    t = trigger.lower().replace("-", " ")
    if kind == "level":
        increases = re.match(r"increas|elevat|enhanc|rais|promot|augment|boost", t) is not None
        acts_on_activity = quantity is not None and re.match(r"activit|function|phosphorylation|signal", quantity.lower())
        if acts_on_activity:
            return "activator" if increases else "inhibitor"
        return "upregulator" if increases else "downregulator"
    if "partial agonis" in t:
        return "partial_agonist"
    if "inverse agonis" in t:
        return "inverse_agonist"
    if "antagoni" in t:
        return "antagonist"
    if "agoni" in t:
        return "agonist"
    if "allosteric" in t or "modulat" in t or "potentiat" in t:
        return "modulator"
    for stem, action in _ACTION_STEMS:
        if stem in t:
            return action
    raise DefectError(f"relation trigger {trigger!r} maps to no action; the patterns and _ACTION_STEMS disagree, this is a bug in the relations stage")


_ACTION_STEMS = (
    ("inhibit", "inhibitor"),
    ("suppress", "inhibitor"),
    ("down regulat", "downregulator"),
    ("downregulat", "downregulator"),
    ("up regulat", "upregulator"),
    ("upregulat", "upregulator"),
    ("induc", "upregulator"),
    ("block", "blocker"),
    ("activat", "activator"),
    ("stimulat", "activator"),
    ("opener", "activator"),
    ("substrate", "substrate"),
    ("ligand", "binder"),
    ("binder", "binder"),
    ("bind", "binder"),
    ("bound", "binder"),
)


# --------------------------------------------------------------------------------------------
# The stage
# --------------------------------------------------------------------------------------------


def extract_relations(doc: Document) -> dict[str, list[Span]]:
    """Relations between a compound and a target stated in one sentence of ``doc``."""
    mentions = _non_overlapping(doc.layer(L.ENTITIES))
    if not any(m.label in SUBJECT_LABELS for m in mentions) or not any(m.label in OBJECT_LABELS for m in mentions):
        return {L.RELATIONS: []}
    text = doc.text
    relations: list[Span] = []
    index = 0
    for start, end in split_sentences(text):
        while index < len(mentions) and mentions[index].start < start:
            index += 1
        inside = []
        cursor = index
        while cursor < len(mentions) and mentions[cursor].start < end:
            if mentions[cursor].end <= end:
                inside.append(mentions[cursor])
            cursor += 1
        if any(m.label in SUBJECT_LABELS for m in inside) and any(m.label in OBJECT_LABELS for m in inside):
            relations.extend(_sentence_relations(text, start, end, inside))
    return {L.RELATIONS: relations}


def _non_overlapping(entities: Sequence[Span]) -> list[Span]:
    """Entities in text order, keeping the longest of any overlapping mentions."""
    chosen: list[Span] = []
    for span in sorted(entities, key=lambda s: (s.start, -(s.end - s.start), s.label)):
        if span.end <= span.start:
            continue
        if chosen and span.start < chosen[-1].end:
            continue
        chosen.append(span)
    return chosen


@dataclass(frozen=True)
class _Candidate:
    subject: Span
    obj: Span
    action: str
    score: float
    rank: int  # pattern order, for a stable choice between patterns
    method: str = "pattern"


def _sentence_relations(text: str, start: int, end: int, mentions: list[Span]) -> list[Span]:
    candidates: list[_Candidate] = []
    starts = [m.start for m in mentions]
    for clause_start, clause_end in _clauses(text, start, end):
        first = bisect.bisect_left(starts, clause_start)
        last = bisect.bisect_left(starts, clause_end)
        in_clause = [m for m in mentions[first:last] if m.end <= clause_end]
        if any(m.label in SUBJECT_LABELS for m in in_clause) and any(m.label in OBJECT_LABELS for m in in_clause):
            candidates.extend(_clause_candidates(text, clause_start, clause_end, in_clause))
    candidates.extend(_model_candidates(text, start, end, mentions, candidates))
    return _resolve(text, start, end, candidates)


def _clause_candidates(text: str, start: int, end: int, mentions: list[Span]) -> list[_Candidate]:
    masked = _mask(text, start, end, mentions)
    # "A and B are X and Y agonists, respectively" pairs by position, which no pattern here reads.
    if _RESPECTIVELY.search(masked) and (_count(mentions, SUBJECT_LABELS) > 1 or _count(mentions, OBJECT_LABELS) > 1):
        return []
    found = []
    kinds = _trigger_kinds(masked)
    for rank, pattern in enumerate(PATTERNS):
        if pattern.kind not in kinds:
            continue
        for match in pattern.regex.finditer(masked):
            if _negated(masked, match) or _is_foil(masked, match.start("c")):
                continue
            subjects = _members(match.group("c"), "C", mentions)
            objects = _members(match.group("t"), "T", mentions)
            quantity = match.groupdict().get("q")
            action = _action(match.group("a"), pattern.kind, quantity)
            if pattern.kind in ("verb", "noun") and _about_amount(masked, match):
                action = _as_amount_change(action)
            for subject in subjects:
                for obj in objects:
                    found.append(_Candidate(subject, obj, action, pattern.score, rank))
    return found


def _trigger_kinds(masked: str) -> frozenset[str]:
    """Which kinds of trigger word the clause contains: a cheap filter before the patterns."""
    return frozenset(kind for kind, trigger in _TRIGGERS if trigger.search(masked))


def _mask(text: str, start: int, end: int, mentions: list[Span]) -> str:
    """The clause with each entity replaced by a placeholder naming its kind and list index."""
    pieces = []
    cursor = start
    for i, mention in enumerate(mentions):
        kind = "C" if mention.label in SUBJECT_LABELS else "T" if mention.label in OBJECT_LABELS else "X"
        pieces.append(text[cursor : mention.start])
        pieces.append(f"{_OPEN}{kind}{i}{_CLOSE}")
        cursor = mention.end
    pieces.append(text[cursor:end])
    return "".join(pieces)


def _about_amount(masked: str, match: re.Match[str]) -> bool:
    """Whether the action is on the target's amount ("inhibits IL-2 secretion", "induces the
    expression of BDNF") rather than on the target itself."""
    if match.start("t") > match.end("a"):
        between = masked[match.end("a") : match.start("t")]
    else:
        between = masked[match.end("t") : match.start("a")]
    return _AMOUNT.search(between) is not None or _AMOUNT_AFTER.match(masked, match.end("t")) is not None


def _as_amount_change(action: str) -> str:
    if action in ("inhibitor", "blocker", "antagonist", "downregulator"):
        return "downregulator"
    if action in ("activator", "agonist", "upregulator"):
        return "upregulator"
    return action


def _count(mentions: list[Span], labels: tuple[str, ...]) -> int:
    return sum(1 for m in mentions if m.label in labels)


def _members(group: str, kind: str, mentions: list[Span]) -> list[Span]:
    """The mentions of ``kind`` a coordinated group names, leaving out abbreviations in parentheses
    (and, for targets, the ligand a receptor is named after)."""
    plain = _PARENTHESES.sub(" ", group)
    return [mentions[int(m.group(2))] for m in _PLACEHOLDER.finditer(plain) if m.group(1) == kind]


def _negated(masked: str, match: re.Match[str]) -> bool:
    """Negation inside the match, or just before it ("no inhibition of mTOR by rapamycin")."""
    before = masked[max(0, match.start() - 30) : match.start()]
    before = re.split(r"[,:;()]", before)[-1]
    window = before + masked[match.start() : match.end()]
    return _NEGATION.search(_PLACEHOLDER.sub(" ", window)) is not None


def _is_foil(masked: str, subject_start: int) -> bool:
    window_start = max(0, subject_start - 40)  # a bounded look-back keeps long sentences linear
    return _FOIL_BEFORE.search(masked, window_start, subject_start) is not None


def _resolve(text: str, start: int, end: int, candidates: list[_Candidate]) -> list[Span]:
    """One action per (subject, object) mention pair, then one relation per stated fact."""
    best: dict[tuple[int, int, int, int], _Candidate] = {}
    for cand in candidates:
        key = (cand.subject.start, cand.subject.end, cand.obj.start, cand.obj.end)
        kept = best.get(key)
        if kept is None or (cand.method == "pattern", cand.score, -cand.rank) > (kept.method == "pattern", kept.score, -kept.rank):
            best[key] = cand
    relations = []
    seen: set[tuple[str, str, str]] = set()
    for key in sorted(best):
        cand = best[key]
        fact = (_identity(text, cand.subject), cand.action, _identity(text, cand.obj))
        if fact in seen:
            continue
        seen.add(fact)
        relations.append(
            Span(
                start,
                end,
                cand.action,
                {
                    "subject": [cand.subject.start, cand.subject.end],
                    "object": [cand.obj.start, cand.obj.end],
                    "method": cand.method,
                    "score": cand.score,
                },
            )
        )
    return relations


def _identity(text: str, mention: Span) -> str:
    """What makes two mentions the same thing: the normalised ID, else the lower-cased text."""
    norm = mention.get("norm")
    if norm and norm.get("id"):
        return f"{norm.get('db')}:{norm.get('id')}"
    return " ".join(mention.text_in(text).lower().split())


# --------------------------------------------------------------------------------------------
# The classifier, for pairs no pattern relates (trained by scripts/train_relations.py)
# --------------------------------------------------------------------------------------------

#: The model relates compounds to proteins only (ChemProt has no pathways).
_MODEL_OBJECT_LABELS = ("PROTEIN",)
#: Six-letter stems of words that can state an action (features cut words the same way):
#: the patterns' vocabulary plus the metabolic and expression words that ChemProt train states
#: substrate, product and regulator relations with (scripts/train_relations.py lists their counts).
TRIGGER_STEMS = frozenset(
    """inhibi block blocke blocks antago agonis activa stimul modula induce induct induci
    suppre upregu downre regula increa decrea reduce reduct elevat enhanc attenu dimini abolis
    abroga preven augmen lower lowers raise raised boost promot impair restor inacti deplet
    substr cataly metabo conver hydrol oxidiz oxidat conjug cleave cleava degrad transp uptake
    phosph dephos expres produc synthe secret releas bindin binds bind bound ligand affini
    opener opens mimic""".split()
)
#: Model classes the schema has no action for; a pair the model puts there gets no relation.
_NOT_EMITTED = ("none", "product")
#: Ranked after every pattern, so a pattern's action wins for the same pair.
_MODEL_RANK = 1000


@dataclass(frozen=True)
class _Model:
    classes: tuple[str, ...]
    threshold: float
    weights: dict[str, list[float]]


@functools.lru_cache(maxsize=1)
def _model() -> _Model:
    payload = resources.files("pipeline").joinpath("data/relations/model.json.gz").read_bytes()
    data = json.loads(gzip.decompress(payload))
    return _Model(tuple(data["classes"]), float(data["threshold"]), data["weights"])


def _model_candidates(text: str, start: int, end: int, mentions: list[Span], found: list[_Candidate]) -> list[_Candidate]:
    """Relations the classifier finds between compound-target pairs no pattern related."""
    # Two mentions that patterns already related, each to another partner, are spoken for ("X blocks
    # A, and Y is a B agonist" must not also give X-B); "respectively" pairs by position, which the
    # model does not read either.
    related_subjects = {c.subject.start for c in found}
    related_objects = {c.obj.start for c in found}
    if _RESPECTIVELY.search(text, start, end):
        return []
    kinds = [("C" if m.label in SUBJECT_LABELS else "T" if m.label in _MODEL_OBJECT_LABELS else "X") for m in mentions]
    clause_of = _clause_index(text, start, end, mentions)
    pairs = [
        (i, j)
        for i, ki in enumerate(kinds) if ki == "C" and not _is_foil_text(text, start, mentions[i].start)
        for j, kj in enumerate(kinds)
        if kj == "T" and clause_of[i] == clause_of[j]
        and not (mentions[i].start in related_subjects and mentions[j].start in related_objects)
    ]
    if not pairs:
        return []
    model = _model()
    tokens = tokenize(text, start, end, [(m.start, m.end, k) for m, k in zip(mentions, kinds)])
    out = []
    for i, j in pairs:
        if not _has_trigger(tokens, i, j):
            continue
        features = pair_features(tokens, i, j, head_word(mentions[j].text_in(text)))
        if "negated" in features:
            continue
        klass, probability = _classify(model, features)
        if klass not in _NOT_EMITTED and probability >= model.threshold:
            out.append(_Candidate(mentions[i], mentions[j], klass, round(probability, 3), _MODEL_RANK, "model"))
    return out


def _clause_index(text: str, start: int, end: int, mentions: list[Span]) -> list[int]:
    """For each mention, which clause of the sentence (see :func:`_clauses`) it lies in."""
    ends = [clause_end for _, clause_end in _clauses(text, start, end)]
    return [bisect.bisect_left(ends, m.end) for m in mentions]


def _is_foil_text(text: str, sentence_start: int, mention_start: int) -> bool:
    return _FOIL_BEFORE.search(text, max(sentence_start, mention_start - 40), mention_start) is not None


def _has_trigger(tokens: list[Token], compound: int, target: int) -> bool:
    """Whether an action word stands between the pair or within three words of it: the model
    learned on sentences that all state a relation, so it needs a word that can state one."""
    position = {t.mention: k for k, t in enumerate(tokens) if t.mention >= 0}
    lo, hi = sorted((position[compound], position[target]))
    window = tokens[max(0, lo - 3) : hi + 4]
    return any(t.mention < 0 and t.word[:6] in TRIGGER_STEMS for t in window)


def _classify(model: _Model, features: list[str]) -> tuple[str, float]:
    """The most probable class and its probability (softmax over summed feature weights)."""
    totals = [0.0] * len(model.classes)
    for feature in features:
        weights = model.weights.get(feature)
        if weights is not None:
            for k, w in enumerate(weights):
                totals[k] += w
    top = max(totals)
    exps = [math.exp(t - top) for t in totals]
    best = max(range(len(exps)), key=lambda k: (exps[k], -k))
    return model.classes[best], exps[best] / sum(exps)
