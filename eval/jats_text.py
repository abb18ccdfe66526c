"""Render a JATS article as the plain text or Markdown a person would paste, for evaluation.

The text pipeline has no JATS reader yet (that is another issue), but JATS articles are the best
real, independently written articles we have with exact ground truth. Rendering them as text lets
us score the text/Markdown path on articles nobody here wrote: the title on the first line, an
author byline, the DOI, the abstract under an "Abstract" heading, every body section heading on a
line of its own followed by its paragraphs, and the reference list under "References".

Only the text is rendered; no ground-truth value is passed to the pipeline any other way.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

_SPACE = re.compile(r"\s+")
_SKIP_INLINE = {"xref"}  # in-text markers such as superscript reference numbers are kept as text


def _text(element: ET.Element | None) -> str:
    if element is None:
        return ""
    return _SPACE.sub(" ", "".join(element.itertext())).strip()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _paragraphs(sec: ET.Element) -> list[str]:
    out = []
    for child in sec:
        name = _local(child.tag)
        if name == "p":
            text = _text(child)
            if text:
                out.append(text)
        elif name in ("list",):
            for item in child.iter():
                if _local(item.tag) == "list-item":
                    text = _text(item)
                    if text:
                        out.append(f"- {text}")
    return out


def _render_section(sec: ET.Element, depth: int, markdown: bool, lines: list[str]) -> None:
    title = _text(sec.find("title"))
    if title:
        lines.append(("#" * min(depth + 1, 6) + " " if markdown else "") + title)
    lines.extend(_paragraphs(sec))
    for child in sec:
        if _local(child.tag) == "sec":
            _render_section(child, depth + 1, markdown, lines)


def render(xml_bytes: bytes, *, markdown: bool = False) -> str:
    """The article as text: paragraphs separated by blank lines."""
    root = ET.fromstring(xml_bytes)
    meta = root.find("front/article-meta")
    lines: list[str] = []
    title = _text(meta.find("title-group/article-title")) if meta is not None else ""
    if title:
        lines.append(("# " if markdown else "") + title)
    if meta is not None:
        names = []
        for contrib in meta.iterfind("contrib-group/contrib"):
            if contrib.get("contrib-type") != "author":
                continue
            given, family = _text(contrib.find("name/given-names")), _text(contrib.find("name/surname"))
            collab = _text(contrib.find("collab"))
            name = " ".join(p for p in (given, family) if p) or collab
            if name:
                names.append(name)
        if names:
            lines.append("By " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]))
        doi = meta.find("article-id[@pub-id-type='doi']")
        if doi is not None and _text(doi):
            lines.append(f"DOI: {_text(doi)}")
        abstract = next((a for a in meta.iterfind("abstract") if not a.get("abstract-type")), None)
        if abstract is not None:
            lines.append(("## " if markdown else "") + "Abstract")
            paragraphs = [_text(p) for p in abstract.iter() if _local(p.tag) == "p"]
            lines.extend(p for p in paragraphs if p)
    body = root.find("body")
    if body is not None:
        lines.extend(_paragraphs(body))
        for sec in body.iterfind("sec"):
            _render_section(sec, 1, markdown, lines)
    refs = root.findall("back/ref-list/ref")
    if refs:
        lines.append(("## " if markdown else "") + "References")
        for index, ref in enumerate(refs, 1):
            citation = ref.find("mixed-citation")
            if citation is None:
                citation = ref.find("element-citation")
            if citation is None:
                citation = ref.find("citation")
            text = _text(citation)
            if text:
                lines.append(f"{index}. {text}")
    return "\n\n".join(lines) + "\n"
