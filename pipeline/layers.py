"""Names of the document layers, and what each layer's spans carry.

One module so a reader of any stage can see the whole contract. Readers produce ``LINES`` (the PDF reader also ``PDF_BLOCKS``, ``PDF_PAGES`` and ``TABLES``);
each stage returns new layers; :mod:`pipeline.record.assemble` turns layers into the record.
Spans reference other spans only by character offsets (never by list position), so layers
stay independent and the record's IDs can be derived from content.

=================  =========================================================================
layer              span (start, end), ``label`` and ``attrs``
=================  =========================================================================
``lines``          every line of the text, newline excluded (reader). label ``line``.
                   attrs: ``markup`` one of None, "heading", "heading_underline" (a setext
                   underline), "list_item" (bullet), "ordered_item" ("1.", "a)"), "blank",
                   "fence", "code" (inside a fence); ``heading_level`` (int) for Markdown
                   headings; ``marker_end`` offset of the end of a list/heading marker ("# ",
                   "- ", "1. ") where there is one (a setext heading has marker_end == start).
``links``          hyperlinks of an HTML page (reader): span = the anchor text. label ``link``.
                   attrs: ``href`` (the target, made absolute against the page URL when known).
``pdf_blocks``     layout blocks of a PDF in reading order (PDF reader). span = the block's text
                   (empty at the block's place in the text for running headers/footers, which
                   are not in the text: their words are in attrs ``text``). label = ``role``,
                   one of "title", "heading", "body", "caption", "footnote", "header", "footer".
                   attrs: ``page`` (1-based), ``bbox`` [x0, y0, x1, y1] in PDF points with the
                   origin at the page's top-left, ``font_size`` (points), ``bold``, ``role``,
                   ``heading_level`` (headings only).
``pdf_pages``      one span per PDF page (PDF reader): the text of that page's blocks. label
                   ``page``. attrs: ``number`` (1-based), ``width``, ``height`` (points),
                   ``text_quality`` (0-1, the whole document's: share of word-like tokens),
                   ``glyph_consistency`` (page 1 only: 1 minus the share of letters drawn from
                   another font inside a word, :mod:`pipeline.readers._pdf_glyphs`).
``tables``         tables of a PDF (PDF reader, :mod:`pipeline.readers._pdf_tables`). label
                   ``table``. span = from the first to the last of its cells found in the text,
                   else its caption, else empty at the start of its text region. attrs: ``page``,
                   ``bbox``, ``rows``, ``cols``, ``strategy`` ("lines": ruled cells; "text":
                   horizontal rules, columns from text alignment), ``label`` ("Table 2" or None),
                   ``caption_start``/``caption_end`` (the caption block, or None), ``cells``: list
                   of {row, col, row_span, col_span, text, start, end, bbox} in row order; start/
                   end locate the cell's text in the document text (then text == text[start:end])
                   or are None when it is not found there (text is then the PDF's cell text).
``sections``       body of a section: from the end of its heading line (after the newline) to
                   the start of the next heading of the same or a higher level (so a section's
                   body contains its sub-sections). label = ``kind``. attrs: ``heading``,
                   ``level``, ``number`` (str or None), ``heading_start``, ``heading_end``,
                   ``parent_heading_start`` (int or None: the parent's heading_start);
                   optionally ``part`` ("front", "body", "back") where the format says so (JATS).
``metadata``       one span per piece of evidence for an article field. label = field name
                   (title, author, published, publisher, journal, volume, issue, pages, doi,
                   pmid, pmcid, url, abstract, keyword). attrs: ``value`` (normalised value;
                   for ``author``: ``name``, ``given``, ``family``, ``affiliations``), ``primary``
                   (bool). The field's value comes from its ``primary`` span, else from its
                   first span in text order; every span is evidence. Authors: each primary
                   ``author`` span is one author, in text order (none primary: all of them).
``citations``      one span per cited work (its main evidence). label = ``role`` (subject,
                   reference). attrs: ``key`` (stage-unique), ``title``, ``authors`` (list of
                   {name, given, family}), ``journal``, ``year``, ``volume``, ``issue``, ``pages``,
                   ``doi``, ``pmid``, ``url``, ``raw``, ``evidence`` (list of {field, start, end},
                   in-text markers use field ``marker``).
``entities``       one span per mention. label in ENTITY_LABELS. attrs: ``norm`` ({db, id, name}
                   or None), ``method`` (lexicon, model, pattern, abbreviation), ``score``.
``abbreviations``  span = the short form where it is defined. label ``abbreviation``. attrs:
                   ``long``, ``long_start``, ``long_end``.
``relations``      span = the evidence (usually the sentence). label = action (agonist, ...).
                   attrs: ``subject`` [start, end] of the compound entity, ``object`` [start, end]
                   of the target entity, ``method``, ``score``.
``summary``        label in key_point, limitation, digest; span = the sentence or list item.
``warnings``       label = warning code; attrs: ``message``; ``located`` False when the warning
                   concerns the whole document (then start = end = 0). This layer is the only
                   one that several stages may add to.
=================  =========================================================================
"""

from __future__ import annotations

LINES = "lines"
LINKS = "links"
PDF_BLOCKS = "pdf_blocks"
PDF_PAGES = "pdf_pages"
TABLES = "tables"
SECTIONS = "sections"
METADATA = "metadata"
CITATIONS = "citations"
ENTITIES = "entities"
ABBREVIATIONS = "abbreviations"
RELATIONS = "relations"
SUMMARY = "summary"
WARNINGS = "warnings"

#: Layers several stages may contribute to; all others may be set once.
APPENDABLE_LAYERS = frozenset({WARNINGS})

ENTITY_LABELS = ("COMPOUND", "PROTEIN", "PATHWAY", "PROCESS", "ANATOMY", "CONDITION")

SECTION_KINDS = (
    "abstract",
    "introduction",
    "methods",
    "results",
    "discussion",
    "conclusion",
    "limitations",
    "references",
    "other",
)

ENTITY_METHODS = ("lexicon", "model", "pattern", "abbreviation")

METADATA_FIELDS = (
    "title",
    "author",
    "published",
    "publisher",
    "journal",
    "volume",
    "issue",
    "pages",
    "doi",
    "pmid",
    "pmcid",
    "url",
    "abstract",
    "keyword",
)

SUMMARY_KINDS = ("key_point", "limitation", "digest")
