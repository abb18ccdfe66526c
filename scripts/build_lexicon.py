"""Build the starter entity lexicon, pipeline/data/lexicon.tsv.gz, from ../shared/data/lexicons.

Run ``python scripts/build_lexicon.py`` from anywhere; it reads the derived TSVs next to the
repository (``<repo>/../shared/data``) and writes a sorted, gzip'd (mtime 0) TSV so that the same
inputs always give the same bytes, and ``pipeline/data/LEXICON.md`` describing sources, licences,
input hashes and counts. ``tests/test_lexicon_build.py`` checks the committed files are what this
script produces.

Choices (a starter lexicon; the entity issue makes it accurate):
- Each source file maps to one label (MeSH by tree number). See SOURCES below.
- Every term gets a match mode (see pipeline/stages/_lexicon.py): case-insensitive by default,
  case-sensitive for short all-caps forms that are English words, "symbol" for other short forms.
- Terms of one or two characters, pure numbers, common English words and generic words are
  dropped; "English word" means a stop word (spaCy) or a word used in lower case in the news
  articles of ../shared/data/web/scrapinghub (general English, no biomedical vocabulary); a concept's
  own single-word preferred name is kept unless it is on the curated ambiguity list.
- MeSH inverted entry terms ("Receptors, AMPA") are turned into natural order ("AMPA Receptors").
- Where several concepts share a key, the label precedence and then the source priority decide,
  so every key maps to exactly one concept. A PATHWAY concept wins a key over PROCESS and ANATOMY
  only when the term itself names a pathway (a head such as *signalling, pathway, cascade, axis*, or
  a metabolic pathway word such as "glycolysis"): Reactome's top-level names "Immune System",
  "Apoptosis" and "Gene expression" are an organ system and processes in prose.
- PATHWAY, PROCESS and ANATOMY follow docs/annotation-guideline.md: body fluids and samples
  ("blood", "urine") are not ANATOMY, generic words ("membrane", "signaling", "extracellular") are
  not mentions, Reactome event names ("ERK activation") are not pathways, and GO processes named
  "... signaling pathway / cascade" are PATHWAYs. Anatomy terms also match in the plural ("eyes").
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipeline.stages._lexicon import MAX_KEY_PIECES, MODES, longest_by_first, term_key  # noqa: E402

DATA = REPO.parent / "shared" / "data"
LEXICONS = DATA / "lexicons"
NEWS = DATA / "web" / "scrapinghub" / "ground_truth.jsonl"
OUT = REPO / "pipeline" / "data" / "lexicon.tsv.gz"
DOC = REPO / "pipeline" / "data" / "LEXICON.md"

#: Which label wins when two concepts of different labels share a key (first wins).
LABEL_PRECEDENCE = ("CONDITION", "COMPOUND", "PROTEIN", "PATHWAY", "PROCESS", "ANATOMY")
#: Which source wins within a label (first wins); also the order of the licence table.
DB_PRIORITY = ("MESH", "HGNC", "CHEBI", "DRUGBANK", "FPLX", "REACTOME", "GO", "DOID", "UBERON", "PATHWAYCOMMONS")
#: Per-label exceptions to DB_PRIORITY: gene symbols and names normalise to HGNC first, processes to GO.
LABEL_DB_PRIORITY = {"PROTEIN": ("HGNC", "FPLX", "MESH"), "PROCESS": ("GO", "MESH", "REACTOME", "PATHWAYCOMMONS")}
#: Terms that name a pathway by their wording (see select_entries): a pathway head word, or a
#: metabolic pathway ("glycolysis", "gluconeogenesis", "lipolysis", "beta-oxidation").
PATHWAY_WORDING = re.compile(
    r"(?i)\b(?:signal(?:l)?ing|pathways?|cascades?|axis|cycle|shunt|oxidation)\b"
    r"|\b(?:glyc|gluc|glycogen|lip|ket|steroid)\w*(?:lysis|genesis)\b"
)
#: GO biological processes named so are pathways ("MAPK cascade", "TOR signaling").
GO_PATHWAY_NAME = re.compile(r"(?:signal(?:l)?ing(?: pathway)?|pathway|cascade)$")
#: Reactome/Pathway Commons names ending in an event word name a reaction, not a pathway in prose.
PATHWAY_EVENT_END = re.compile(r"(?i)\b(?:activation|binding|formation|degradation|transport|uptake|release|"
                               r"phosphorylation|dephosphorylation|recruitment|translocation|dissociation)$")
#: Never PATHWAY, PROCESS or ANATOMY mentions (docs/annotation-guideline.md): generic words, body
#: fluids and samples, GO's catch-all components, and "pathogenesis" (a disease's course).
NOT_MECHANISM_TERMS = frozenset({
    "signaling", "signalling", "transduction", "signal transduction", "signaling pathway", "signaling pathways",
    "membrane", "membranes", "extracellular", "intracellular", "extracellular region", "intracellular region",
    "cellular component", "cellular components", "cell part", "cell periphery", "pathogenesis",
    "blood", "urine", "serum", "plasma", "blood plasma", "saliva", "sweat", "bile", "milk", "tears", "lymph",
    "semen", "mucus", "feces", "faeces", "cerebrospinal fluid", "body fluid", "transmembrane",
})
_NOT_MECHANISM_KEYS = frozenset(term_key(t, "lower") for t in NOT_MECHANISM_TERMS)  # "signalling pathway" too
MECHANISM_LABELS = frozenset({"PATHWAY", "PROCESS", "ANATOMY"})

#: A lower-case word used at least this often in the news corpus counts as general English.
ENGLISH_MIN_COUNT = 3

LICENCES = {
    "MESH": "MeSH (NLM): free to use with attribution",
    "HGNC": "HGNC: freely available",
    "CHEBI": "ChEBI: CC BY 4.0",
    "DRUGBANK": "DrugBank open vocabulary: CC0 (DrugBank's statement)",
    "FPLX": "FamPlex: CC0 1.0",
    "REACTOME": "Reactome: CC BY 4.0 / CC0",
    "GO": "Gene Ontology: CC BY 4.0",
    "DOID": "Disease Ontology: CC0",
    "UBERON": "Hetionet (UBERON anatomy): CC0 / CC BY 3.0 per source",
    "PATHWAYCOMMONS": "Hetionet (Pathway Commons): source licences vary",
}

#: Words that are biomedical vocabulary entries but mostly used in another sense in prose.
AMBIGUOUS = {
    "aim", "aims", "can", "set", "impact", "therapy", "therapies", "reference", "study", "studies", "link",
    "data", "cell", "cells", "lead", "drug", "drugs", "agent", "agents", "factor", "factors", "protein",
    "proteins", "gene", "genes", "disease", "diseases", "disorder", "disorders", "syndrome", "condition",
    "conditions", "symptom", "symptoms", "treatment", "response", "process", "pathway", "signal", "signaling",
    "activity", "function", "growth", "control", "development", "regulation", "complex", "system", "network",
    "tissue", "body", "head", "water", "air", "light", "sleep", "stress", "behavior", "emotion", "emotions", "mood", "fear", "attention", "perception", "cognition",
    "thinking", "insight", "imaging", "ion", "ions", "acid", "salt", "salts", "sugar", "oil", "tin", "element",
    "metal", "metals", "base", "bases", "mass", "weight", "volume", "rate", "level", "levels", "change",
    "death", "injury", "injuries", "lesion", "damage", "abuse", "use", "dependence", "tolerance",
    "withdrawal", "addiction", "habit", "reward", "arousal", "motivation", "anger", "joy", "happiness",
    "love", "grief", "guilt", "shame", "personality", "intelligence", "language", "speech", "reading",
    "writing", "vision", "hearing", "smell", "taste", "touch", "movement", "posture", "exercise",
    "rest", "cascade", "stigma", "cold", "heat", "fall", "falls",
    "doi", "pmid", "pmc", "pmcid", "usa", "us", "uk", "eu", "who", "nih", "fda", "ema", "url", "html",
    "pdf", "isbn", "issn", "ceo", "new", "all", "and", "for", "the", "not", "etc", "ci", "sd", "se",
    "sem", "or", "rr", "hr", "ct", "mri", "fmri", "pet", "eeg", "ecg", "ekg", "icu", "bmi", "iq", "pcr",
    "elisa", "anova", "spss", "iv", "im", "po", "dsm", "icd", "na", "ns", "nr", "nd", "au", "rct", "et",
    "al", "fig", "table", "vs", "min", "max", "mg", "kg", "ml", "ng", "nm", "mm", "cm", "am", "pm", "ok",
    "id", "tv", "pc", "it", "is", "as", "at", "be", "by", "he", "in", "me", "my", "no", "of", "on", "so",
    "to", "up", "we", "an", "if", "do", "go", "hi", "ad", "ms", "pd", "hd", "ed", "er", "or", "ra", "sa",
    "ltd", "inc", "co", "corp", "org", "com", "net", "www", "http", "https", "abstract", "introduction",
    "methods", "results", "discussion", "conclusion", "conclusions", "background", "objective",
    "human", "humans", "patient", "patients", "animal", "animals", "mouse", "mice", "rat", "rats",
    "male", "female", "men", "women", "child", "children", "adult", "adults", "age", "aging", "birth",
    "life", "health", "care", "medicine", "clinic", "hospital", "nature", "science", "cell press",
    "canada", "pubmed", "medline", "embase", "google", "internet", "media", "phase", "trial", "trials",
    "dose", "doses", "effect", "effects", "action", "actions", "mechanism", "mechanisms", "target",
    "targets", "receptor", "receptors", "channel", "channels", "enzyme", "enzymes", "kinase", "kinases",
    "hormone", "hormones", "peptide", "peptides", "lipid", "lipids", "metabolism", "binding", "transport",
    "secretion", "expression", "transcription", "translation", "synthesis", "uptake", "release",
    "localization", "signal transduction", "cell death", "defect", "defects", "normal", "abnormal",
    "positive", "negative", "high", "low", "early", "late", "acute", "chronic", "severe", "mild",
    "primary", "secondary", "general", "major", "minor", "total", "free", "active", "natural",
}


@dataclass(frozen=True)
class Candidate:
    label: str
    db: str
    id: str
    name: str
    term: str
    preferred: bool


def read_tsv(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def split_cell(cell: str | None, sep: str = "|") -> list[str]:
    return [s.strip() for s in (cell or "").split(sep) if s.strip()]


def natural_order(term: str) -> str | None:
    """MeSH inverted entry terms: "Receptors, AMPA" -> "AMPA Receptors"; None if not inverted."""
    parts = term.split(", ")
    if len(parts) == 2 and all(re.fullmatch(r"[\w'\-]+(?: [\w'\-]+)*", p) for p in parts):
        return f"{parts[1]} {parts[0]}"
    return None


def chemical_variants(term: str) -> list[str]:
    """General chemical name variants: "Glutamic Acid" -> "glutamate"; "glutamate(1-)" -> "glutamate"."""
    out = []
    stripped = re.sub(r"\((?:\d*[+-])\)$", "", term)
    if stripped != term:
        out.append(stripped)
    m = re.fullmatch(r"(?:L-|D-)?([A-Za-z]{4,})ic [Aa]cid", term)
    if m:
        out.append(m.group(1) + "ate")
    return out


# ---------------------------------------------------------------------------------- sources
def mesh_label(trees: list[str]) -> str | None:
    """Label of a MeSH D descriptor from its tree numbers (chemicals vs proteins vs classes)."""
    compound = ("D01", "D02", "D03", "D04", "D06", "D09", "D10", "D12.125", "D12.644", "D13")
    protein = ("D08", "D12.776")
    if any(t.startswith(compound) for t in trees) and not any(t.startswith("D12.776") for t in trees):
        return "COMPOUND"
    if any(t.startswith(protein) for t in trees):
        return "PROTEIN"
    return None


def mesh_terms(row: dict[str, str]) -> list[str]:
    terms = [row["name"]]
    for syn in split_cell(row["synonyms"]):
        natural = natural_order(syn)
        if natural:
            terms.append(natural)
        elif ", " not in syn:
            terms.append(syn)
    natural = natural_order(row["name"])
    if natural:
        terms.append(natural)
    return terms


def from_mesh(path: Path, label_of) -> list[Candidate]:
    out = []
    for row in read_tsv(path):
        trees = split_cell(row["tree_numbers"])
        label = label_of(trees)
        if label is None:
            continue
        for i, term in enumerate(mesh_terms(row)):
            out.append(Candidate(label, "MESH", row["mesh_id"], row["name"], term, i == 0))
            if label == "COMPOUND":
                out += [Candidate(label, "MESH", row["mesh_id"], row["name"], v, False) for v in chemical_variants(term)]
    return out


def from_hgnc(path: Path) -> list[Candidate]:
    out = []
    for row in read_tsv(path):
        cid, symbol = row["hgnc_id"], row["symbol"]
        out.append(Candidate("PROTEIN", "HGNC", cid, symbol, symbol, True))
        out.append(Candidate("PROTEIN", "HGNC", cid, symbol, row["name"], False))
        for alias in split_cell(row["alias_symbols"], ","):
            # Alias symbols are noisy; keep the symbol-like ones (a digit, or four or more characters).
            if re.search(r"\d", alias) or len(alias) >= 4:
                out.append(Candidate("PROTEIN", "HGNC", cid, symbol, alias, False))
    return out


def from_chebi(path: Path) -> list[Candidate]:
    out = []
    for row in read_tsv(path):
        if not row["has_role"]:  # entities with a role (drug, neurotransmitter, metabolite...) only
            continue
        name = row["name"]
        out.append(Candidate("COMPOUND", "CHEBI", row["chebi_id"], name, name, True))
        out += [Candidate("COMPOUND", "CHEBI", row["chebi_id"], name, v, False) for v in chemical_variants(name)]
    return out


def from_drugbank(path: Path) -> list[Candidate]:
    out = []
    for row in read_tsv(path):
        name = row["common_name"]
        out.append(Candidate("COMPOUND", "DRUGBANK", row["drugbank_id"], name, name, True))
        for syn in split_cell(row["synonyms"]):
            if syn.isascii():
                out.append(Candidate("COMPOUND", "DRUGBANK", row["drugbank_id"], name, syn, False))
    return out


def from_famplex(path: Path) -> list[Candidate]:
    out = []
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle):
            if len(row) >= 3 and row[1] == "FPLX":
                out.append(Candidate("PROTEIN", "FPLX", row[2], row[2].replace("_", " "), row[0], False))
    return out


def from_go(path: Path, pathway_ids: set[str]) -> list[Candidate]:
    out = []
    for row in read_tsv(path):
        namespace, gid = row["namespace"], row["go_id"]
        if namespace == "biological_process":
            label = "PATHWAY" if gid in pathway_ids or GO_PATHWAY_NAME.search(row["name"]) else "PROCESS"
        elif namespace == "cellular_component" and "complex" not in row["name"]:
            label = "ANATOMY"
        else:
            continue
        out.append(Candidate(label, "GO", gid, row["name"], row["name"], True))
        out += [Candidate(label, "GO", gid, row["name"], s, False) for s in split_cell(row["synonyms"])]
    return out


def go_pathway_ids(path: Path) -> set[str]:
    """GO signalling terms that name a pathway or cascade (the rest of that file stays PROCESS)."""
    return {r["go_id"] for r in read_tsv(path) if re.search(r"pathway|cascade|signal(l)?ing$", r["name"])}


def from_doid(path: Path) -> list[Candidate]:
    """Disease Ontology terms; a disease with a MeSH cross-reference is normalised to that MeSH ID
    (MeSH is what BC5CDR and most indexing use), keeping the Disease Ontology's name."""
    out = []
    for row in read_tsv(path):
        mesh = mesh_xref(row.get("xrefs"))
        db, cid = ("MESH", mesh) if mesh else ("DOID", row["doid"])
        out.append(Candidate("CONDITION", db, cid, row["name"], row["name"], True))
        out += [Candidate("CONDITION", db, cid, row["name"], s, False) for s in split_cell(row["synonyms"])]
    return out


def mesh_xref(xrefs: str | None) -> str | None:
    """The first MeSH descriptor ID among ``MESH:D...`` cross-references, or None."""
    for xref in split_cell(xrefs):
        if xref.startswith("MESH:D"):
            return xref[len("MESH:"):]
    return None


def prefer_mesh_compounds(candidates: list[Candidate]) -> list[Candidate]:
    """Move ChEBI/DrugBank compounds onto the MeSH descriptor that shares one of their names.

    A compound known to MeSH under any of the other source's names ("Glycopyrronium" is a
    DrugBank synonym of MeSH "Glycopyrrolate") takes the MeSH ID and name, so every term of the
    compound normalises to MeSH. Names shared by several MeSH descriptors are not used.
    """
    mesh_by_key: dict[tuple[str, ...], set[tuple[str, str]]] = {}
    for c in candidates:
        if c.db == "MESH" and c.label == "COMPOUND":
            mesh_by_key.setdefault(term_key(c.term, "lower"), set()).add((c.id, c.name))
    target: dict[tuple[str, str], tuple[str, str]] = {}
    for c in candidates:
        if c.label == "COMPOUND" and c.db in ("CHEBI", "DRUGBANK") and (c.db, c.id) not in target:
            found = mesh_by_key.get(term_key(c.term, "lower"))
            if found and len(found) == 1:
                target[(c.db, c.id)] = next(iter(found))
    out = []
    for c in candidates:
        moved = target.get((c.db, c.id)) if c.label == "COMPOUND" else None
        out.append(Candidate(c.label, "MESH", moved[0], moved[1], c.term, False) if moved else c)
    return out


def from_id_name(path: Path, label: str, db: str, id_prefix: str = "") -> list[Candidate]:
    rows = read_tsv(path)
    id_col, name_col = list(rows[0].keys())[:2] if rows else ("id", "name")
    return [Candidate(label, db, id_prefix + r[id_col], r[name_col], r[name_col], True) for r in rows]


def pathway_or_process(candidates: list[Candidate]) -> list[Candidate]:
    """Pathway-database entries not worded as a pathway are processes in prose: Reactome's
    "Apoptosis", "Reproduction", "Acetylation" (PATHWAY_WORDING; "Glycolysis" stays a pathway)."""
    return [c if PATHWAY_WORDING.search(c.term) else replace(c, label="PROCESS") for c in candidates]


def mental_or_neuro(_trees: list[str]) -> str:
    return "CONDITION"


def behavioural_symptom(trees: list[str]) -> str | None:
    return "CONDITION" if any(t.startswith("F01.145.126") for t in trees) else None


def constant(label: str):
    return lambda _trees: label


def sources() -> list[tuple[str, Path, object]]:
    d = LEXICONS / "derived"
    famplex = LEXICONS / "raw" / "famplex" / "grounding_map.csv"
    go_pathways = go_pathway_ids(d / "go_biological_process_signaling_pathways.tsv")
    return [
        ("MeSH D chemicals and drugs", d / "mesh_chemicals_drugs_D.tsv", lambda p: from_mesh(p, mesh_label)),
        ("MeSH F03 mental disorders", d / "mesh_mental_disorders_F03.tsv", lambda p: from_mesh(p, mental_or_neuro)),
        ("MeSH C10 nervous system diseases", d / "mesh_nervous_system_diseases_C10.tsv", lambda p: from_mesh(p, mental_or_neuro)),
        ("MeSH F01.145.126 behavioural symptoms", d / "mesh_behavior_mechanisms_F01.tsv", lambda p: from_mesh(p, behavioural_symptom)),
        ("MeSH A08 nervous system anatomy", d / "mesh_nervous_system_anatomy_A08.tsv", lambda p: from_mesh(p, constant("ANATOMY"))),
        ("MeSH G11.561 nervous system physiology", d / "mesh_physiological_phenomena_nervous_G11.561.tsv", lambda p: from_mesh(p, constant("PROCESS"))),
        ("MeSH G02.111.820/G04.835 signal transduction", d / "mesh_signal_transduction_G02.111.820_G04.835.tsv", lambda p: from_mesh(p, constant("PATHWAY"))),
        ("HGNC protein-coding genes", d / "hgnc_protein_coding_genes.tsv", from_hgnc),
        ("FamPlex grounding map (FPLX rows)", famplex, from_famplex),
        ("ChEBI (entities with a role)", d / "chebi_terms.tsv.gz", from_chebi),
        ("DrugBank open vocabulary", d / "drugbank_open_vocabulary.tsv", from_drugbank),
        ("GO biological process and cellular component", d / "go_terms.tsv", lambda p: from_go(p, go_pathways)),
        ("GO signalling pathway subset (labels GO terms PATHWAY)", d / "go_biological_process_signaling_pathways.tsv", lambda p: []),
        ("Reactome human pathways", d / "reactome_pathways_human.tsv", lambda p: pathway_or_process(from_id_name(p, "PATHWAY", "REACTOME"))),
        ("Hetionet pathways (Pathway Commons)", d / "hetionet_pathway.tsv", lambda p: pathway_or_process(from_id_name(p, "PATHWAY", "PATHWAYCOMMONS"))),
        ("Hetionet anatomy (UBERON)", d / "hetionet_anatomy.tsv", lambda p: from_id_name(p, "ANATOMY", "UBERON")),
        ("Hetionet symptoms (MeSH)", d / "hetionet_symptom.tsv", lambda p: from_id_name(p, "CONDITION", "MESH")),
        ("Disease Ontology", d / "doid_terms.tsv", from_doid),
    ]


# ---------------------------------------------------------------------------------- filtering
def english_words() -> set[str]:
    """Lower-case words of general English: spaCy stop words plus words of the news corpus."""
    from spacy.lang.en.stop_words import STOP_WORDS

    counts: Counter[str] = Counter()
    with open(NEWS, encoding="utf-8") as handle:
        for line in handle:
            body = json.loads(line)["articleBody"]
            counts.update(w for w in re.findall(r"\b[a-z]+\b", body))  # lower-case uses only
    return set(STOP_WORDS) | {w for w, n in counts.items() if n >= ENGLISH_MIN_COUNT}


_NO_LETTER = re.compile(r"[A-Za-z]")
_SPACE_OR_HYPHEN = re.compile(r"[\s\-]")
_SYSTEMATIC = re.compile(r"[\[\]{}]|\d,\d|\(\w*\)\(")  # IUPAC-like systematic names


def match_mode(term: str, english: set[str]) -> str | None:
    """The match mode of a term, or None when it must not be matched at all."""
    compact = _SPACE_OR_HYPHEN.sub("", term)
    if len(compact) <= 2 or compact.isdigit() or not _NO_LETTER.search(term):
        return None
    lower = term.lower()
    if lower in AMBIGUOUS:
        return None
    has_upper_inside = compact[1:] != compact[1:].lower()
    if len(compact) <= 5 and " " not in term and has_upper_inside:
        return "exact" if lower in english else "symbol"
    if " " not in term and "-" not in term and lower in english and len(compact) <= 4:
        return None  # "Can", "Set", "Aim": short capitalised or lower-case English words
    return "lower"


def keep_term(term: str) -> bool:
    return not ("|" in term or "\t" in term or len(term) > 80 or _SYSTEMATIC.search(term))


def keyed(term: str, english: set[str], cache: dict) -> tuple[str, tuple[str, ...]] | None:
    """(mode, key) of a term, or None when it is not matched; cached, as terms repeat across sources."""
    if term not in cache:
        mode = match_mode(term, english) if keep_term(term) else None
        key = term_key(term, mode) if mode else ()
        cache[term] = (mode, key) if key and len(key) <= MAX_KEY_PIECES else None
    return cache[term]


def label_rank(c: Candidate) -> int:
    """LABEL_PRECEDENCE, except that a pathway-database term not worded as a pathway ranks after
    ANATOMY ("Immune System" is UBERON's organ system before it is Reactome's pathway)."""
    if c.label == "PATHWAY" and not PATHWAY_WORDING.search(c.term):
        return len(LABEL_PRECEDENCE)
    if c.label == "PROCESS" and c.db in ("REACTOME", "PATHWAYCOMMONS"):  # see pathway_or_process
        return len(LABEL_PRECEDENCE)
    return LABEL_PRECEDENCE.index(c.label)


def is_mechanism_term(c: Candidate) -> bool:
    """False for PATHWAY/PROCESS/ANATOMY terms the guideline rules out; True for everything else."""
    if c.label not in MECHANISM_LABELS:
        return True
    if term_key(c.term, "lower") in _NOT_MECHANISM_KEYS:
        return False
    return not (c.label == "PATHWAY" and c.db in ("REACTOME", "PATHWAYCOMMONS") and PATHWAY_EVENT_END.search(c.term))


def anatomy_plurals(candidates: list[Candidate]) -> list[Candidate]:
    """Plural forms of ANATOMY terms ("eye" -> "eyes", "artery" -> "arteries"); the last word only."""
    out = []
    for c in candidates:
        if c.label != "ANATOMY" or not re.search(r"[a-z]$", c.term):
            continue
        plural = english_plural(c.term)
        if plural != c.term:
            out.append(Candidate(c.label, c.db, c.id, c.name, plural, c.preferred))
    return out


def english_plural(term: str) -> str:
    """A regular English plural of a term's last word; unchanged when it already looks plural or
    is a Latin/Greek form whose plural is irregular (-us, -um, -a, -is, -x, -ex)."""
    last = term.rsplit(" ", 1)[-1]
    if len(last) < 3 or re.search(r"(?:s|us|um|a|is|x|i|ae|ia)$", last):
        return term
    if re.search(r"[^aeiou]y$", last):
        return term[:-1] + "ies"
    if re.search(r"(?:ch|sh)$", last):
        return term + "es"
    return term + "s"


def select_entries(candidates: list[Candidate], english: set[str]) -> dict[tuple[str, tuple[str, ...]], Candidate]:
    """One concept per (mode, key): label precedence, then source priority, then preferred names."""
    def rank(c: Candidate) -> tuple:
        order = LABEL_DB_PRIORITY.get(c.label, DB_PRIORITY)
        return (label_rank(c), order.index(c.db), not c.preferred, c.id)

    chosen: dict[tuple[str, tuple[str, ...]], Candidate] = {}
    cache: dict = {}
    for c in candidates:
        if not is_mechanism_term(c):
            continue
        found = keyed(c.term, english, cache)
        if found is None:
            continue
        mode, key = found
        if len(key) == 1 and mode == "lower" and key[0] in english and not c.preferred:
            continue  # a synonym that is a common English word ("Angst", "Translation")
        old = chosen.get((mode, key))
        if old is None or rank(c) < rank(old):
            chosen[(mode, key)] = c
    return chosen


# ---------------------------------------------------------------------------------- output
def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def render(chosen, source_rows) -> tuple[bytes, str]:
    concepts = sorted({(c.label, c.db, c.id, c.name) for c in chosen.values()})
    index = {concept: i for i, concept in enumerate(concepts)}
    lines = ["# pipeline starter entity lexicon, built by scripts/build_lexicon.py from ../shared/data/lexicons; do not edit.",
             "# See pipeline/data/LEXICON.md for sources, licences, input hashes and the format."]
    lines += [f"# licence {db}: {LICENCES[db]}" for db in DB_PRIORITY]
    lines.append("@concepts")
    lines += ["\t".join(concept) for concept in concepts]
    for mode in MODES:
        keys = sorted((" ".join(key), index[(c.label, c.db, c.id, c.name)]) for (m, key), c in chosen.items() if m == mode)
        lines.append(f"@{mode}")
        lines += [f"{key}\t{i}" for key, i in keys]
        lines.append(f"@longest {mode}")
        lines += [f"{first}\t{n}" for first, n in sorted(longest_by_first(k for k, _ in keys).items())]
    text = "\n".join(lines) + "\n"
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="lexicon.tsv", mode="wb", fileobj=buffer, mtime=0, compresslevel=6) as gz:
        gz.write(text.encode("utf-8"))
    data = buffer.getvalue()

    label_counts = Counter(label for label, _, _, _ in concepts)
    key_counts = Counter(c.label for c in chosen.values())
    doc = ["# Starter entity lexicon", "",
           "`lexicon.tsv.gz` is built by `python scripts/build_lexicon.py` from `../shared/data/lexicons`",
           "(see that folder's PROVENANCE.md). Do not edit it by hand; rebuild it. The build is deterministic",
           "(sorted rows, gzip mtime 0) and `tests/test_lexicon_build.py` checks the committed files match.", "",
           "Format (UTF-8 text, gzip): `#` header lines, then sections opened by `@name` lines:",
           "`@concepts` (`label, db, id, name`; the row number is the concept's index), one `@<mode>` section per",
           "match mode (`key, concept index`; a key is the term's word pieces joined by spaces) and a",
           "`@longest <mode>` section (first piece, pieces in its longest key). The match modes and key rules are",
           "in `pipeline/stages/_lexicon.py`.", "",
           "## Licences", "", "| db | licence |", "|---|---|"]
    doc += [f"| {db} | {LICENCES[db]} |" for db in DB_PRIORITY]
    doc += ["", "DrugBank *xrefs* elsewhere in ../shared/data are CC BY-NC; this lexicon uses only the CC0 open vocabulary.", "",
            "## Inputs", "", "| source | file | sha256 | candidate terms |", "|---|---|---|---|"]
    doc += [f"| {name} | `{rel}` | `{digest}` | {n} |" for name, rel, digest, n in source_rows]
    doc += ["", "## Counts", "", "| label | concepts | keys |", "|---|---|---|"]
    doc += [f"| {label} | {label_counts[label]} | {key_counts[label]} |" for label in LABEL_PRECEDENCE]
    doc += [f"| total | {sum(label_counts.values())} | {len(chosen)} |", ""]
    return data, "\n".join(doc)


def build() -> tuple[bytes, str]:
    """Return (artefact bytes, LEXICON.md text) built from ../shared/data."""
    if not LEXICONS.is_dir():
        raise SystemExit(f"lexicon sources not found at {LEXICONS}; ../shared/data must sit beside the repository")
    candidates, source_rows = [], []
    for name, path, read in sources():
        found = read(path)
        candidates += found
        source_rows.append((name, path.relative_to(DATA).as_posix(), sha256(path), len(found)))
    source_rows.append(("English word list (lower-case news words)", NEWS.relative_to(DATA).as_posix(), sha256(NEWS), 0))
    candidates += anatomy_plurals(candidates)
    return render(select_entries(prefer_mesh_compounds(candidates), english_words()), source_rows)


def main() -> None:
    data, doc = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_bytes(data)
    DOC.write_text(doc, encoding="utf-8")
    print(f"wrote {OUT.relative_to(REPO)} ({len(data):,} bytes) and {DOC.relative_to(REPO)}")


if __name__ == "__main__":
    main()
