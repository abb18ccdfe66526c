"""Token patterns for entities a lexicon cannot list: receptors, pathways and processes.

Lexicons name concepts ("Receptors, AMPA", "MTOR"), but prose builds new names from them:
"GABA-A receptors", "mTOR pathway", "BDNF-TrkB signalling", "synaptogenesis", "long-term
potentiation", and "NMDA antagonism" where "NMDA" names the receptor, not the chemical. The
patterns below are general receptor, pathway and process vocabulary, matched with spaCy's token
``Matcher`` after the lexicon hits have been set as ``doc.ents`` (so a pattern can say "a protein
or compound mention followed by *signalling*"). Pattern names are ``<LABEL>_<what>``.
"""

from __future__ import annotations

import re

#: Entity types set on tokens before matching; SYMBOL marks gene-like tokens no lexicon knew.
BIO_ENT_TYPES = ["PROTEIN", "COMPOUND", "SYMBOL"]

#: A gene-like token: a capital letter after the first character, or letters and digits mixed.
GENE_LIKE = r"^(?=.{2,12}$)[A-Za-z0-9]*(?:[a-z0-9][A-Z]|[A-Z]{2}|[A-Za-z][0-9]|[0-9][A-Za-z])[A-Za-z0-9]*$"

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

#: Adjectives that make a kind of plasticity a biological process.
PLASTICITY_REGEX = r"^(?:[a-z]+(?:al|ic|ar|ive)|brain|experience|activity|spike)$"
#: "-genesis" words that are not processes of interest on their own.
NOT_PROCESSES = ["pathogenesis", "etiopathogenesis", "genesis"]


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
    # mTOR pathway, BDNF-TrkB signalling, Wnt/beta-catenin pathway, MAPK/ERK cascade
    "PATHWAY_named": [
        [_bio("+"), {"TEXT": {"IN": JOINERS}, "OP": "?"}, _bio("*"), {"TEXT": {"IN": JOINERS}, "OP": "?"},
         _bio("*"), {"LOWER": {"IN": PATHWAY_HEADS}}, {"LOWER": {"IN": PATHWAY_TAILS}, "OP": "?"}],
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

#: Every pattern contains one of these words; the Matcher runs only on text around them.
TRIGGER_RE = re.compile(
    r"(?i:\b(?:(?:auto)?receptors?|transporters?|signall?ing|pathways?|cascades?|plasticity|\w+genesis"
    r"|potentiation|depression|facilitation)\b)|HT\d|\b(?:NMDA|AMPA|GABA[AB]?|[Kk]ainate|nicotinic|muscarinic)\b"
)

#: Patterns whose entity is only the first token of the match.
FIRST_TOKEN_ONLY = frozenset({"PROTEIN_ligand_named_receptor"})

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
