"""Choosing the reader from content first and extension second; stages skipped for reader-supplied layers."""

from __future__ import annotations

import pytest

from pipeline import layers as L
from pipeline.document import Span
from pipeline.readers import read_bytes, sniff_format
from pipeline.recipe import STAGES, run_stages


@pytest.mark.parametrize(
    ("data", "suffix", "expected"),
    [
        (b"%PDF-1.7\n...", ".pdf", "pdf"),
        (b"%PDF-1.4\n...", ".txt", "pdf"),  # misnamed PDF
        (b"<!DOCTYPE html><html><body>x</body></html>", ".txt", "html"),
        (b"\n  <html lang='en'><head><title>x</title>", "", "html"),
        (b"<!-- saved --><HTML>", ".htm", "html"),
        (b'<?xml version="1.0"?><!DOCTYPE article PUBLIC "-//NLM//DTD JATS (Z39.96)//EN" "x.dtd"><article>', ".xml", "jats"),
        (b"<article article-type='research-article'><front/></article>", ".nxml", "jats"),
        (b"<?xml version='1.0'?><svg/>", ".xml", "jats"),  # by extension; the JATS reader refuses it clearly
        (b"Just text about <b>tags</b> in prose.", ".txt", "text"),
        (b"# Title\n\nBody", ".md", "text"),
        (b"not a pdf at all", ".pdf", "text"),
    ],
)
def test_readers_sniff_format(data, suffix, expected):
    assert sniff_format(data, suffix) == expected


def test_readers_stage_is_skipped_when_the_reader_supplied_its_layer():
    doc = read_bytes(b"Introduction\nKetamine blocks NMDA receptors in the brain.\n", "a.txt")
    supplied = Span(0, 12, "introduction", {"heading": "Supplied", "level": 1, "number": None, "heading_start": 0, "heading_end": 12, "parent_heading_start": None})
    doc = doc.with_layers({L.SECTIONS: [supplied]})
    result = run_stages(doc, STAGES)
    assert result.layer(L.SECTIONS) == (supplied,)
    assert result.has_layer(L.ENTITIES)  # the other stages still ran
