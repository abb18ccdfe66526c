"""Token patterns for entities a lexicon cannot list: receptors, pathways, processes, cell types.

Lexicons name concepts ("Receptors, AMPA", "MTOR"), but prose builds new names from them:
"GABA-A receptors", "mTOR pathway", "BDNF-TrkB signalling", "synaptogenesis", "long-term
potentiation", and "NMDA antagonism" where "NMDA" names the receptor, not the chemical. The
patterns below are general receptor, pathway and process vocabulary, matched with spaCy's token
``Matcher`` after the lexicon hits have been set as ``doc.ents`` (so a pattern can say "a protein
or compound mention followed by *signalling*"). Pattern names are ``<LABEL>_<what>``. What the
PATHWAY, PROCESS and ANATOMY patterns should find is in docs/annotation-guideline.md; they were
tuned on our 40-abstract dev gold (``eval/score_mechanisms.py``), so they stay general word-shape
rules rather than lists of the gold's mentions.
"""

from __future__ import annotations

import re

#: Entity types set on tokens before matching; SYMBOL marks gene-like tokens no lexicon knew.
BIO_ENT_TYPES = ["PROTEIN", "COMPOUND", "SYMBOL"]
#: Lexicon labels exposed to the patterns as token entity types (PROCESS: "DNA repair pathway").
CONTEXT_ENT_TYPES = ("PROTEIN", "COMPOUND", "PROCESS")

#: A gene-like token: a capital letter after the first character, or letters and digits mixed
#: (Greek letters count as letters: "NF-κB", "IKKβ").
_L, _U, _LO = "A-Za-z\u0370-\u03ff", "A-Z\u0391-\u03a9", "a-z\u03b1-\u03c9"
GENE_LIKE = (rf"^(?=.{{2,12}}$)[{_L}0-9]*(?:[{_LO}0-9][{_U}]|[{_U}]{{2}}|[{_L}][0-9]|[0-9][{_L}]|[{_U}]-[0-9])[{_L}0-9-]*$")

#: Words that name receptor families after their ligand or pharmacology.
RECEPTOR_MODIFIERS = [
    "serotonin", "serotonergic", "dopamine", "dopaminergic", "glutamate", "glutamatergic", "gaba",
    "gabaergic", "glycine", "nmda", "ampa", "kainate", "opioid", "opiate", "cannabinoid", "muscarinic",
    "nicotinic", "adrenergic", "cholinergic", "acetylcholine", "histamine", "melatonin", "orexin",
    "oxytocin", "vasopressin", "glucocorticoid", "mineralocorticoid", "estrogen", "androgen",
    "progesterone", "insulin", "adenosine", "purinergic", "metabotropic", "ionotropic", "sigma", "mu",
    "kappa", "delta", "neurotrophin", "trk", "chemokine", "cytokine", "benzodiazepine",
]
RECEPTOR_HEADS = ["receptor", "receptors", "transporter", "transporters", "autoreceptor", "autoreceptors"]
#: A receptor subtype token: "D2", "A", "1A", "B1", "CB1", "M1".
SUBTYPE = r"^(?:[A-Z]{0,2}\d{1,2}[A-Za-z]?|[A-Z])$"

#: Receptors named after their agonist: alone, these tokens are chemicals, but before an action
#: noun ("NMDA antagonism") they name the receptor.
LIGAND_NAMED_RECEPTORS = ["NMDA", "AMPA", "GABA", "GABAA", "GABAB", "kainate", "Kainate", "nicotinic", "muscarinic"]
ACTION_NOUNS = [
    "antagonism", "agonism", "antagonist", "antagonists", "agonist", "agonists", "blockade", "blocker",
    "blockers", "blocking", "inhibition", "activation", "modulation", "modulator", "modulators",
    "stimulation", "binding", "occupancy", "hypofunction", "subunit", "subunits",
]

PATHWAY_HEADS = ["signaling", "signalling", "pathway", "pathways", "cascade", "cascades"]
PATHWAY_TAILS = ["pathway", "pathways", "cascade", "cascades", "network", "networks"]
JOINERS = ["/", "-", "–"]
#: Words inside a pathway name between molecule names ("MAP kinase cascade", "mitogen-activated protein kinase").
PATHWAY_INNER = ["kinase", "kinases", "protein", "proteins", "factor", "factors", "receptor", "receptors", "like"]
#: "MyD88-dependent signaling", "CsrS-mediated signaling": the molecule still names the pathway.
PATHWAY_LINKS = ["dependent", "mediated", "induced", "activated", "coupled"]
#: Adjectives that are part of GO/Reactome pathway names ("apoptotic signaling pathway", "canonical Wnt").
PATHWAY_ADJECTIVES = ["apoptotic", "canonical", "noncanonical", "intrinsic", "extrinsic", "necroptotic"]
#: Metabolic pathways named by one word ("glycolysis", "gluconeogenesis", "lipolysis") and their
#: adjectives ("glycolytic-gluconeogenic pathway").
METABOLIC_PATHWAY = r"^(?:glyc|gluc|glycogen|lip|ket|steroid)[a-z]*(?:lysis|genesis)$"
METABOLIC_ADJECTIVE = r"^(?:glyc|gluc|glycogen|lip|ket|steroid)[a-z]*(?:lytic|genic)$"

#: Adjectives that make a kind of plasticity a biological process.
PLASTICITY_REGEX = r"^(?:[a-z]+(?:al|ic|ar|ive)|brain|experience|activity|spike)$"
#: "-genesis" words that are not processes of interest on their own.
NOT_PROCESSES = ["pathogenesis", "etiopathogenesis", "genesis", "carcinogenesis", "tumorigenesis"]

#: Cell types: a head noun for cells, with words that make the type ("dendritic cells", "CD4+ T
#: lymphocytes", "neural stem cells", "hippocampal neurons"). Cell lines ("THP-1 cells") and
#: tumour cells are not anatomy (guideline), so the modifiers are words, not codes.
CELL_HEADS = ["cell", "cells", "lymphocyte", "lymphocytes", "neuron", "neurons", "leukocytes", "leukocyte"]
#: Nouns that make a cell type ("stem cells", "T cells", "killer cells", "smooth muscle cells").
CELL_NOUNS = [
    "stem", "progenitor", "precursor", "germ", "mast", "plasma", "killer", "immune", "blood", "muscle", "smooth",
    "mononuclear", "interstitial", "satellite", "hair", "islet", "beta", "b", "t", "nk", "th1", "th2", "th17",
    "pyramidal", "granule", "purkinje", "basket", "chandelier", "helper", "memory", "effector", "regulatory",
    "vein", "umbilical", "epithelial", "endothelial", "glial", "radial", "dendritic", "mesenchymal", "neural",
    "embryonic", "pluripotent", "trophoblast", "endoderm", "ectoderm", "mesoderm", "amnion", "valvular",
    "tubular", "hepatic", "cardiac", "renal", "neuronal", "hippocampal", "cortical", "dopaminergic",
    "serotonergic", "gabaergic", "glutamatergic", "cholinergic", "noradrenergic", "sensory", "motor",
    "airway", "vascular", "peripheral", "natural", "adaptive", "innate", "mature", "immature", "somatic",
    "primordial", "neuroendocrine", "enteroendocrine", "goblet", "schwann", "microglial", "ependymal",
]
#: "CD4+", "CD45(+)": a surface marker that names the cell population.
CELL_MARKER = r"^(?:CD\d+[+-]?(?:\(\+\))?|[A-Z][A-Za-z0-9]*\+)$"
#: Single nouns that name cell types by their word shape ("macrophages", "hepatocytes",
#: "hepatoblast", "neutrophils") and a few without a telling suffix.
CELL_TYPE_WORD = r"^[a-z]{3,}(?:cytes?|blasts?|phages?|phils?)$"
CELL_TYPE_NOUNS = ["neurons", "microglia", "astroglia", "oligodendroglia", "platelets", "tregs", "treg"]
#: Not cell types, though shaped like them.
NOT_CELL_TYPES = ["bacteriophage", "bacteriophages", "phages", "phage", "glioblastoma", "cytoblast"]

#: Processes of cells and tissues named by an anatomical word and a process noun
#: ("endothelial proliferation", "hepatic differentiation", "stem cell maintenance", "cell deaths").
CELL_PROCESS_NOUNS = ["proliferation", "differentiation", "migration", "maintenance", "survival", "activation",
                      "specification", "fate"]
CELL_PROCESS_MODIFIERS = [
    "cell", "cellular", "endothelial", "epithelial", "neuronal", "neural", "glial", "hepatic", "stem", "lineage",
    "myogenic", "osteogenic", "adipogenic", "necrotic", "apoptotic", "t", "b", "neuron",
]
#: Molecular processes with their general classifier ("gene transcription", "DNA repair").
MOLECULAR_PROCESS_SUBJECTS = ["gene", "genes", "dna", "rna", "mrna", "protein"]
MOLECULAR_PROCESS_NOUNS = ["expression", "transcription", "translation", "repair", "replication", "synthesis",
                           "silencing", "folding"]


def _bio(op: str = "1") -> dict:
    spec: dict = {"ENT_TYPE": {"IN": BIO_ENT_TYPES}}
    if op != "1":
        spec["OP"] = op
    return spec


PATTERNS: dict[str, list[list[dict]]] = {
    # 5-HT2A, 5HT1A, 5-HT2C receptor(s)
    "PROTEIN_serotonin_subtype": [
        [{"TEXT": "5"}, {"TEXT": {"IN": JOINERS}, "OP": "?"}, {"TEXT": {"REGEX": r"^HT\d{1,2}[A-Za-z]?$"}},
         {"LOWER": {"IN": RECEPTOR_HEADS}, "OP": "?"}],
        [{"TEXT": {"REGEX": r"^5-?HT\d{1,2}[A-Za-z]?$"}}, {"LOWER": {"IN": RECEPTOR_HEADS}, "OP": "?"}],
    ],
    # NMDA receptor, GABA-A receptors, mu-opioid receptor, dopamine D2 receptor, TrkB receptor
    "PROTEIN_receptor": [
        [{"LOWER": {"IN": RECEPTOR_MODIFIERS}}, {"TEXT": {"IN": JOINERS}, "OP": "?"},
         {"LOWER": {"IN": RECEPTOR_MODIFIERS}, "OP": "?"}, {"TEXT": {"IN": JOINERS}, "OP": "?"},
         {"TEXT": {"REGEX": SUBTYPE}, "OP": "?"}, {"LOWER": {"IN": RECEPTOR_HEADS}}],
        [_bio(), {"TEXT": {"IN": JOINERS}, "OP": "?"}, {"TEXT": {"REGEX": SUBTYPE}, "OP": "?"},
         {"LOWER": {"IN": RECEPTOR_HEADS}}],
    ],
    # "NMDA antagonism": only the first token is the entity (see entities._pattern_span).
    "PROTEIN_ligand_named_receptor": [
        [{"TEXT": {"IN": LIGAND_NAMED_RECEPTORS}}, {"LOWER": {"IN": ACTION_NOUNS}}],
    ],
    # mTOR pathway, BDNF-TrkB signalling, Wnt/beta-catenin pathway, MAPK/ERK cascade, p38 MAP kinase
    # cascade, MyD88-dependent signaling, apoptotic signaling cascade
    "PATHWAY_named": [
        [{"LOWER": {"IN": PATHWAY_ADJECTIVES}, "OP": "?"}, _bio("+"), {"TEXT": {"IN": JOINERS}, "OP": "?"},
         _bio("*"), {"TEXT": {"IN": JOINERS}, "OP": "?"}, _bio("*"), {"LOWER": {"IN": PATHWAY_INNER}, "OP": "*"},
         {"TEXT": {"IN": JOINERS}, "OP": "?"}, {"LOWER": {"IN": PATHWAY_LINKS}, "OP": "?"},
         {"LOWER": {"IN": PATHWAY_HEADS}}, {"LOWER": {"IN": PATHWAY_TAILS}, "OP": "?"}],
        [{"LOWER": {"IN": PATHWAY_ADJECTIVES}}, {"LOWER": {"IN": PATHWAY_HEADS}}, {"LOWER": {"IN": PATHWAY_TAILS}, "OP": "?"}],
    ],
    # base excision repair pathway, apoptotic process pathway: a named process + pathway
    "PATHWAY_process": [
        [{"ENT_TYPE": "PROCESS", "OP": "+"}, {"LOWER": {"IN": ["pathway", "pathways"]}}],
    ],
    # "shallow Toll signaling", "the Notch pathway": a capitalised name inside a sentence (the word
    # before is lower case, so headings and sentence starts do not count); that word is not kept.
    "PATHWAY_capitalised": [
        [{"IS_LOWER": True}, {"TEXT": {"REGEX": r"^[A-Z][a-z]{2,}$"}, "ENT_TYPE": {"NOT_IN": ["PROCESS"]}},
         {"LOWER": {"IN": PATHWAY_HEADS}}, {"LOWER": {"IN": PATHWAY_TAILS}, "OP": "?"}],
    ],
    # glycolysis, gluconeogenesis; the glycolytic-gluconeogenic pathway
    "PATHWAY_metabolic": [
        [{"LOWER": {"REGEX": METABOLIC_PATHWAY}}],
        [{"LOWER": {"REGEX": METABOLIC_ADJECTIVE}}, {"TEXT": {"IN": JOINERS}, "OP": "?"},
         {"LOWER": {"REGEX": METABOLIC_ADJECTIVE}, "OP": "?"}, {"LOWER": {"IN": ["pathway", "pathways"]}}],
    ],
    # dendritic cells, CD4+ T lymphocytes, neural stem cells, hippocampal neurons, macrophages
    "ANATOMY_cell_type": [
        [{"TEXT": {"REGEX": CELL_MARKER}, "OP": "*"}, {"TEXT": "+", "OP": "?"},
         {"LOWER": {"IN": CELL_NOUNS}, "OP": "+"}, {"TEXT": "-", "OP": "?"}, {"LOWER": {"IN": CELL_HEADS}}],
        [{"TEXT": {"REGEX": CELL_MARKER}, "OP": "+"}, {"LOWER": {"IN": CELL_HEADS}}],
        [{"LOWER": {"REGEX": CELL_TYPE_WORD, "NOT_IN": NOT_CELL_TYPES}}, {"TEXT": "-", "OP": "?"},
         {"LOWER": "like", "OP": "?"}, {"LOWER": {"IN": ["cells", "cell"]}, "OP": "?"}],
        [{"LOWER": {"IN": CELL_NOUNS}, "OP": "*"}, {"LOWER": {"IN": CELL_TYPE_NOUNS}}],
    ],
    # endothelial proliferation, stem cell differentiation, necrotic cell deaths
    "PROCESS_cellular": [
        [{"LOWER": {"IN": CELL_PROCESS_MODIFIERS}, "OP": "+"}, {"TEXT": "-", "OP": "?"},
         {"LOWER": {"IN": ["cell", "cells"]}, "OP": "?"}, {"LOWER": {"IN": CELL_PROCESS_NOUNS}}],
    ],
    # cell death, necrotic cell deaths, neuronal death: a process, also where a disease model reads a
    # condition (BC5CDR marks one "neuronal death" and no "cell death" in its dev split)
    "PROCESS_cell_death": [
        [{"LOWER": {"IN": CELL_PROCESS_MODIFIERS}, "OP": "*"}, {"LOWER": {"IN": ["cell", "neuronal", "neuron"]}},
         {"LOWER": {"IN": ["death", "deaths"]}}],
    ],
    # gene transcription, DNA repair, protein synthesis
    "PROCESS_molecular": [
        [{"LOWER": {"IN": MOLECULAR_PROCESS_SUBJECTS}}, {"LOWER": {"IN": MOLECULAR_PROCESS_NOUNS}}],
    ],
    # synaptogenesis, neurogenesis; synaptic plasticity; long-term potentiation / depression
    "PROCESS_genesis": [
        [{"LOWER": {"REGEX": r"^[a-z]{3,}genesis$", "NOT_IN": NOT_PROCESSES}}],
    ],
    "PROCESS_plasticity": [
        [{"LOWER": {"REGEX": PLASTICITY_REGEX}}, {"TEXT": {"IN": JOINERS}, "OP": "?"},
         {"LOWER": "dependent", "OP": "?"}, {"LOWER": "plasticity"}],
    ],
    "PROCESS_long_term": [
        [{"LOWER": {"IN": ["long", "short"]}}, {"TEXT": {"IN": JOINERS}, "OP": "?"}, {"LOWER": "term"},
         {"TEXT": {"IN": JOINERS}, "OP": "?"}, {"LOWER": {"IN": ["potentiation", "depression", "facilitation"]}}],
    ],
}

#: Every pattern contains one of the trigger words; the Matcher runs only on text around them.
#: Words (compared lower-cased), word endings (lower-cased, after at least one more character) and
#: names (as written) that trigger the patterns, and "HT" + digit anywhere inside a word ("5-HT2A").
TRIGGER_WORDS = frozenset("""
    receptor receptors autoreceptor autoreceptors transporter transporters signaling signalling
    pathway pathways cascade cascades plasticity potentiation depression facilitation cell cells
    lymphocyte lymphocytes leukocyte leukocytes neuron neurons microglia astroglia oligodendroglia
    platelets treg tregs proliferation differentiation migration maintenance death deaths survival
    activation specification fate expression transcription translation repair replication synthesis
    silencing folding""".split())
TRIGGER_SUFFIXES = ("genesis", "lysis", "cyte", "cytes", "blast", "blasts", "phage", "phages", "phil", "phils")
TRIGGER_NAMES = frozenset({"NMDA", "AMPA", "GABA", "GABAA", "GABAB", "Kainate", "kainate", "nicotinic", "muscarinic"})
_WORD_RE = re.compile(r"\w+")
_SEROTONIN_TRIGGER_RE = re.compile(r"HT\d")


def trigger_spans(text: str) -> list[tuple[int, int]]:
    """Where the pattern trigger words are in ``text``, in order.

    Each trigger word, name and ending is looked for with ``str.find`` (a C scan of the text per
    word) and kept where it is a whole word (``\\w+``, as a regular expression reads words): twice
    as fast as reading the text word by word (0.08 -> 0.04 s on 100,000 words of abstracts), and 2-4
    times as fast as one case-insensitive expression of all the words, for the same spans
    (tests/test_pattern_speedups.py checks them against that expression).
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # a few characters lower-case to two ("İ"): offsets would shift
        return _trigger_spans_word_by_word(text)
    found: set[tuple[int, int]] = set()
    for word in TRIGGER_WORDS:
        if word in lowered:
            _add_whole_words(lowered, word, found)
    for name in TRIGGER_NAMES:
        if name in text:
            _add_whole_words(text, name, found)
    for ending in TRIGGER_SUFFIXES:
        _add_words_ending_with(lowered, ending, found)
    if "HT" in text:
        for m in _SEROTONIN_TRIGGER_RE.finditer(text):  # "HT" + digit inside a word that is no trigger
            if _word_around(text, m.start(), m.end()) not in found:
                found.add(m.span())
    return sorted(found)


def _is_word_character(character: str) -> bool:
    """What ``\\w`` matches in a ``str`` pattern: a letter, a digit or numeral, or "_"."""
    return character.isalnum() or character == "_"


def _add_whole_words(haystack: str, word: str, found: set[tuple[int, int]]) -> None:
    start = haystack.find(word)
    while start >= 0:
        end = start + len(word)
        if (start == 0 or not _is_word_character(haystack[start - 1])) and (
            end == len(haystack) or not _is_word_character(haystack[end])
        ):
            found.add((start, end))
        start = haystack.find(word, start + 1)


def _add_words_ending_with(haystack: str, ending: str, found: set[tuple[int, int]]) -> None:
    """Whole words that end with ``ending`` after at least one more character."""
    start = haystack.find(ending)
    while start >= 0:
        end = start + len(ending)
        if start > 0 and _is_word_character(haystack[start - 1]) and (end == len(haystack) or not _is_word_character(haystack[end])):
            found.add(_word_around(haystack, start, end))
        start = haystack.find(ending, start + 1)


def _word_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the whole word that contains ``text[start:end]``."""
    while start > 0 and _is_word_character(text[start - 1]):
        start -= 1
    while end < len(text) and _is_word_character(text[end]):
        end += 1
    return start, end


def _trigger_spans_word_by_word(text: str) -> list[tuple[int, int]]:
    """``trigger_spans`` read word by word (for texts whose lower-case form is longer)."""
    out: list[tuple[int, int]] = []
    for m in _WORD_RE.finditer(text):
        word = m.group()
        lower = word.lower()
        if lower in TRIGGER_WORDS or word in TRIGGER_NAMES or (
            lower.endswith(TRIGGER_SUFFIXES) and any(lower.endswith(x) and len(lower) > len(x) for x in TRIGGER_SUFFIXES)
        ):
            out.append(m.span())
        elif "HT" in word:
            start = m.start()
            out += [(start + h.start(), start + h.end()) for h in _SEROTONIN_TRIGGER_RE.finditer(word)]
    return out


#: Patterns whose entity is only the first token of the match, or all but the first.
FIRST_TOKEN_ONLY = frozenset({"PROTEIN_ligand_named_receptor"})
SKIP_FIRST_TOKEN = frozenset({"PATHWAY_capitalised"})
#: Patterns that give way to an overlapping model mention: a cell type or a classified process is
#: often the inside of a disease or gene name ("renal cell carcinoma", "MARCKS gene transcription").
YIELD_TO_MODEL = frozenset({"ANATOMY_cell_type", "PROCESS_cellular", "PROCESS_molecular"})
LAST_TOKEN_ONLY: frozenset[str] = frozenset()

#: Words a statistical model may tag (capitalised acronyms look like genes) that never name an
#: entity in our records: agencies, rating scales, databases, journals, identifiers, places,
#: statistics, and nucleic acids as a class (not compounds in BC5CDR or in our records).
#: Compared lower-cased with the whole mention.
NOT_ENTITIES = frozenset(
    """fda ema nih nimh who cdc mhra nice usa us uk eu canada
    madrs hamd ham-d hdrs hrsd bdi bdi-ii panss cgi cgi-s cgi-i ymrs gad-7 phq-9 qids caps caps-5 pcl-5
    mmse moca bprs sans saps ybocs y-bocs stai hads
    pubmed medline embase scopus cochrane nature science cell lancet jama bmj plos
    doi pmid pmcid isbn issn url html pdf
    rct ci sd sem se iqr or rr hr anova auc roc
    dna rna mrna mrnas mtdna cdna""".split()
)


#: Token attributes whose set and regular-expression tests depend only on the word itself, so they
#: can be computed once per vocabulary entry (see ``with_lexeme_flags``), and how to read each.
_WORD_ATTRIBUTES = {"LOWER": str.lower, "TEXT": lambda word: word, "ORTH": lambda word: word}


def with_lexeme_flags(vocab, patterns: dict[str, list[list[dict]]]) -> dict[str, list[list[dict]]]:
    """The same patterns, with every ``IN``/``NOT_IN``/``REGEX`` test on the word turned into a lexeme flag.

    Why: spaCy's Matcher evaluates such tests in Python, token by token and pattern by pattern
    (about 26 calls a token here: 70% of the Matcher's time), while a lexeme flag is one bit read
    in C, computed once per distinct word for the life of the vocabulary. A flag holds exactly the
    test it replaces (``IN``: the word is in the set; ``NOT_IN``: it is not; ``REGEX``:
    ``re.search`` finds the expression in it; several of them in one test all hold), so the
    matches are the same. Tests on other attributes (``ENT_TYPE``) are left to the Matcher, which
    must then be built with ``validate=False`` (its schema does not know flag IDs).
    """
    flags: dict[tuple, int] = {}

    def flag_for(attribute: str, test: dict) -> int:
        key = (attribute, tuple(sorted((op, tuple(v) if isinstance(v, list) else v) for op, v in test.items())))
        if key not in flags:
            flags[key] = vocab.add_flag(_word_test(_WORD_ATTRIBUTES[attribute], test))
        return flags[key]

    def convert(spec: dict) -> dict:
        out: dict = {}
        for attribute, value in spec.items():
            if attribute in _WORD_ATTRIBUTES and isinstance(value, dict) and set(value) <= {"IN", "NOT_IN", "REGEX"}:
                out[flag_for(attribute, value)] = True
            else:
                out[attribute] = value
        return out

    return {name: [[convert(spec) for spec in pattern] for pattern in alternatives] for name, alternatives in patterns.items()}


def _word_test(read, test: dict):
    """A function word -> bool that holds exactly when every part of a Matcher dict test holds."""
    inside = frozenset(test["IN"]) if "IN" in test else None
    outside = frozenset(test.get("NOT_IN", ()))
    regex = re.compile(test["REGEX"]) if "REGEX" in test else None

    def holds(word: str) -> bool:
        value = read(word)
        return ((inside is None or value in inside) and value not in outside
                and (regex is None or regex.search(value) is not None))

    return holds
