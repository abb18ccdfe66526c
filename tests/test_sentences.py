"""The shared rule-based sentence splitter (pipeline/stages/_sentences.py).

Each case is a text and the sentences it must split into. The splitter works on offsets, so the
helper turns spans back into strings; a separate test checks the offsets themselves (absolute,
trimmed, ordered, inside the range asked for).
"""

from __future__ import annotations

import json
import re

import pytest

from pipeline.stages._sentences import split_sentences


def _sentences(text: str, start: int = 0, end: int | None = None) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text, start, end)]


# --- full stops that do and do not end a sentence ------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ketamine acts fast. Psilocybin acts too.", ["Ketamine acts fast.", "Psilocybin acts too."]),
        ("Drugs (e.g. ketamine) act fast. Others do not.", ["Drugs (e.g. ketamine) act fast.", "Others do not."]),
        ("Drugs, e.g. Ketamine, act fast. Others do not.", ["Drugs, e.g. Ketamine, act fast.", "Others do not."]),
        ("Some agents, i.e. NMDA antagonists, act fast. Fine.", ["Some agents, i.e. NMDA antagonists, act fast.", "Fine."]),
        ("Ketamine vs. placebo was tested. It won.", ["Ketamine vs. placebo was tested.", "It won."]),
        ("NMDA antagonism vs. 5-HT2A agonism differs. Yes.", ["NMDA antagonism vs. 5-HT2A agonism differs.", "Yes."]),
        ("Duman et al. Reported this first. Then others.", ["Duman et al. Reported this first.", "Then others."]),
        ("As Duman et al. (2022) showed, it works. Next.", ["As Duman et al. (2022) showed, it works.", "Next."]),
        ("Dr. Smith treated him. Mr. Jones agreed.", ["Dr. Smith treated him.", "Mr. Jones agreed."]),
        ("Drs. Lang and Roy are employees. Fine.", ["Drs. Lang and Roy are employees.", "Fine."]),
        ("See Fig. 2 for details. Figs. 3 and 4 agree.", ["See Fig. 2 for details.", "Figs. 3 and 4 agree."]),
        ("The dose was 2.5 mg. It rose to 0.75 mg/kg later.", ["The dose was 2.5 mg.", "It rose to 0.75 mg/kg later."]),
        ("Written by R. S. Duman and Michael A. Duman. Published 2022.", ["Written by R. S. Duman and Michael A. Duman.", "Published 2022."]),
        ("It costs approx. five dollars. Cheap.", ["It costs approx. five dollars.", "Cheap."]),
        ("See p. 12 and No. 5 here. Done.", ["See p. 12 and No. 5 here.", "Done."]),
        ("Was it effective? No. We did not find an effect.", ["Was it effective?", "No.", "We did not find an effect."]),
        ("It works! Really.", ["It works!", "Really."]),
        ("We waited... Then it worked.", ["We waited...", "Then it worked."]),
        ("We waited... and then it worked.", ["We waited... and then it worked."]),
        ("He said the DMN went “quiet.” Then it changed.", ["He said the DMN went “quiet.”", "Then it changed."]),
        ('She called it "remarkable." Others agreed.', ['She called it "remarkable."', "Others agreed."]),
        ("It was shown (see Fig. 2). Next sentence.", ["It was shown (see Fig. 2).", "Next sentence."]),
        ("(For educational use only. Not advice.) Intro text here.", ["(For educational use only. Not advice.)", "Intro text here."]),
        ("It helped (as in trial A. It was small.) in most people. Next.", ["It helped (as in trial A. It was small.) in most people.", "Next."]),
        ("Results 1) improved. Next one.", ["Results 1) improved.", "Next one."]),
        ("The U.S. trial was small. It ended.", ["The U.S. trial was small.", "It ended."]),
        ("1. Glutamate Surge and Synaptic Plasticity", ["1. Glutamate Surge and Synaptic Plasticity"]),
        ("No terminal punctuation at the end", ["No terminal punctuation at the end"]),
    ],
)
def test_sentences_split_at_real_boundaries_only(text, expected):
    assert _sentences(text) == expected


# --- line breaks ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # A heading line without punctuation ends a unit.
        ("Introduction\nIn recent years, things changed.", ["Introduction", "In recent years, things changed."]),
        # Items of an unmarked list after a colon, each its own unit.
        (
            "It leads to:\nIncreased cortical entropy\nEnhanced emotional processing\nThis matters.",
            ["It leads to:", "Increased cortical entropy", "Enhanced emotional processing", "This matters."],
        ),
        # Bulleted and numbered lines are units even when the previous line runs on.
        ("Effects include\n- more BDNF and\n- new synapses", ["Effects include", "- more BDNF and", "- new synapses"]),
        ("Steps\n1. Screen the patient\n2. Dose", ["Steps", "1. Screen the patient", "2. Dose"]),
        # A line ending after an abbreviation followed by a capitalised line: still a boundary.
        ("Authors: Michael A. Duman, Ronald S. Duman, et al.\nRewiring the Brain", ["Authors: Michael A. Duman, Ronald S. Duman, et al.", "Rewiring the Brain"]),
        # Blank lines always separate.
        ("First paragraph ends without a stop\n\nSecond paragraph", ["First paragraph ends without a stop", "Second paragraph"]),
        # A line that continues in lower case, or after a comma or a function word, is one sentence.
        ("Ketamine increases the production of\nBDNF in the cortex.", ["Ketamine increases the production of\nBDNF in the cortex."]),
        ("Ketamine acts on NMDA receptors,\nAMPA receptors and mTOR.", ["Ketamine acts on NMDA receptors,\nAMPA receptors and mTOR."]),
        ("Ketamine acts quickly\nbecause it blocks NMDA receptors.", ["Ketamine acts quickly\nbecause it blocks NMDA receptors."]),
        # A bracket left open on one line does not swallow the boundaries of the next.
        ("(Open here\nMiddle. Text) end.", ["(Open here", "Middle.", "Text) end."]),
        # Windows-style leftovers and trailing spaces do not leak into spans.
        ("  Indented sentence here.   \n\n  Another one.  ", ["Indented sentence here.", "Another one."]),
    ],
)
def test_sentences_treat_line_breaks_by_what_the_line_is(text, expected):
    assert _sentences(text) == expected


def test_sentences_join_lines_of_hard_wrapped_text():
    text = (
        "Ketamine produces rapid antidepressant effects in patients whose depression\n"
        "has not responded to conventional treatments, and these effects appear within\n"
        "Hours of a single infusion rather than after weeks of daily dosing as with SSRIs.\n"
        "The mechanism involves a transient surge of glutamate release in the prefrontal\n"
        "Cortex followed by activation of AMPA receptors and the mTOR signalling pathway.\n"
        "\n"
        "Methods\n"
        "We reviewed trials.\n"
    )
    sentences = _sentences(text)
    assert len(sentences) == 4
    assert sentences[0].startswith("Ketamine produces") and sentences[0].endswith("SSRIs.")
    assert sentences[1].startswith("The mechanism") and sentences[1].endswith("pathway.")
    assert sentences[2:] == ["Methods", "We reviewed trials."]


def test_sentences_keep_one_line_paragraphs_of_pasted_web_text_apart():
    # Lines of similar length that each end a sentence are paragraphs, not wrapped text.
    text = (
        "Increase the production of BDNF (Brain-Derived Neurotrophic Factor)\n"
        "Enhance synaptogenesis (the formation of new synaptic connections)\n"
        "Reverse stress-related damage in the brain's prefrontal cortex and hippocampus\n"
        "This process is a cornerstone of neuroplasticity.\n"
    )
    assert len(_sentences(text)) == 4


# --- offsets --------------------------------------------------------------------------------------


def test_sentences_return_absolute_trimmed_ordered_offsets_inside_the_range():
    text = "Header line\n\n  First sentence here. Second one (e.g. this).  \nTail"
    start = text.index("First") - 2
    end = text.index("Tail") - 1
    spans = split_sentences(text, start, end)
    assert [text[s:e] for s, e in spans] == ["First sentence here.", "Second one (e.g. this)."]
    for (s, e), (s2, _) in zip(spans, spans[1:]):
        assert e <= s2
    assert all(start <= s < e <= end for s, e in spans)
    assert all(text[s:e] == text[s:e].strip() for s, e in spans)


@pytest.mark.parametrize("text, start, end", [("", 0, None), ("   \n\n  ", 0, None), ("Some text.", 5, 5), ("Some text.", 8, 3)])
def test_sentences_of_empty_ranges_are_empty(text, start, end):
    assert split_sentences(text, start, end) == []


def test_sentences_are_deterministic_and_cover_all_words():
    text = "Dr. A. B. Cole wrote this (see Fig. 1. Left panel.) on 2.5 mg. And then? Yes!\nHeading\n- item one\n"
    first = split_sentences(text)
    assert first == split_sentences(text)
    covered = "".join(text[s:e] for s, e in first)
    assert re.sub(r"\s", "", covered) == re.sub(r"\s", "", text)


# --- speed ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Ketamine acts fast (e.g. within hours). Dr. Smith agreed, vs. placebo.\nHeading Line\n- bullet item\n" * 12_000,
        "(" * 200_000 + "." * 200_000,  # unbalanced brackets and runs of dots must not go quadratic
        "word " * 200_000,  # one sentence of a megabyte, no punctuation
    ],
    ids=["prose", "brackets-and-dots", "no-punctuation"],
)
def test_sentences_split_a_megabyte_text(text):
    # speed is measured in bench/, never asserted here; this guards correctness at scale
    offsets = split_sentences(text)
    assert all(0 <= start < end <= len(text) for start, end in offsets)
    assert all(a[1] <= b[0] for a, b in zip(offsets, offsets[1:]))


# --- real abstracts -------------------------------------------------------------------------------


def test_sentences_of_medline_abstracts_never_end_at_an_abbreviation(shared_data):
    path = shared_data / "jats" / "medline" / "ground_truth.jsonl"
    if not path.is_file():
        pytest.skip(f"../shared/data has no {path.relative_to(shared_data)}")
    bad_end = re.compile(r"(?:\be\.g|\bi\.e|\bet al|\bFigs?|\bvs|\bDrs?|\bcf)\.$")
    sentences = bad = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        abstract = json.loads(line).get("abstract") or ""
        for start, end in split_sentences(abstract):
            sentences += 1
            sentence = abstract[start:end]
            bad += bool(bad_end.search(sentence)) or sentence[0].islower()
    assert sentences > 1000
    assert bad == 0
