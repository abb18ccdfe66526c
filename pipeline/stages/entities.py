"""Find biomedical entity mentions (six labels) and abbreviation definitions.

The stage is a small spaCy pipeline kept entirely inside this module: two statistical NER models
(``_ner_model``: COMPOUND/CONDITION and PROTEIN, trained by ``scripts/train_ner.py``), a
dictionary lookup against the lexicon (built by ``scripts/build_lexicon.py``), a token ``Matcher``
for receptor, pathway and process names (``_entity_patterns``), and Schwartz–Hearst abbreviation
definitions (``_abbreviations``). Every candidate becomes a plain ``Candidate`` in one adapter, and
only plain :class:`~pipeline.document.Span` objects leave the stage.

Model and lexicon, the precedence: for COMPOUND, CONDITION and PROTEIN the models decide the
boundaries, except that a longer lexicon hit containing model mentions replaces them ("lithium
carbonate" over "lithium"). Other lexicon hits of those labels that overlap a model mention are
dropped; the model
mention takes its ID from the lexicon (the same span and label, else a lookup of its text); a
lexicon hit no model mention overlaps stays, as a lower-scored ``lexicon`` mention. PATHWAY,
PROCESS and ANATOMY come from the lexicon and the patterns only. Scores: 0.95 where model and
lexicon agree on span and label, 0.85 for a model mention alone, then the lexicon and pattern
scores below. Model mentions that cannot be entities are dropped first (``_entity_filter``: a
possessive of a common noun, no letter, a sentence end inside), and so is a model mention without
any vocabulary ID that is an everyday English word ("tolerate" as a compound).

Overlaps are then resolved in one place (``_resolve``):

1. the longest mention wins ("treatment-resistant depression" over "depression", "mTOR pathway"
   over "mTOR", "AMPA receptors" over "AMPA");
2. for the same span, the method decides: abbreviation > pattern > model > lexicon (a definition in the
   document, then a rule reading the context, beat a context-free dictionary hit: "NMDA" before
   "antagonism" is the receptor, not the chemical);
3. then the higher score (two models giving one span different labels: the label the lexicon
   confirms wins, so "psilocybin" stays a COMPOUND when the gene model also tags it);
4. then the label: PATHWAY > PROTEIN > PROCESS > ANATOMY > CONDITION > COMPOUND;
5. then the earlier start.

IDs: compounds and conditions prefer MeSH. A mention the lexicon names only from DrugBank or ChEBI,
or not at all, takes the MeSH concept of its singular/plural or the one BC5CDR's curators gave the
same mention in training (``_mesh_mentions``), before abbreviations copy the long form's norm.

Abbreviations: a short form defined next to a long form that is an entity takes the long form's
label and norm everywhere in the document (method ``abbreviation``); when the long form is not an
entity, any lexicon hit of the short form stands.

Mentions inside journal names, URLs, DOIs, PMIDs and publisher names (from the metadata and
citation layers) are dropped: "Nature Reviews Drug Discovery" names a journal, not a drug.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Iterable

from .. import layers as L
from .._spacy import attribute_ids, import_spacy, keep_lexeme_attributes
from ..document import Document, Span
from . import _entity_patterns as P
from ._abbreviations import find_definitions
from ._entity_filter import generic_words, is_generic_word, malformed_reason
from ._lexicon import Concept, Lexicon, load_lexicon
from ._mesh_mentions import load_mesh_mentions, mesh_concept
from ._ner_model import ModelSpan, find_mentions, load_models

METHOD_RANK = {"abbreviation": 0, "pattern": 1, "model": 2, "lexicon": 3}
#: Labels whose boundaries the NER models decide.
MODEL_LABELS = frozenset({"COMPOUND", "CONDITION", "PROTEIN"})
#: Labels found by the lexicon and patterns only (docs/annotation-guideline.md).
MECHANISM_LABELS = frozenset({"PATHWAY", "PROCESS", "ANATOMY"})
LABEL_RANK = {label: i for i, label in enumerate(("PATHWAY", "PROTEIN", "PROCESS", "ANATOMY", "CONDITION", "COMPOUND"))}
#: Confidence by how a mention was found: a case-insensitive or symbol hit is less certain.
SCORES = {"lower": 0.9, "exact": 0.9, "symbol": 0.8, "pattern": 0.75, "model": 0.85, "model+lexicon": 0.95, "model-no-id": 0.6}
#: Lexicon hits of model labels that no model mention confirms score lower; the labels listed
#: here keep them (measured on the dev splits: see docs/entities.md).
UNCONFIRMED_SCORE = 0.6
KEEP_UNCONFIRMED = frozenset({"COMPOUND", "CONDITION", "PROTEIN"})

#: Metadata fields and citation evidence fields whose text is never an entity mention.
#: Author names too: "Duman RS" is a person, and "RS" is not a condition.
SKIP_METADATA = frozenset({"journal", "publisher", "url", "doi", "pmid", "pmcid", "author"})
SKIP_EVIDENCE = frozenset({"journal", "publisher", "url", "doi", "pmid", "pmcid", "author", "authors"})
_URL_RE = re.compile(r"\bhttps?://\S+|\bwww\.\S+|\b10\.\d{4,9}/\S+")


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    label: str
    norm: Concept | None
    method: str
    score: float

    def rank(self) -> tuple:
        return (self.start - self.end, METHOD_RANK[self.method], -self.score, LABEL_RANK[self.label], self.start)


@dataclass(frozen=True)
class _Engine:
    nlp: Any
    matcher: Any
    lexicon: Lexicon
    gene_like_flag: int  # lexeme flag of the blank pipeline's vocabulary: the word is P.GENE_LIKE


@lru_cache(maxsize=1)
def _engine() -> _Engine:
    """Load spaCy, the patterns and the lexicon once per process."""
    spacy = import_spacy()
    from spacy.matcher import Matcher

    nlp = spacy.blank("en")
    nlp.max_length = 10**8  # only the tokenizer runs: no parser or NER memory to bound
    matcher = Matcher(nlp.vocab, validate=False)  # flag IDs are not in the Matcher's schema
    flagged = P.with_lexeme_flags(nlp.vocab, P.PATTERNS)
    for name, patterns in flagged.items():
        matcher.add(name, patterns, greedy="LONGEST")
    gene_like = re.compile(P.GENE_LIKE)
    gene_like_flag = nlp.vocab.add_flag(lambda word: gene_like.match(word) is not None)
    # the Matcher reads the flags and the few word attributes the patterns name (LOWER, IS_LOWER);
    # nothing else reads this vocabulary's words, so the other 21 English getters need not run
    read = {key for alternatives in flagged.values() for pattern in alternatives for spec in pattern for key in spec}
    keep_lexeme_attributes(nlp.vocab, attribute_ids(read) | {gene_like_flag})
    load_models()
    load_mesh_mentions()
    generic_words()
    return _Engine(nlp, matcher, load_lexicon(), gene_like_flag)


def extract_entities(doc: Document) -> dict[str, list[Span]]:
    """Entity mentions and abbreviation definitions of ``doc``."""
    engine = _engine()
    text = doc.text
    blocked = _blocked_mask(doc)
    lexicon_hits = [c for c in _lexicon_candidates(engine.lexicon, text) if not _inside(c, blocked)]
    lexicon_hits = _merge_model(engine.lexicon, text, lexicon_hits, blocked)
    pattern_hits = [c for c in _pattern_candidates(engine, text, _resolve(lexicon_hits)) if not _inside(c, blocked)]
    entities = _resolve(_patterns_beat_model(lexicon_hits, pattern_hits) + pattern_hits)
    entities = [_prefer_mesh(engine.lexicon, text, c) for c in entities]

    definitions = find_definitions(text)
    abbreviation_hits = [c for c in _abbreviation_candidates(text, definitions, entities) if not _inside(c, blocked)]
    if abbreviation_hits:
        entities = _resolve(entities + abbreviation_hits)
    return {
        L.ENTITIES: [_to_span(c) for c in entities],
        L.ABBREVIATIONS: [
            Span(d.short_start, d.short_end, "abbreviation",
                 {"long": text[d.long_start : d.long_end], "long_start": d.long_start, "long_end": d.long_end})
            for d in definitions
        ],
    }


# ------------------------------------------------------------------------------ candidates
def _lexicon_candidates(lexicon: Lexicon, text: str) -> list[Candidate]:
    """Lexicon hits, less symbol matches that are capitalised everyday words ("March" for the
    syndrome MARCH). Gene symbols keep them: mouse genes are written so ("Slap")."""
    return [
        Candidate(h.start, h.end, h.concept.label, h.concept, "lexicon", SCORES[h.mode])
        for h in lexicon.find(text)
        if h.mode != "symbol" or h.concept.label == "PROTEIN" or not is_generic_word(text[h.start : h.end])
    ]


def _merge_model(lexicon: Lexicon, text: str, lexicon_hits: list[Candidate], blocked: bytearray) -> list[Candidate]:
    """Model mentions with lexicon IDs, plus the lexicon hits the precedence keeps (see docstring)."""
    model = [m for m in find_mentions(text) if m.label in MODEL_LABELS]
    model = [m for m in model if not _inside(m, blocked) and not _is_trap(text, m.start, m.end)
             and malformed_reason(text[m.start : m.end]) is None]
    lexicon_hits = [c for c in lexicon_hits if c.label not in MODEL_LABELS or not _is_trap(text, c.start, c.end)]
    model, longer_hits = _longer_lexicon_hits_win(model, [c for c in lexicon_hits if c.label in MODEL_LABELS])
    covered = bytearray(len(text))
    for m in model:
        covered[m.start : m.end] = b"\x01" * (m.end - m.start)
    by_span = {(c.start, c.end, c.label): c for c in lexicon_hits}
    out = list(longer_hits)
    model = [_relabel_by_lexicon(m, text, by_span) for m in model]
    compounds = sorted((m.start, m.end) for m in model if m.label == "COMPOUND")
    for m in model:
        m = _relabel_by_lexicon(m, text, by_span, compounds)  # again, now that list neighbours are known
        same = by_span.get((m.start, m.end, m.label))
        norm = same.norm if same else _lookup_norm(lexicon, text[m.start : m.end], m.label)
        if norm is None and is_generic_word(text[m.start : m.end]):
            continue  # an everyday word no vocabulary knows ("tolerate" as a compound): see _entity_filter
        # a model mention no vocabulary knows is the least certain kind: it stays, for new drug
        # names are exactly that, but with a score that flags it for review
        score = SCORES["model+lexicon" if same else "model" if norm is not None else "model-no-id"]
        out.append(Candidate(m.start, m.end, m.label, norm, "model", score))
    for c in lexicon_hits:
        if c.label not in MODEL_LABELS:
            out.append(c)
        elif c.label in KEEP_UNCONFIRMED and not _inside(c, covered) and c not in longer_hits:
            out.append(Candidate(c.start, c.end, c.label, c.norm, c.method, min(c.score, UNCONFIRMED_SCORE)))
    return out


def _prefer_mesh(lexicon: Lexicon, text: str, c: Candidate) -> Candidate:
    """Compounds and conditions named from DrugBank or ChEBI, or not at all, get their MeSH concept
    when one is known (see _mesh_mentions); an ID-less model mention that gains one scores as a model
    mention with an ID."""
    norm = mesh_concept(lexicon, text[c.start : c.end], c.label, c.norm)
    if norm is c.norm:
        return c
    score = SCORES["model"] if c.method == "model" and c.norm is None else c.score
    return replace(c, norm=norm, score=score)


def _patterns_beat_model(candidates: list[Candidate], pattern_hits: list[Candidate]) -> list[Candidate]:
    """Drop chemical/disease-model mentions that overlap a pattern mention: the rules read receptor,
    pathway and process names more reliably than a model that never saw them ("Neurogenesis declines"
    is no disease). Gene-model mentions stay: on BC2GM dev their receptor spans beat the patterns'."""
    if not pattern_hits:
        return candidates
    spans = [(p.start, p.end) for p in pattern_hits]
    return [c for c in candidates
            if c.method != "model" or c.label == "PROTEIN" or not any(s < c.end and c.start < e for s, e in spans)]


#: "psilocybin and LSD", "MDMA, LSD": the words that join the items of a list.
_COORDINATION = re.compile(r"\s*(?:,\s*(?:and|or)?|and|or|/)\s*", re.IGNORECASE)


def _coordinated_with(start: int, end: int, text: str, others) -> bool:
    """Whether [start, end) and one of ``others`` are neighbouring items of one list."""
    index = bisect_left(others, (start, end))
    before = others[index - 1] if index > 0 else None
    after = others[index] if index < len(others) else None
    return bool(
        (before is not None and _COORDINATION.fullmatch(text[before[1] : start]))
        or (after is not None and after[0] >= end and _COORDINATION.fullmatch(text[end : after[0]]))
    )


def _relabel_by_lexicon(m, text: str, by_span: dict, compounds: list[tuple[int, int]] = ()):
    """Correct a model's label where the model never learnt the label the lexicon gives that exact span.

    The gene model learnt from BC2GM, which leaves chemicals unmarked, so it cannot tell a drug
    name from a gene name ("psilocybin"); the chemical/disease model never saw genes, so it calls
    gene symbols diseases ("BDNF"). A gene-model mention the lexicon knows only as a COMPOUND, if a
    plain word (letters, no inner capitals: the lexicon's compounds include peptide hormones and
    symbols such as "ACTH" that BC2GM counts as genes), becomes a COMPOUND; a chemical/disease-model
    mention the lexicon knows only as a PROTEIN becomes a PROTEIN. Any gene-model mention the lexicon
    knows only as a COMPOUND also becomes one when it is an item of a list with compounds
    ("psilocybin and LSD"): the combined model, which reads all three labels, calls some drug
    abbreviations genes.
    """
    def lexicon_only(label: str) -> bool:
        return (m.start, m.end, label) in by_span and (m.start, m.end, m.label) not in by_span

    if m.label == "PROTEIN":
        word = text[m.start : m.end]
        if word.isalpha() and word[1:].islower() and lexicon_only("COMPOUND"):
            return ModelSpan(m.start, m.end, "COMPOUND", m.model)
        # a symbol the lexicon knows only as a compound, listed with compounds ("psilocybin and LSD")
        if lexicon_only("COMPOUND") and _coordinated_with(m.start, m.end, text, compounds):
            return ModelSpan(m.start, m.end, "COMPOUND", m.model)
    elif lexicon_only("PROTEIN"):
        return ModelSpan(m.start, m.end, "PROTEIN", m.model)
    return m


def _longer_lexicon_hits_win(model: list, hits: list[Candidate]) -> tuple[list, list[Candidate]]:
    """A lexicon hit that contains the model mentions it overlaps, and is longer, replaces them.

    On BC5CDR dev such a hit is the gold span about seven times as often as the shorter model
    mention ("lithium carbonate" over "lithium"); where the model mention is the longer one, the
    model is right about three times as often, so it keeps its span.
    """
    dropped: set = set()
    winners = []
    # mentions by start, so each hit looks only at those that can reach it (was hits x mentions:
    # 0.7 s of CPU on a 74,000-word article, growing with the square of the length)
    ordered = sorted(model, key=lambda m: m.start)
    starts = [m.start for m in ordered]
    longest = max((m.end - m.start for m in ordered), default=0)
    for hit in hits:
        reach = ordered[bisect_left(starts, hit.start - longest) : bisect_left(starts, hit.end)]
        overlapping = [m for m in reach if hit.start < m.end]
        if overlapping and all(hit.start <= m.start and m.end <= hit.end and (m.start, m.end) != (hit.start, hit.end) for m in overlapping):
            dropped.update(overlapping)
            winners.append(hit)
    return [m for m in model if m not in dropped], winners


def _lookup_norm(lexicon: Lexicon, mention: str, label: str) -> Concept | None:
    """The lexicon concept of a model mention: its text under each match mode, same label only;
    then its plural ("estrogen" -> MeSH "Estrogens") or singular."""
    for mode in ("exact", "symbol", "lower"):
        concept = lexicon.lookup(mention, mode)
        if concept is not None and concept.label == label:
            return concept
    variants = [mention + "s", mention[:-1]] if mention.endswith("s") and len(mention) > 4 else [mention + "s"]
    for variant in variants:
        concept = lexicon.lookup(variant, "lower")
        if concept is not None and concept.label == label:
            return concept
    for hit in lexicon.find(mention):
        if hit.start == 0 and hit.end == len(mention) and hit.concept.label == label:
            return hit.concept
    return None


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from spacy.lang.en.stop_words import STOP_WORDS  # spaCy loads with the engine, not at import

    return frozenset(STOP_WORDS)


_NUMBER_HYPHEN_BEFORE = re.compile(r"\d[-\u2010\u2011]$")


def _is_trap(text: str, start: int, end: int) -> bool:
    """Mentions that are never entities (``NOT_ENTITIES``, English stop words such as "CAN"), and a short capitalised piece the fine
    tokenizer cut from a number-hyphen name (the "HT" of "5-HT")."""
    mention = text[start:end]
    if mention.lower() in P.NOT_ENTITIES or mention.lower() in _stop_words():
        return True
    return len(mention) <= 3 and mention.isupper() and bool(_NUMBER_HYPHEN_BEFORE.search(text[max(0, start - 2) : start]))


def _pattern_candidates(engine: _Engine, text: str, lexicon_entities: list[Candidate]) -> list[Candidate]:
    """Run the token patterns on the windows around their trigger words.

    Every pattern needs one of a few head words (receptor, pathway, plasticity, ...), so only the
    text around those is tokenised: the stage stays fast on long documents.
    """
    out = []
    starts = [c.start for c in lexicon_entities]  # lexicon_entities are resolved: in text order
    for w_start, w_end in _pattern_windows(text):
        first, last = bisect_left(starts, w_start), bisect_left(starts, w_end)
        inside = [c for c in lexicon_entities[first:last] if c.end <= w_end]
        out += _window_candidates(engine, text, w_start, w_end, inside)
    return out


def _pattern_windows(text: str) -> list[tuple[int, int]]:
    """Merged windows (whole lines, at most ~200 characters each side) around pattern triggers."""
    windows: list[tuple[int, int]] = []
    for t_start, t_end in P.trigger_spans(text):
        start = max(text.rfind("\n", 0, t_start) + 1, t_start - 200)
        end = text.find("\n", t_end)
        end = min(len(text) if end == -1 else end, t_end + 200)
        start = _snap_back(text, start, t_start)
        end = _snap_forward(text, end, t_end)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
        else:
            windows.append((start, end))
    return windows


def _snap_back(text: str, start: int, limit: int) -> int:
    """Move a window start to just after whitespace so no word is cut."""
    while start > 0 and start < limit and not text[start - 1].isspace():
        start += 1
    return start


def _snap_forward(text: str, end: int, limit: int) -> int:
    while end < len(text) and end > limit and not text[end].isspace():
        end -= 1
    return end


def _window_candidates(engine: _Engine, text: str, w_start: int, w_end: int, lexicon_entities: list[Candidate]) -> list[Candidate]:
    sdoc = engine.nlp.make_doc(text[w_start:w_end])
    _set_bio_ents(sdoc, [(c.start - w_start, c.end - w_start, c.label) for c in lexicon_entities], engine.gene_like_flag)
    out = []
    for match_id, start, end in engine.matcher(sdoc):
        name = engine.nlp.vocab.strings[match_id]
        label = name.split("_", 1)[0]
        if name in P.FIRST_TOKEN_ONLY:
            end = start + 1
        elif name in P.LAST_TOKEN_ONLY:
            start = end - 1
        elif name in P.SKIP_FIRST_TOKEN:
            start += 1
        span = sdoc[start:end]
        s, e = w_start + span.start_char, w_start + span.end_char
        if name in P.YIELD_TO_MODEL and any(
            (c.method == "model" and c.start < e and s < c.end) or (c.start, c.end, c.label) == (s, e, label)
            for c in lexicon_entities
        ):
            continue  # "renal cell" in the model's "renal cell carcinoma"; or the lexicon has it already
        out.append(Candidate(s, e, label, _pattern_norm(engine.lexicon, text[s:e], label, name), "pattern", SCORES["pattern"]))
    return out


def _set_bio_ents(sdoc: Any, lexicon_entities: list[tuple[int, int, str]], gene_like_flag: int) -> None:
    """Expose PROTEIN/COMPOUND lexicon hits and gene-like tokens to the Matcher as entities."""
    from spacy.tokens import Span as SpacySpan
    from spacy.util import filter_spans

    spans = []
    for start, end, label in lexicon_entities:
        if label in P.CONTEXT_ENT_TYPES:
            span = sdoc.char_span(start, end, label=label, alignment_mode="contract")
            if span is not None and len(span):
                spans.append(span)
    taken = {i for span in spans for i in range(span.start, span.end)}
    # the flag is computed once per word of the vocabulary; reading it as an array spares a Python
    # Token object per token (most of this function's time when it looped over the tokens)
    for i in sdoc.to_array([gene_like_flag]).nonzero()[0].tolist():
        if i not in taken:
            spans.append(SpacySpan(sdoc, i, i + 1, label="SYMBOL"))
    sdoc.ents = filter_spans(spans)


def _pattern_norm(lexicon: Lexicon, mention: str, label: str, pattern: str) -> Concept | None:
    """The lexicon concept of a pattern mention, when the lexicon knows it under the same label."""
    queries = [mention]
    if pattern == "PROTEIN_ligand_named_receptor":
        queries = [f"{mention} receptor", f"{mention} receptors"]
    for query in queries:
        for mode in ("lower", "symbol", "exact"):
            concept = lexicon.lookup(query, mode)
            if concept is not None and concept.label == label:
                return concept
    return None


def _abbreviation_candidates(text: str, definitions, entities: list[Candidate]) -> list[Candidate]:
    """Every occurrence of a short form whose long form is an entity takes that entity's label."""
    by_span = {(c.start, c.end): c for c in entities}
    by_end = {c.end: c for c in entities}
    meaning: dict[str, Candidate] = {}
    for d in definitions:
        long_entity = by_span.get((d.long_start, d.long_end))
        if long_entity is None:  # "Human amnion mesenchymal cells (hAMCs)": the entity ends the long form
            long_entity = by_end.get(d.long_end)
            if long_entity is None or long_entity.start < d.long_start or long_entity.label not in MECHANISM_LABELS:
                continue
        short = text[d.short_start : d.short_end]
        meaning.setdefault(short, long_entity)  # the first definition holds
        if long_entity.label in MECHANISM_LABELS and len(short) > 3 and short.endswith("s"):
            meaning.setdefault(short[:-1], long_entity)  # "NSCs" defined, "NSC" used as a modifier
    if not meaning:
        return []
    # One pass over the text for all short forms; longer forms first so "DMNs" is not cut to "DMN".
    alternatives = "|".join(re.escape(short) for short in sorted(meaning, key=lambda s: (-len(s), s)))
    out = []
    for m in re.finditer(rf"(?<![\w-])(?:{alternatives})(?![\w-])", text):
        entity = meaning[m.group()]
        out.append(Candidate(m.start(), m.end(), entity.label, entity.norm, "abbreviation", entity.score))
    return out


# ------------------------------------------------------------------------------ overlaps
def _resolve(candidates: list[Candidate]) -> list[Candidate]:
    """Keep non-overlapping candidates by the precedence in the module docstring; text order."""
    if not candidates:
        return []
    occupied = bytearray(max(c.end for c in candidates))
    kept = []
    for c in sorted(set(candidates), key=_rank_key):
        if c.end > c.start and occupied.find(1, c.start, c.end) == -1:
            occupied[c.start : c.end] = b"\x01" * (c.end - c.start)
            kept.append(c)
    return sorted(kept, key=lambda c: (c.start, c.end))


def _rank_key(c: Candidate) -> tuple:
    """A total order (every field of the candidate), so the winner never depends on set order."""
    norm = (c.norm.db, c.norm.id) if c.norm else ("", "")
    return (*c.rank(), -c.score, norm, c.end)


# ------------------------------------------------------------------------------ blocked text
def _blocked_mask(doc: Document) -> bytearray:
    """One byte per character, 1 inside journal names, URLs, DOIs, PMIDs and publishers."""
    regions = [(s.start, s.end) for s in doc.layer(L.METADATA) if s.label in SKIP_METADATA]
    for citation in doc.layer(L.CITATIONS):
        for ev in citation.get("evidence", ()) or ():
            if ev.get("field") in SKIP_EVIDENCE:
                regions.append((ev["start"], ev["end"]))
    regions += [(m.start(), m.end()) for m in _URL_RE.finditer(doc.text)]
    mask = bytearray(len(doc.text))
    for start, end in regions:
        mask[start:end] = b"\x01" * (end - start)
    return mask


def _inside(c, mask: bytearray) -> bool:
    return mask.find(1, c.start, c.end) != -1


# ------------------------------------------------------------------------------ adapter out
def _to_span(c: Candidate) -> Span:
    norm = {"db": c.norm.db, "id": c.norm.id, "name": c.norm.name} if c.norm else None
    return Span(c.start, c.end, c.label, {"norm": norm, "method": c.method, "score": c.score})
