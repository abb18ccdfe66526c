"""Tests for the sections stage: headings, hierarchy, kinds and the span contract.

Documents are written by hand to show one layout each (Markdown, setext, numbered, ALL CAPS,
emoji-led, bulleted, front matter, lists after a colon, no headings). The seed sample checks the
issue's bar, and PLOS JATS articles, turned into plain text on the fly, measure how well top-level
headings are found in real articles.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from pipeline import layers as L
from pipeline.readers import read_bytes
from pipeline.stages.sections import classify_kind, detect_sections

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "samples"
SHARED_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def sections_of(text: str, name: str = "x.txt"):
    doc = read_bytes(text.encode("utf-8"), name)
    return doc, detect_sections(doc)[L.SECTIONS]


def outline(text: str, name: str = "x.txt") -> list[tuple]:
    """(level, number, kind, heading, parent heading) per section, in document order."""
    _, spans = sections_of(text, name)
    by_start = {s.attrs["heading_start"]: s.attrs["heading"] for s in spans}
    return [
        (s.attrs["level"], s.attrs["number"], s.label, s.attrs["heading"], by_start.get(s.attrs["parent_heading_start"]))
        for s in spans
    ]


def headings(text: str, name: str = "x.txt") -> list[str]:
    return [row[3] for row in outline(text, name)]


# --- documents, one layout each -----------------------------------------------------------

MARKDOWN = """# Ketamine for Depression

A short lede under the title.

## Background

Text about the background.

### History

Ketamine was made in 1962.

## Methods

We searched three databases.

### Participants

Forty adults took part.

#### Exclusions

Psychosis was an exclusion.

## Results

Scores improved.
"""

SETEXT = """Psilocybin in Practice
======================

Lede paragraph.

Background
----------

Body text here.

Results
-------

More text here.
"""

NUMBERED = """A Trial of Ketamine in Adults
Jane Doe, John Roe
1. Introduction
Depression is common. We study it here.
2. Methods
We recruited adults from two clinics.
2.1 Participants
Forty adults took part.
2.2. Procedure
They received ketamine twice weekly.
3. Results
Scores improved by half.
4. Discussion
This matters for practice.
References
1. Smith J. A paper. J Foo. 2019;1:1-2.
2. Roe J. Another paper. J Bar. 2020;2:3-4.
"""

PAREN_NUMBERED = """Notes on MDMA Therapy
1) Background
Some sentences here. More of them follow.
2) What We Found
Findings are described here.
3) Conclusions
Wrap-up text goes here.
"""

ALL_CAPS = """KETAMINE REVIEW
ABSTRACT
This is the abstract of the paper. It is short.
INTRODUCTION
Intro text here, with a sentence.
METHODS
Study design
We designed a cohort study.
Statistical analysis
We used mixed models.
RESULTS
We found things.
CONCLUSION
It works, within limits.
"""

EMOJI = """Psychedelics Explained
🔬 Methods
The team scanned 40 brains over two weeks.
■ Results
Activity in the default mode network dropped.
💡 Key Takeaways
Psychedelics may help some people.
"""

BULLETED = """How Ketamine Works
Ketamine is an anaesthetic. It has been used since the 1960s.
Key Points
- It blocks NMDA receptors.
- It boosts BDNF.
• It acts within hours.
What This Means
Patients may benefit. More research is needed.
"""

ROMAN = """Ketamine and the Brain
I. Introduction
Introductory text. More of it.
II. Methods
A. Design
Design text here.
B. Analysis
Analysis text here.
III. Results
Results text here.
"""

BLANK_LINE_SEPARATED = """Ketamine: A Fast-Acting Antidepressant?

By John Smith | Updated March 2, 2024

Ketamine has been used as an anaesthetic for decades. Now it is being tested for depression.

How Ketamine Works

Ketamine blocks NMDA receptors. This leads to a glutamate surge.

Side effects include:

Dissociation

Nausea

Raised blood pressure

Most side effects fade within two hours.

The Evidence So Far

Several trials show rapid effects. But effects fade within a week.

Sources

Smith J, et al. Ketamine for depression. JAMA. 2020;1:1-10.
Doe J. A review. Lancet 2021.
"""

FRONT_MATTER = """Psilocybin Rewires Brain Networks
📌 Study Title:
"Psilocybin desynchronizes the human brain"
📰 Published in Nature, 2024
🔗 Read the paper
✍️ Authors: J. S. Siegel, S. Subramanian, et al.
🧭 What Psilocybin Does to the Brain
Published: July 17, 2024
(This summary is for information only and is not medical advice.)
Overview
A single dose of psilocybin disrupted brain networks for weeks, a new study reports.
Study Design
Seven adults were scanned before, during and after a high dose.
Key Findings
Functional connectivity fell more than threefold.
"""

LIST_AFTER_COLON = """Why Sleep Matters
Sleep affects many systems in the body.
Memory and Learning
During deep sleep, the brain replays the day and strengthens memories in ways that:
Consolidate new facts into long-term stores
Prune weak synapses formed during the day
Support creative problem solving in later tasks
This nightly cycle is why a short night hurts recall.
Mood Regulation
Poor sleep has been linked with:
Irritability
Anxiety
Low mood
Most people recover after one good night.
Limitations
Many of these studies were small.
"""

TWO_LEVEL_PLAIN = """Understanding MDMA Therapy
Introduction
MDMA-assisted therapy is being tested for PTSD in several countries.
How the Therapy Works
Preparation Sessions
Patients meet their therapists three times before any dose.
Dosing Sessions
Each dosing session lasts about eight hours, with two therapists present.
Integration
Patients discuss the experience in the days after each dose.
What the Trials Show
Phase 3 trials reported large effects on symptom scores.
Conclusion
MDMA therapy may become an option for some patients.
"""


PAPER_FRONT_MATTER = """Rapamycin Restores Dendrite Growth in Patient-Derived Neurons

A. N. Author(1), B. Second(1,2), C. Third(2)
(1) Department of Neuroscience, Example University
(2) Institute of Neurobiology, Example University

Journal of Examples, 2024; 12(3): 201-214
DOI: 10.5555/example.1
Received 9 October 2023; accepted 22 January 2024

Abstract
Mutations in TSC2 raise mTORC1 activity. Rapamycin lowers it.

1. Introduction
Tuberous sclerosis complex is a genetic disorder.

2. Methods
Neurons were derived from stem cells.
"""

BOLD_MARKDOWN = """**Psilocybin and the Brain**

*By Jane Doe, March 3, 2024*

**What the Researchers Did**

The team gave psilocybin to 20 volunteers. Scans followed.

**2. What They Found:**

Connectivity rose sharply across networks.
"""


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        pytest.param(
            PAPER_FRONT_MATTER,
            "x.txt",
            [
                (1, None, "abstract", "Abstract", None),
                (1, "1", "introduction", "Introduction", None),
                (1, "2", "methods", "Methods", None),
            ],
            id="paper-front-matter-authors-affiliations-journal",
        ),
        pytest.param(
            BOLD_MARKDOWN,
            "x.md",
            [
                (1, None, "other", "What the Researchers Did", None),
                (2, "2", "other", "What They Found", "What the Researchers Did"),
            ],
            id="markdown-bold-lines-without-hashes",
        ),
        pytest.param(
            MARKDOWN,
            "x.md",
            [
                (1, None, "introduction", "Background", None),
                (2, None, "other", "History", "Background"),
                (1, None, "methods", "Methods", None),
                (2, None, "other", "Participants", "Methods"),
                (3, None, "other", "Exclusions", "Participants"),
                (1, None, "results", "Results", None),
            ],
            id="markdown-atx-title-dropped",
        ),
        pytest.param(
            SETEXT,
            "x.md",
            [(1, None, "introduction", "Background", None), (1, None, "results", "Results", None)],
            id="markdown-setext",
        ),
        pytest.param(
            NUMBERED,
            "x.txt",
            [
                (1, "1", "introduction", "Introduction", None),
                (1, "2", "methods", "Methods", None),
                (2, "2.1", "other", "Participants", "Methods"),
                (2, "2.2", "other", "Procedure", "Methods"),
                (1, "3", "results", "Results", None),
                (1, "4", "discussion", "Discussion", None),
                (1, None, "references", "References", None),
            ],
            id="numbered-dotted",
        ),
        pytest.param(
            PAREN_NUMBERED,
            "x.txt",
            [
                (1, "1", "introduction", "Background", None),
                (1, "2", "other", "What We Found", None),
                (1, "3", "conclusion", "Conclusions", None),
            ],
            id="numbered-paren",
        ),
        pytest.param(
            ALL_CAPS,
            "x.txt",
            [
                (1, None, "abstract", "ABSTRACT", None),
                (1, None, "introduction", "INTRODUCTION", None),
                (1, None, "methods", "METHODS", None),
                (2, None, "methods", "Study design", "METHODS"),
                (2, None, "other", "Statistical analysis", "METHODS"),
                (1, None, "results", "RESULTS", None),
                (1, None, "conclusion", "CONCLUSION", None),
            ],
            id="all-caps-with-subheadings",
        ),
        pytest.param(
            EMOJI,
            "x.txt",
            [
                (1, None, "methods", "Methods", None),
                (1, None, "results", "Results", None),
                (1, None, "conclusion", "Key Takeaways", None),
            ],
            id="emoji-and-symbol-led",
        ),
        pytest.param(
            BULLETED,
            "x.txt",
            [(1, None, "other", "Key Points", None), (1, None, "other", "What This Means", None)],
            id="bullets-are-not-headings",
        ),
        pytest.param(
            ROMAN,
            "x.txt",
            [
                (1, "I", "introduction", "Introduction", None),
                (1, "II", "methods", "Methods", None),
                (2, "A", "other", "Design", "Methods"),
                (2, "B", "other", "Analysis", "Methods"),
                (1, "III", "results", "Results", None),
            ],
            id="roman-and-letter-numbering",
        ),
        pytest.param(
            BLANK_LINE_SEPARATED,
            "x.txt",
            [
                (1, None, "other", "How Ketamine Works", None),
                (1, None, "other", "The Evidence So Far", None),
                (1, None, "references", "Sources", None),
            ],
            id="blank-lines-byline-loose-list-references",
        ),
        pytest.param(
            FRONT_MATTER,
            "x.txt",
            [
                (1, None, "introduction", "Overview", None),
                (1, None, "methods", "Study Design", None),
                (1, None, "results", "Key Findings", None),
            ],
            id="front-matter-is-not-a-section",
        ),
        pytest.param(
            LIST_AFTER_COLON,
            "x.txt",
            [
                (1, None, "other", "Memory and Learning", None),
                (1, None, "other", "Mood Regulation", None),
                (1, None, "limitations", "Limitations", None),
            ],
            id="short-lines-after-colon-are-list-items",
        ),
        pytest.param(
            TWO_LEVEL_PLAIN,
            "x.txt",
            [
                (1, None, "introduction", "Introduction", None),
                (1, None, "other", "How the Therapy Works", None),
                (2, None, "other", "Preparation Sessions", "How the Therapy Works"),
                (2, None, "other", "Dosing Sessions", "How the Therapy Works"),
                (2, None, "other", "Integration", "How the Therapy Works"),
                (2, None, "other", "What the Trials Show", "How the Therapy Works"),
                (1, None, "conclusion", "Conclusion", None),
            ],
            id="plain-parent-with-direct-subheading",
        ),
    ],
)
def test_sections_outline_of_layouts(text, name, expected):
    assert outline(text, name) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Ketamine is a drug. It blocks NMDA receptors.\nIt was first made in 1962.\nToday it is studied for depression.\n", id="no-headings"),
        pytest.param("One paragraph about ketamine, which blocks NMDA receptors and raises glutamate levels.", id="single-paragraph"),
        pytest.param("Title Only\n", id="title-only"),
        pytest.param("A Title\nBy Jane Doe\nMarch 3, 2024\n", id="front-matter-only"),
    ],
)
def test_sections_none_without_headings(text):
    assert headings(text) == []


def test_sections_markdown_levels_have_no_gaps():
    text = "## Overview\n\nText.\n\n#### Detail\n\nMore text.\n\n## Next Part\n\nText.\n"
    assert outline(text, "x.md") == [
        (1, None, "introduction", "Overview", None),
        (2, None, "other", "Detail", "Overview"),
        (1, None, "other", "Next Part", None),
    ]


def test_sections_markdown_with_only_a_title_falls_back_to_plain_text_rules():
    text = "# Ketamine Explained\n\nKetamine is old. It is also new.\n\n---\n\n**How It Works**\n\nIt blocks NMDA receptors.\n\n**Risks**\n\nDissociation is common.\n"
    assert headings(text, "x.md") == ["How It Works", "Risks"]


def test_sections_markdown_pasted_into_txt_is_read_as_markdown():
    text = "# Ketamine Explained\nKetamine is old. It is also new.\n## How It Works\nIt blocks NMDA receptors.\n## Risks\nDissociation is common.\n"
    assert headings(text, "x.txt") == ["How It Works", "Risks"]


def test_sections_markdown_heading_keeps_number_and_strips_marks():
    text = "## 2.3 Participants ##\n\nForty adults.\n\n## 3. Results:\n\nBetter.\n"
    rows = outline(text, "x.md")
    assert [(r[1], r[3]) for r in rows] == [("2.3", "Participants"), ("3", "Results")]


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("Figure 1. Ketamine effects on mice", id="figure-caption"),
        pytest.param("Table 2 Summary of included trials", id="table-caption"),
        pytest.param("But how does it work? What is happening in the brain?", id="two-questions"),
        pytest.param("and then the dose was raised", id="starts-lowercase"),
        pytest.param("This line ends like a sentence.", id="sentence"),
        pytest.param("An unusually long line that has far too many words to be a heading of any section", id="too-long"),
    ],
)
def test_sections_rejects_lines_that_are_not_headings(line):
    text = f"Article Title\nIntroduction\nOpening text here. It explains.\n{line}\nA paragraph that follows the line. It has sentences.\n"
    assert headings(text) == ["Introduction"]


def test_sections_accepts_headings_opening_with_digits_or_mixed_case():
    text = "Networks Paper\nIntroduction\nWe build networks. They help.\n3-way Networks\nA 3-way network links three genomes.\nmTOR Signalling\nmTOR is a kinase.\n"
    assert headings(text) == ["Introduction", "3-way Networks", "mTOR Signalling"]


def test_sections_accepts_a_single_question_heading():
    text = "Everything About Ketamine\nWhat Is Ketamine?\nKetamine is an anaesthetic drug developed in the 1960s.\nHow does it work in the brain?\nIt blocks NMDA receptors on interneurons.\n"
    assert headings(text) == ["What Is Ketamine?", "How does it work in the brain?"]


def test_sections_list_items_after_colon_are_content_of_their_section():
    doc, spans = sections_of(LIST_AFTER_COLON)
    memory = next(s for s in spans if s.attrs["heading"] == "Memory and Learning")
    assert "Prune weak synapses formed during the day" in memory.text_in(doc.text)
    assert "Irritability" not in [s.attrs["heading"] for s in spans]


def test_sections_canonical_heading_ends_a_colon_list():
    text = "The Brain on Ketamine\nKetamine acts fast. It is unlike SSRIs.\nKey benefits include:\nFaster onset of action\nFewer sexual side effects\nLimitations\nThe trials were small and short.\n"
    assert outline(text) == [(1, None, "limitations", "Limitations", None)]


def test_sections_numbered_list_is_not_a_run_of_headings():
    text = "Ketamine at Home\nIntroduction\nSome people ask about home use. Here is the advice.\n1. Talk to a doctor\n2. Never mix with alcohol\n3. Have a sitter present\nThat is all for now.\n"
    assert headings(text) == ["Introduction"]


def test_sections_reference_entries_are_not_subsections():
    text = "Study Review\nDiscussion\nThe findings are robust. They replicate.\nReferences\nSmith J (2004) Ketamine in mice\nDoe J. A review of trials. Lancet. 2021;3:4-5.\nRoe K (2019) NMDA and mood\nMore detail on the last reference, which is longer than the others.\n"
    assert headings(text) == ["Discussion", "References"]


def test_sections_numbering_gap_is_a_warning():
    text = "Paper Title\n1. Introduction\nText here. More.\n2. Methods\nText here. More.\n4. Results\nText here. More.\n"
    doc = read_bytes(text.encode(), "x.txt")
    warnings = detect_sections(doc)[L.WARNINGS]
    assert [w.label for w in warnings] == ["section-number-gap"]
    assert doc.text[warnings[0].start : warnings[0].end] == "Results"


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("Introduction", "introduction"),
        ("Background", "introduction"),
        ("Materials and Methods", "methods"),
        ("Methodology", "methods"),
        ("Study design", "methods"),
        ("Findings", "results"),
        ("Results and Discussion", "results"),
        ("Discussion and Conclusions", "discussion"),
        ("Conclusions", "conclusion"),
        ("Final Thoughts", "conclusion"),
        ("Summary", "conclusion"),
        ("Key Takeaways", "conclusion"),
        ("The Bottom Line", "conclusion"),
        ("Limitations", "limitations"),
        ("Caveats", "limitations"),
        ("Limitations and Ethical Considerations", "limitations"),
        ("References", "references"),
        ("Bibliography", "references"),
        ("Sources", "references"),
        ("Works Cited", "references"),
        ("Literature cited", "references"),
        ("Abstract", "abstract"),
        ("Author summary", "abstract"),
        ("Why This Matters", "other"),
        ("Sources of variation in dose", "other"),
    ],
)
def test_sections_kind_from_heading(heading, kind):
    assert classify_kind(heading) == kind


# --- the span contract ---------------------------------------------------------------------

ALL_DOCS = [
    (PAPER_FRONT_MATTER, "x.txt"), (BOLD_MARKDOWN, "x.md"), (MARKDOWN, "x.md"), (SETEXT, "x.md"), (NUMBERED, "x.txt"), (PAREN_NUMBERED, "x.txt"), (ALL_CAPS, "x.txt"),
    (EMOJI, "x.txt"), (BULLETED, "x.txt"), (ROMAN, "x.txt"), (BLANK_LINE_SEPARATED, "x.txt"),
    (FRONT_MATTER, "x.txt"), (LIST_AFTER_COLON, "x.txt"), (TWO_LEVEL_PLAIN, "x.txt"),
]


@pytest.mark.parametrize(("text", "name"), ALL_DOCS)
def test_sections_spans_follow_the_layer_contract(text, name):
    doc, spans = sections_of(text, name)
    assert spans, "every document in ALL_DOCS has sections"
    starts = {s.attrs["heading_start"]: s for s in spans}
    for index, span in enumerate(spans):
        a = span.attrs
        assert doc.text[a["heading_start"] : a["heading_end"]] == a["heading"]
        assert a["heading"] == a["heading"].strip() and not a["heading"].endswith(":")
        assert a["heading_end"] < span.start, "the body starts after the heading"
        assert doc.text[span.start - 1] == "\n", "the body starts at the beginning of a line"
        assert span.end == span.start or not doc.text[span.end - 1].isspace(), "trailing whitespace is trimmed"
        parent = starts.get(a["parent_heading_start"])
        if a["level"] == 1:
            assert a["parent_heading_start"] is None
        else:
            assert parent is not None and parent.attrs["level"] == a["level"] - 1
            assert parent.start <= a["heading_start"] and span.end <= parent.end, "a child lies inside its parent's body"
        later = next((s for s in spans[index + 1 :] if s.attrs["level"] <= a["level"]), None)
        if later is not None:
            assert doc.text[span.end : later.attrs["heading_start"]].strip() in ("", *_heading_marks(doc.text, later))


def _heading_marks(text: str, span) -> tuple[str, ...]:
    """What may sit between a section's end and the next heading text: its marker ('##', '2.', '■')."""
    line_start = text.rfind("\n", 0, span.attrs["heading_start"]) + 1
    return (text[line_start : span.attrs["heading_start"]].strip(),)


@pytest.mark.parametrize(("text", "name"), ALL_DOCS)
def test_sections_attach_to_the_document_and_are_deterministic(text, name):
    doc = read_bytes(text.encode(), name)
    first, second = detect_sections(doc), detect_sections(doc)
    assert first == second
    attached = doc.with_layers(first)
    assert len(attached.layer(L.SECTIONS)) == len(first[L.SECTIONS])


def test_sections_on_a_megabyte():
    # speed is measured in bench/, never asserted here; this guards correctness at scale
    block = TWO_LEVEL_PLAIN + LIST_AFTER_COLON + NUMBERED
    text = block * (1_000_000 // len(block) + 1)
    doc = read_bytes(text.encode(), "big.txt")
    spans = detect_sections(doc)[L.SECTIONS]
    assert len(spans) > 1000
    doc.with_layers({L.SECTIONS: spans})


# --- the seed --------------------------------------------------------------------------------


def test_sections_seed_outline():
    text = (SAMPLES_DIR / "ketamine-psychedelics-explainer.txt").read_text(encoding="utf-8")
    rows = outline(text)
    assert rows == [
        (1, None, "introduction", "Introduction", None),
        (1, None, "other", "The Study at a Glance", None),
        (1, None, "other", "Key Concepts Explored in the Study", None),
        (2, "1", "other", "Glutamate Surge and Synaptic Plasticity", "Key Concepts Explored in the Study"),
        (2, "2", "other", "mTOR Pathway Activation", "Key Concepts Explored in the Study"),
        (2, "3", "other", "Default Mode Network (DMN) Modulation", "Key Concepts Explored in the Study"),
        (2, "4", "other", "Shared Mechanisms with Psychedelics", "Key Concepts Explored in the Study"),
        (1, None, "other", "Why This Matters", None),
        (2, None, "other", "A New Model for Mental Health", "Why This Matters"),
        (2, None, "other", "Treatment-Resistant Conditions", "Why This Matters"),
        (1, None, "limitations", "Limitations and Ethical Considerations", None),
        (1, None, "conclusion", "Final Thoughts", None),
    ]


# --- real articles: PLOS JATS rendered as plain text ------------------------------------------------


def _xml_text(element) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _render_reference(ref) -> str:
    """A reference as a reader would see it printed: 'n. Authors (year) Title. Journal vol: pages.'"""
    cit = next((c for c in ref if c.tag in ("nlm-citation", "mixed-citation", "element-citation")), None)
    if cit is None:
        return _xml_text(ref)
    names = [" ".join(x for x in (n.findtext("surname"), n.findtext("given-names")) if x) for n in cit.iter("name")]
    field = lambda tag: _xml_text(cit.find(tag))  # noqa: E731
    parts = [", ".join(names)] if names else []
    if field("year"):
        parts.append(f"({field('year')})")
    if field("article-title"):
        parts.append(field("article-title").rstrip(".") + ".")
    pages = "–".join(x for x in (field("fpage"), field("lpage")) if x)
    tail = " ".join(x for x in (field("source"), field("volume") + (":" if pages else ""), pages) if x)
    if tail:
        parts.append(tail.rstrip(".") + ".")
    label = ref.findtext("label") or ""
    return (f"{label}. " if label else "") + " ".join(parts)


def _render_section(sec, out: list[str]) -> None:
    title = _xml_text(sec.find("title"))
    if title:
        out.append(title)
    for child in sec:
        if child.tag == "sec":
            _render_section(child, out)
        elif child.tag in ("fig", "table-wrap", "supplementary-material"):
            caption = child.find("caption")
            label = _xml_text(child.find("label"))
            head = " ".join(x for x in ((label + ".") if label else "", _xml_text(caption.find("title")) if caption is not None else "") if x)
            out.extend(x for x in [head] + [_xml_text(p) for p in (caption.findall("p") if caption is not None else [])] if x)
        elif child.tag == "list":
            out.extend(t for t in (_xml_text(item) for item in child.iter("list-item")) if t)
        elif child.tag not in ("title", "label"):
            if text := _xml_text(child):
                out.append(text)


def plain_text_of_jats(xml_path: Path, record: dict) -> tuple[str, list[str]]:
    """The article as pasted text (title, 'Abstract', body, 'References') and its top-level headings."""
    root = ET.parse(xml_path).getroot()
    out, expected = [record["title"]], []
    abstract = root.find(".//article-meta/abstract")
    if abstract is not None and record.get("abstract"):
        out.append("Abstract")
        expected.append("Abstract")
        out.extend(t for t in (_xml_text(p) for p in abstract.iter("p")) if t)
    for child in root.find(".//body"):
        if child.tag == "sec":
            _render_section(child, out)
        elif text := _xml_text(child):
            out.append(text)
    expected += record["section_headings"]
    references = root.findall(".//back/ref-list/ref")
    if references:
        out.append("References")
        expected.append("References")
        out.extend(t for t in (_render_reference(r) for r in references) if t)
    return "\n".join(out) + "\n", expected


def _normalised(heading: str) -> str:
    return " ".join(re.sub(r"^\s*(?:\d+(?:\.\d+)*\.?|[IVX]+\.)\s+", "", heading).lower().split())


def test_sections_top_level_headings_of_plos_articles():
    folder = SHARED_DATA_DIR / "jats" / "plos"
    truth = folder / "ground_truth.jsonl"
    if not truth.is_file():
        pytest.skip(f"../shared/data not found: expected PLOS JATS ground truth at {truth}")
    records = [json.loads(line) for line in truth.read_text(encoding="utf-8").splitlines() if line.strip()]
    records = [r for r in records if r.get("section_headings")][:20]
    true_pos = false_pos = false_neg = 0
    for record in records:
        text, expected = plain_text_of_jats(folder / record["xml"], record)
        found = {_normalised(row[3]) for row in outline(text) if row[0] == 1}
        wanted = {_normalised(h) for h in expected}
        true_pos += len(found & wanted)
        false_pos += len(found - wanted)
        false_neg += len(wanted - found)
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    f1 = 2 * precision * recall / (precision + recall)
    # Measured 0.88 (P 0.79, R 0.99) on these 20 articles (0.88 on all 95 with headings); most misses are topical sub-sections that
    # follow their parent's own paragraphs, which plain text cannot tell from top-level sections.
    assert f1 >= 0.82, f"top-level heading F1 {f1:.3f} (P {precision:.3f}, R {recall:.3f}) on {len(records)} PLOS articles"
