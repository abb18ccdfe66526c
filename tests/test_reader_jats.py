"""The JATS reader: text in reading order, exact layers from the XML, evidence spans, safe parsing.

Each test builds a small JATS article by hand, so the input it is about is in front of the reader.
The promise under test: every value the reader takes from the XML is rendered in ``text`` and its
span there holds it; the sections, metadata and citations layers come from the XML (so the
stages that would guess them are skipped); bad or hostile XML gives a coded error, never a hang.
"""

from __future__ import annotations

import pytest

from pipeline.errors import InputError, InvalidXmlError, UnsafeXmlError, UnsupportedFormatError
from pipeline.layers import CITATIONS, LINES, METADATA, SECTIONS, WARNINGS
from pipeline.readers import read_bytes
from pipeline.readers.jats import read_jats_bytes
from pipeline.recipe import convert_bytes
from pipeline.record.integrity import integrity_errors
from pipeline.record.schema import schema_errors

from repo_scripts import load_repo_module

FRONT = """<front>
<journal-meta><journal-id journal-id-type="nlm-ta">J Test Pharmacol</journal-id>
  <journal-title-group><journal-title>Journal of Test Pharmacology</journal-title></journal-title-group>
  <publisher><publisher-name>Test Press</publisher-name></publisher></journal-meta>
<article-meta>
  <article-id pub-id-type="pmid">12345678</article-id>
  <article-id pub-id-type="pmc">998877</article-id>
  <article-id pub-id-type="doi">10.1000/JTP.2020.001</article-id>
  <title-group><article-title>Ketamine and <italic>rapid</italic> antidepressant effects<xref ref-type="fn" rid="fn1">*</xref></article-title></title-group>
  <contrib-group>
    <contrib contrib-type="author"><name><surname>Smith</surname><given-names>Jane A</given-names></name><xref ref-type="aff" rid="aff1">1</xref></contrib>
    <contrib contrib-type="author"><name><surname>Lee</surname><given-names>Min</given-names></name><xref ref-type="aff" rid="aff1">1</xref><xref ref-type="aff" rid="aff2">2</xref></contrib>
    <contrib contrib-type="author"><collab>The Study Group<contrib-group><contrib contrib-type="author"><name><surname>Member</surname><given-names>Not</given-names></name></contrib></contrib-group></collab></contrib>
    <contrib contrib-type="editor"><name><surname>Editor</surname><given-names>Eve</given-names></name></contrib>
  </contrib-group>
  <aff id="aff1"><label>1</label>Department of Psychiatry, Test University, Boston, USA</aff>
  <aff id="aff2"><label>2</label><institution>Brain Institute</institution>, <country>France</country></aff>
  <pub-date pub-type="ppub"><month>6</month><year>2020</year></pub-date>
  <pub-date pub-type="epub"><day>3</day><month>4</month><year>2020</year></pub-date>
  <volume>12</volume><issue>3</issue><fpage>101</fpage><lpage>110</lpage>
  <abstract><p>Ketamine acts within hours.</p><p>It blocks NMDA receptors.</p></abstract>
  <abstract abstract-type="summary"><title>Author Summary</title><p>A plain summary.</p></abstract>
  <kwd-group><kwd>ketamine</kwd><kwd>depression, major</kwd></kwd-group>
</article-meta></front>"""

BODY = """<body>
<sec id="s1"><title>Introduction</title>
  <p>Ketamine helps <xref ref-type="bibr" rid="B1">[1]</xref>, as others found <xref ref-type="bibr" rid="B1 B2">[1,2]</xref>.</p>
  <fig id="f1"><label>Figure 1</label><caption><title>Dose response.</title><p>Mean of three runs.</p></caption><graphic/></fig>
</sec>
<sec id="s2"><title>2. Methods</title>
  <sec><title>2.1 Animals</title><p>Mice were used.</p>
    <sec><title>Housing</title><p>Cages.</p></sec>
  </sec>
  <sec><p>An untitled grouping.</p><sec><title>Statistics</title><p>t tests.</p></sec></sec>
</sec>
<sec id="s3"><label>3</label><title>Results</title><p>It worked.<table-wrap id="t1"><label>Table 1</label><caption><p>Outcomes by group.</p></caption><table><tr><td>cell</td></tr></table></table-wrap> Clearly.</p>
  <list list-type="bullet"><list-item><p>first point</p></list-item><list-item><p>second point</p></list-item></list>
</sec>
</body>"""

BACK = """<back>
<ack><p>We thank the mice.</p></ack>
<ref-list><title>References</title>
  <ref id="B1"><label>1</label><element-citation publication-type="journal">
    <person-group person-group-type="author"><name><surname>Zarate</surname><given-names>CA</given-names></name><name><surname>Singh</surname><given-names>JB</given-names></name><etal/></person-group>
    <article-title>A randomized trial of an NMDA antagonist</article-title><source>Arch Gen Psychiatry</source>
    <year>2006</year><volume>63</volume><issue>8</issue><fpage>856</fpage><lpage>864</lpage>
    <pub-id pub-id-type="doi">10.1001/archpsyc.63.8.856</pub-id><pub-id pub-id-type="pmid">16894061</pub-id></element-citation></ref>
  <ref id="B2"><label>2</label><mixed-citation publication-type="journal"><person-group person-group-type="author"><name><surname>Berman</surname> <given-names>RM</given-names></name>, <name><surname>Cappiello</surname> <given-names>A</given-names></name></person-group> (<year>2000</year>) <article-title>Antidepressant effects of ketamine.</article-title> <source>Biol Psychiatry</source> <volume>47</volume>: <fpage>351</fpage>&#8211;<lpage>354</lpage>.</mixed-citation></ref>
</ref-list>
</back>"""


def jats(front: str = FRONT, body: str = BODY, back: str = BACK, doctype: str = "") -> bytes:
    return f'<?xml version="1.0" encoding="UTF-8"?>{doctype}\n<article xmlns:xlink="http://www.w3.org/1999/xlink">{front}{body}{back}</article>'.encode()


@pytest.fixture(scope="module")
def doc():
    return read_jats_bytes(jats(), path="article.xml")


def _meta(doc) -> dict[str, list]:
    out: dict[str, list] = {}
    for span in doc.layer(METADATA):
        out.setdefault(span.label, []).append(span)
    return out


def _value(doc, field: str):
    return _meta(doc)[field][0].get("value")


# --- metadata -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("title", "Ketamine and rapid antidepressant effects"),
        ("journal", "Journal of Test Pharmacology"),
        ("publisher", "Test Press"),
        ("volume", "12"),
        ("issue", "3"),
        ("pages", "101-110"),
        ("published", "2020-04-03"),
        ("doi", "10.1000/JTP.2020.001"),
        ("pmid", "12345678"),
        ("pmcid", "PMC998877"),
    ],
)
def test_reader_jats_metadata_value_comes_from_the_xml_and_its_span_shows_it(doc, field, value):
    spans = _meta(doc)[field]
    assert [s.get("value") for s in spans] == [value]
    assert spans[0].text_in(doc.text) == value
    assert spans[0].get("primary") is True


def test_reader_jats_authors_are_direct_author_contributors_with_linked_affiliations(doc):
    authors = _meta(doc)["author"]
    assert [(a.get("given"), a.get("family")) for a in authors] == [("Jane A", "Smith"), ("Min", "Lee"), (None, None)]
    assert [a.text_in(doc.text) for a in authors] == ["Jane A Smith", "Min Lee", "The Study Group"]
    assert authors[0].get("affiliations") == ("Department of Psychiatry, Test University, Boston, USA",)
    assert authors[1].get("affiliations") == ("Department of Psychiatry, Test University, Boston, USA", "Brain Institute, France")
    for affiliation in authors[1].get("affiliations"):
        assert affiliation in doc.text
    assert "Editor" not in doc.text and "Not Member" not in doc.text


def test_reader_jats_title_drops_footnote_markers_and_keeps_inline_text(doc):
    assert doc.text.startswith("Ketamine and rapid antidepressant effects\n\n")


def test_reader_jats_abstract_span_covers_the_main_abstract_only(doc):
    (abstract,) = _meta(doc)["abstract"]
    assert abstract.text_in(doc.text) == "Ketamine acts within hours.\n\nIt blocks NMDA receptors."


def test_reader_jats_keywords_each_have_a_span_on_the_keywords_line(doc):
    keywords = _meta(doc)["keyword"]
    assert [k.get("value") for k in keywords] == ["ketamine", "depression, major"]
    assert [k.text_in(doc.text) for k in keywords] == ["ketamine", "depression, major"]
    assert "\nKeywords: ketamine; depression, major\n" in doc.text


@pytest.mark.parametrize(
    "dates, expected",
    [
        ('<pub-date pub-type="ppub"><month>6</month><year>2019</year></pub-date>', "2019-06"),
        ('<pub-date pub-type="collection"><year>2018</year></pub-date><pub-date pub-type="ppub"><year>2019</year></pub-date>', "2019"),
        ('<pub-date date-type="pub" publication-format="print"><year>2017</year></pub-date><pub-date date-type="pub" publication-format="electronic"><day>9</day><month>2</month><year>2016</year></pub-date>', "2016-02-09"),
    ],
)
def test_reader_jats_published_prefers_electronic_then_print_as_precise_as_given(dates, expected):
    front = f"<front><article-meta><title-group><article-title>T</article-title></title-group>{dates}<elocation-id>e42</elocation-id></article-meta></front>"
    doc = read_jats_bytes(jats(front=front), path="a.xml")
    assert _value(doc, "published") == expected
    assert _value(doc, "pages") == "e42"


# --- text and sections ----------------------------------------------------------------------------


def _sections(doc) -> list[tuple]:
    return [(s.get("heading"), s.get("level"), s.get("number"), s.label, s.get("part")) for s in sorted(doc.layer(SECTIONS), key=lambda s: s.get("heading_start"))]


def test_reader_jats_sections_follow_the_sec_tree_with_levels_numbers_and_kinds(doc):
    assert _sections(doc) == [
        ("Abstract", 1, None, "abstract", "front"),
        ("Author Summary", 1, None, "abstract", "front"),
        ("Introduction", 1, None, "introduction", "body"),
        ("Methods", 1, "2", "methods", "body"),
        ("Animals", 2, "2.1", "other", "body"),
        ("Housing", 3, None, "other", "body"),
        ("Statistics", 2, None, "other", "body"),
        ("Results", 1, "3", "results", "body"),
        ("Acknowledgments", 1, None, "other", "back"),
        ("References", 1, None, "references", "back"),
    ]


def test_reader_jats_section_spans_nest_and_point_at_their_parent(doc):
    by_heading = {s.get("heading"): s for s in doc.layer(SECTIONS)}
    methods, animals, housing = by_heading["Methods"], by_heading["Animals"], by_heading["Housing"]
    assert methods.contains(animals) and animals.contains(housing)
    assert housing.get("parent_heading_start") == animals.get("heading_start")
    assert animals.get("parent_heading_start") == methods.get("heading_start")
    assert by_heading["Statistics"].get("parent_heading_start") == methods.get("heading_start")
    assert doc.text[methods.get("heading_start") : methods.get("heading_end")] == "Methods"
    assert "\n2. Methods\n" in doc.text and "\n3 Results\n" in doc.text  # numbers stay in the text
    assert "An untitled grouping." in methods.text_in(doc.text)
    assert not by_heading["Introduction"].contains(methods)


def test_reader_jats_heading_lines_are_marked_in_the_lines_layer(doc):
    headings = [(line.text_in(doc.text), line.get("heading_level")) for line in doc.layer(LINES) if line.get("markup") == "heading"]
    assert ("2.1 Animals", 2) in headings and ("Housing", 3) in headings and ("References", 1) in headings
    assert len(headings) == len(doc.layer(SECTIONS))


def test_reader_jats_paragraphs_are_blocks_and_captions_are_blocks_of_their_own(doc):
    assert "\n\nFigure 1. Dose response. Mean of three runs.\n\n" in doc.text
    assert "\n\nIt worked. Clearly.\n\nTable 1. Outcomes by group.\n\n" in doc.text
    assert "cell" not in doc.text.split("Table 1.")[1].split("\n")[0]  # table cells are not text
    items = [line.text_in(doc.text) for line in doc.layer(LINES) if line.get("markup") == "list_item"]
    assert items == ["- first point", "- second point"]


# --- references -----------------------------------------------------------------------------------


def _references(doc):
    return {c.get("key"): c for c in doc.layer(CITATIONS)}


def test_reader_jats_references_are_structured_from_element_citation(doc):
    ref = _references(doc)["B1"]
    assert ref.label == "reference"
    assert ref.get("title") == "A randomized trial of an NMDA antagonist"
    assert [(a["given"], a["family"]) for a in ref.get("authors")] == [("CA", "Zarate"), ("JB", "Singh")]
    assert (ref.get("journal"), ref.get("year"), ref.get("volume"), ref.get("issue"), ref.get("pages")) == ("Arch Gen Psychiatry", 2006, "63", "8", "856-864")
    assert (ref.get("doi"), ref.get("pmid")) == ("10.1001/archpsyc.63.8.856", "16894061")
    assert ref.text_in(doc.text).startswith("1. Zarate CA, Singh JB, et al. A randomized trial")
    assert "\n" not in ref.text_in(doc.text)
    assert ref.get("raw") == ref.text_in(doc.text)[len("1. ") :]


def test_reader_jats_references_keep_mixed_citation_text_as_written(doc):
    ref = _references(doc)["B2"]
    assert ref.get("raw") == "Berman RM, Cappiello A (2000) Antidepressant effects of ketamine. Biol Psychiatry 47: 351–354."
    assert (ref.get("year"), ref.get("pages"), ref.get("journal")) == (2000, "351-354", "Biol Psychiatry")


def test_reader_jats_reference_evidence_spans_hold_their_values(doc):
    text = doc.text
    ref = _references(doc)["B1"]
    evidence = {e["field"]: text[e["start"] : e["end"]] for e in ref.get("evidence") if e["field"] != "marker"}
    assert evidence["title"] == ref.get("title")
    assert evidence["journal"] == ref.get("journal")
    assert evidence["doi"] == ref.get("doi") and evidence["pmid"] == ref.get("pmid")
    assert evidence["year"] == "2006" and evidence["pages"] == "856-864"


def test_reader_jats_in_text_citations_are_markers_of_every_reference_they_name(doc):
    refs = _references(doc)
    markers = {key: [doc.text[e["start"] : e["end"]] for e in ref.get("evidence") if e["field"] == "marker"] for key, ref in refs.items()}
    assert markers == {"B1": ["[1]", "[1,2]"], "B2": ["[1,2]"]}
    assert "Ketamine helps [1], as others found [1,2]." in doc.text


# --- the record -----------------------------------------------------------------------------------


def test_reader_jats_record_is_valid_and_stages_do_not_replace_the_readers_layers():
    record = convert_bytes(jats(), "article.xml")
    assert schema_errors(record) + integrity_errors(record) == []
    assert record["source"]["media_type"] == "application/jats+xml"
    assert record["article"]["title"] == "Ketamine and rapid antidepressant effects"
    assert [a["family"] for a in record["article"]["authors"]] == ["Smith", "Lee", None]
    assert [s["heading"] for s in record["sections"] if s["level"] == 1] == ["Abstract", "Author Summary", "Introduction", "Methods", "Results", "Acknowledgments", "References"]
    assert len([c for c in record["citations"] if c["role"] == "reference"]) == 2
    assert any(e["label"] == "COMPOUND" and e["text"] == "Ketamine" for e in record["entities"])


def test_reader_jats_is_deterministic():
    first, second = read_jats_bytes(jats(), path="a.xml"), read_jats_bytes(jats(), path="a.xml")
    assert first.text == second.text
    assert {name: [(s.start, s.end, s.label, dict(s.attrs)) for s in spans] for name, spans in first.layers.items()} == {
        name: [(s.start, s.end, s.label, dict(s.attrs)) for s in spans] for name, spans in second.layers.items()
    }


def test_reader_jats_is_chosen_by_content_whatever_the_extension():
    assert read_bytes(jats(), "article.txt").source.media_type == "application/jats+xml"
    assert read_bytes(jats(), "article.nxml").source.media_type == "application/jats+xml"


def test_reader_jats_without_body_gives_metadata_and_a_warning():
    doc = read_jats_bytes(jats(body="", back=""), path="meta-only.xml")
    assert [w.label for w in doc.layer(WARNINGS)] == ["jats-no-body"]
    assert _value(doc, "title") == "Ketamine and rapid antidepressant effects"
    assert [s.get("part") for s in doc.layer(SECTIONS)] == ["front", "front"]
    record = convert_bytes(jats(body="", back=""), "meta-only.xml")
    assert record["warnings"][0]["code"] == "jats-no-body"


def test_reader_jats_named_character_entities_from_the_dtd_are_resolved():
    doctype = '<!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96) Journal Archiving and Interchange DTD v1.0 20120330//EN" "JATS-archivearticle1.dtd">'
    front = "<front><article-meta><title-group><article-title>&alpha;-synuclein &ndash; a review&#x2009;&lsqb;1&rsqb;</article-title></title-group></article-meta></front>"
    doc = read_jats_bytes(jats(front=front, body="<body><p>x</p></body>", back="", doctype=doctype), path="a.xml")
    assert _value(doc, "title") == "α-synuclein – a review [1]"


# --- bad and hostile input ------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"<article><front></article>", jats()[:-40], b"<?xml version='1.0'?><article>&nosuchentity;</article>"])
def test_reader_jats_invalid_xml_is_a_coded_input_error(data):
    with pytest.raises(InvalidXmlError) as caught:
        read_jats_bytes(data, path="bad.xml")
    assert caught.value.code == "P107" and isinstance(caught.value, InputError)


def test_reader_jats_external_dtd_is_never_fetched(tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY secret "LEAKED">', encoding="utf-8")
    doctype = f'<!DOCTYPE article SYSTEM "{dtd.as_uri()}">'
    front = "<front><article-meta><title-group><article-title>T &secret;</article-title></title-group></article-meta></front>"
    try:
        doc = read_jats_bytes(jats(front=front, doctype=doctype), path="a.xml")
    except InvalidXmlError as error:  # the entity the DTD would define stays undefined
        assert "secret" in error.message
    else:
        pytest.fail(f"an entity from an external DTD was resolved: {doc.text[:80]!r}")


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE article [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(3, 10))
        + "]>",
        '<!DOCTYPE article [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE article [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>',
    ],
    ids=["billion-laughs", "external-entity", "parameter-entity"],
)
def test_reader_jats_entity_declarations_are_refused_before_expansion(doctype):
    front = "<front><article-meta><title-group><article-title>T &lol9;</article-title></title-group></article-meta></front>"
    with pytest.raises(UnsafeXmlError) as caught:
        read_jats_bytes(jats(front=front, doctype=doctype), path="bomb.xml")
    assert caught.value.code == "P108"


def test_reader_jats_xml_that_is_not_an_article_is_refused():
    with pytest.raises(UnsupportedFormatError):
        read_jats_bytes(b"<?xml version='1.0'?><PubmedArticleSet><PubmedArticle/></PubmedArticleSet>", path="a.xml")


def test_reader_jats_deep_nesting_gives_a_coded_error_or_a_record_never_a_crash():
    deep_inline = "<p>" + "<italic>" * 10000 + "deep" + "</italic>" * 10000 + "</p>"
    doc = read_jats_bytes(jats(body=f"<body>{deep_inline}</body>", back=""), path="deep.xml")
    assert "\n\ndeep\n" in doc.text
    deep_sections = "<body>" + "<sec><title>S</title>" * 10000 + "</sec>" * 10000 + "</body>"
    with pytest.raises(InputError):
        read_jats_bytes(jats(body=deep_sections, back=""), path="deep.xml")


# --- real articles ----------------------------------------------------------------------------------


def _scorer():
    return load_repo_module("eval/score_jats.py")


@pytest.mark.parametrize("corpus", ["plos", "elife", "pmc"])
def test_reader_jats_meets_the_bar_on_development_articles(shared_data, corpus):
    scorer = _scorer()
    result = scorer.score_corpus(shared_data / "jats" / corpus)
    shares = {measure: result["correct"][measure] / result["n"] for measure in scorer.MEASURES}
    assert all(share >= scorer.BAR for share in shares.values()), (shares, result["failures"][:5])
