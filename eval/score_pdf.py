"""Score PDF conversion against the JATS-derived ground truth in ../shared/data/pdf.

Why: the PDF reader and the stages after it are tuned on these development PDFs only, and the issue's
bars (title, authors, journal, year, DOI, top-level headings, reference counts) are measured here the
same way every time. Fields, per document, then averaged per corpus and overall:

* title: normalised exact (case, accents, punctuation, spacing ignored) and soft (similarity >= 0.9);
* authors: F1 over normalised family names (a group author counts by its name; a generational
  suffix "Jr", "II", "III" is dropped from both sides, since JATS puts it in the surname and the record
  keeps it in the name only);
* journal: normalised exact (``journal``), and abbreviation-aware (``journal_iso4``): the journal
  name the page prints may be the ISO 4 abbreviation of the ground truth's full name or the reverse
  ("Behav Ecol Sociobiol" for "Behavioral Ecology and Sociobiology"): same words once "of", "and",
  "the" ... are dropped, each abbreviated word starting the full word and spelling a subsequence of
  it ("Natl" of "National");
* year: the record's year is any of the ground truth's ``years``; DOI: exact, case-insensitive;
* headings: F1 of the record's top-level section headings against ``section_headings``, numbering
  ("2.", "II.") stripped from both sides; front and back matter (References, Acknowledgments,
  Conflict of Interests, Abstract, ...) dropped from both, since the ground truth lists body sections
  only (``headings_f1``), and without that filter (``headings_f1_all``);
* references: the record's reference count within 10% of ``n_references``.

Tables (a second table, block "pdf-tables"), where the publisher XML has them (JATS ``<table-wrap>``,
BMC ``<table>`` with ``<entry>`` cells; CERMINE's expected files carry no tables, so that set is not scored): per document,
``tables_count`` = the record has as many distinct tables (a table continued on the next page counts
once: tables are told apart by label, "Table 2") as the XML; ``tables_label_f1`` = F1 of the labels
found against the XML's; ``cell_recall`` = share of the XML's non-empty cell texts (normalised) that
are the text of some cell of the record's table with the same label.

Usage: ``.venv/bin/python eval/score_pdf.py [--write] [--limit N] [--corpus hindawi]``
(``--write`` puts the table in docs/evaluation.md, block "pdf").
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
import time
from difflib import SequenceMatcher
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import f1, norm, replace_block, require_shared_data  # noqa: E402

from pipeline import convert_file  # noqa: E402
from pipeline.errors import PipelineError  # noqa: E402

CORPORA = ("hindawi", "multipub", "cermine")
FIELDS = ("title", "title_soft", "authors_f1", "journal", "journal_iso4", "year", "doi", "headings_f1", "headings_f1_all", "refs_within_10pct")
_NUMBERING = re.compile(r"^\s*(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,5}\.|[A-H]\.)\s+")
TABLE_FIELDS = ("tables_count", "tables_label_f1", "cell_recall")
COMMAND = ".venv/bin/python eval/score_pdf.py --write"
_TABLE_WRAP = re.compile(r"<table-wrap[\s>].*?</table-wrap>", re.S)
_BMC_TABLE = re.compile(r"<table[\s>].*?</table>", re.S)
_LABEL = re.compile(r"<(?:label|title)>(.*?)</(?:label|title)>", re.S)
_CELL = re.compile(r"<(td|th|entry)(?:\s[^>]*)?>(.*?)</\1>", re.S)
_TAG = re.compile(r"<[^>]+>")
_LABEL_KEY = re.compile(r"table\s*([sa]?\d+[a-z]?)", re.I)


#: Front and back matter: the JATS ground truth lists the article body's sections only, so a PDF's real
#: "References" or "Conflict of Interests" heading would count as spurious, and publishers disagree on
#: which of these sit in the body (BMC's "Competing interests"). Both sides drop them before the F1;
#: the unfiltered F1 is reported beside it as headings_f1_all.
_NOT_BODY = re.compile(
    r"^(acknowledge?ments?|references|bibliography|conflicts? of interests?|competing interests?|authors?'?s?'? contributions?"
    r"|funding|abbreviations|(supplementary|supporting) (material|materials|information|data)|additional files?|consent"
    r"|ethical approval|ethics statement|disclosures?|disclaimer|data availability( statement)?|appendix.*|abstract|keywords?)$"
)


_SUFFIX = re.compile(r"\s+(?:jr|sr|ii|iii|iv)$")
_JOURNAL_STOPWORDS = frozenset({"of", "the", "and", "in", "for", "on", "de", "la", "des", "du", "und", "fur"})


def family_key(family: str | None) -> str:
    return _SUFFIX.sub("", norm(family))


def journal_iso4_match(printed: str | None, full: str | None) -> bool:
    """Whether two journal names are equal or one abbreviates the other word by word (ISO 4 style)."""
    a, b = norm(printed), norm(full)
    if not a or not b:
        return False
    if a == b:
        return True
    short = [w for w in a.split() if w not in _JOURNAL_STOPWORDS]
    long = [w for w in b.split() if w not in _JOURNAL_STOPWORDS]
    if sum(map(len, short)) > sum(map(len, long)):
        short, long = long, short
    return len(short) == len(long) and all(_abbreviates(s, w) for s, w in zip(short, long))


def _abbreviates(short: str, word: str) -> bool:
    if short == word:
        return True
    if short[0] != word[0] or len(short) >= len(word):
        return False
    rest = iter(word[1:])
    return all(c in rest for c in short[1:])  # a subsequence: "natl" of "national"


def _body(headings: list[str]) -> list[str]:
    return [h for h in headings if not _NOT_BODY.match(h)]


def heading_key(heading: str) -> str:
    return norm(_NUMBERING.sub("", heading or ""))


def score_document(record: dict, truth: dict) -> dict[str, float | None]:
    article = record["article"]
    scores: dict[str, float | None] = {}
    gold_title, title = norm(truth.get("title")), norm(article.get("title"))
    scores["title"] = float(bool(gold_title) and title == gold_title) if gold_title else None
    scores["title_soft"] = float(bool(title) and SequenceMatcher(None, title, gold_title).ratio() >= 0.9) if gold_title else None
    gold_authors = [family_key(a.get("family") or a.get("collab") or a.get("string")) for a in truth.get("authors") or []]
    authors = [family_key(a.get("family") or a.get("name")) for a in article.get("authors") or []]
    scores["authors_f1"] = f1(authors, gold_authors)[2] if gold_authors else None
    scores["journal"] = float(norm(article.get("journal")) == norm(truth["journal"])) if truth.get("journal") else None
    scores["journal_iso4"] = float(journal_iso4_match(article.get("journal"), truth["journal"])) if truth.get("journal") else None
    published = article.get("published") or ""
    scores["year"] = float(published[:4].isdigit() and int(published[:4]) in truth["years"]) if truth.get("years") else None
    gold_doi = (truth.get("doi") or "").lower()
    scores["doi"] = float((article.get("doi") or "").lower() == gold_doi) if gold_doi else None
    gold_headings = [heading_key(h) for h in truth.get("section_headings") or []]
    headings = [heading_key(s["heading"]) for s in record["sections"] if s["level"] == 1]
    scores["headings_f1"] = f1(_body(headings), _body(gold_headings))[2] if gold_headings else None
    scores["headings_f1_all"] = f1(headings, gold_headings)[2] if gold_headings else None
    n_gold = truth.get("n_references")
    n_refs = sum(1 for c in record["citations"] if c["role"] == "reference")
    scores["refs_within_10pct"] = float(abs(n_refs - n_gold) <= 0.1 * n_gold) if n_gold else None
    return scores


def gold_tables(xml: str, xml_format: str) -> dict[str, list[str]]:
    """The XML's tables: label key ("2", "s1") -> non-empty normalised cell texts."""
    pattern = _BMC_TABLE if xml_format == "bmc-art" else _TABLE_WRAP
    tables: dict[str, list[str]] = {}
    for index, match in enumerate(pattern.finditer(xml), start=1):
        label = _LABEL.search(match.group(0))
        key = _LABEL_KEY.search(_TAG.sub(" ", label.group(1))) if label else None
        cells = [norm(html.unescape(_TAG.sub(" ", cell))) for _, cell in _CELL.findall(match.group(0))]
        tables[key.group(1).lower() if key else str(index)] = [c for c in cells if c]
    return tables


def score_tables(record: dict, xml: str, xml_format: str) -> dict[str, float | None]:
    gold = gold_tables(xml, xml_format)
    found: dict[str, set[str]] = {}
    for index, table in enumerate(record.get("tables") or [], start=1):
        key = _LABEL_KEY.search(table.get("label") or "")
        cells = found.setdefault(key.group(1).lower() if key else f"unlabelled-{index}", set())
        cells.update(norm(cell["text"]) for cell in table["cells"])
    scores: dict[str, float | None] = {"tables_count": float(len(found) == len(gold))}
    scores["tables_label_f1"] = f1(sorted(found), sorted(gold))[2] if gold else None
    gold_cells = [(key, cell) for key, cells in gold.items() for cell in cells]
    scores["cell_recall"] = sum(1 for key, cell in gold_cells if cell in found.get(key, ())) / len(gold_cells) if gold_cells else None
    return scores


def score_corpus(folder: Path, limit: int | None) -> tuple[list[dict], int, float]:
    rows, pages, seconds = [], 0, 0.0
    truths = [json.loads(line) for line in (folder / "ground_truth.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    truths = [t for t in truths if t.get("pdf")][:limit]
    for truth in truths:
        started = time.perf_counter()
        try:
            record = convert_file(folder / truth["pdf"], display_path=truth["pdf"])
        except PipelineError as exc:
            rows.append({"id": truth["id"], "error": exc.code, **{f: 0.0 for f in FIELDS}})
            continue
        seconds += time.perf_counter() - started
        pages += record["source"]["pages"] or 0
        row = {"id": truth["id"], "error": None, **score_document(record, truth)}
        if truth.get("format") in ("jats", "bmc-art") and truth.get("xml"):
            row.update(score_tables(record, (folder / truth["xml"]).read_text(encoding="utf-8", errors="replace"), truth["format"]))
        rows.append(row)
    return rows, pages, seconds


def mean(rows: list[dict], field: str) -> tuple[float | None, int]:
    values = [r[field] for r in rows if r.get(field) is not None]
    return (sum(values) / len(values) if values else None, len(values))


def table(results: dict[str, list[dict]], fields: tuple[str, ...] = FIELDS) -> str:
    everything = [row for rows in results.values() for row in rows]
    header = "| corpus | docs | errors | " + " | ".join(fields) + " |"
    lines = [header, "|" + "---|" * (len(fields) + 3)]
    for name, rows in list(results.items()) + [("overall", everything)]:
        cells = []
        for field in fields:
            value, count = mean(rows, field)
            cells.append("–" if value is None else f"{value:.3f} ({count})")
        errors = sum(1 for r in rows if r.get("error"))
        lines.append(f"| {name} | {len(rows)} | {errors} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="write the table into docs/evaluation.md (block 'pdf')")
    parser.add_argument("--limit", type=int, default=None, help="score at most N documents per corpus")
    parser.add_argument("--corpus", choices=CORPORA, action="append", help="score only this corpus (repeatable)")
    parser.add_argument("--details", action="store_true", help="print per-document scores")
    args = parser.parse_args(argv)
    data = require_shared_data() / "pdf"
    results: dict[str, list[dict]] = {}
    for corpus in args.corpus or CORPORA:
        rows, pages, seconds = score_corpus(data / corpus, args.limit)
        results[corpus] = rows
        print(f"{corpus}: {len(rows)} documents, {pages} pages, {seconds:.1f} s end to end", file=sys.stderr)
        if args.details:
            for row in rows:
                print(json.dumps(row), file=sys.stderr)
    body = table(results)
    print(body)
    tables_body = table({name: rows for name, rows in results.items() if name != "cermine"}, TABLE_FIELDS)
    print(tables_body)
    if args.write:
        note = (
            "PDF articles against the JATS-derived ground truth in `../shared/data/pdf` (development data; "
            "each cell: mean (documents with that field in the ground truth)). Command:\n\n"
            f"```sh\n{COMMAND}\n```\n\n"
            "`headings_f1` compares body sections only: the ground truth lists the JATS body's sections, so front and "
            "back matter (References, Acknowledgments, Conflict of Interests, Funding, Abstract, Keywords, ...) are "
            "dropped from both sides; `headings_f1_all` is the same F1 without that filter, where every real "
            "back-matter heading of the PDF counts as spurious.\n\n"
            "`journal` is the normalised exact match (the old measure); `journal_iso4` also accepts an ISO 4 style "
            "abbreviation of the ground truth's name or the reverse (\"Behav Ecol Sociobiol\" for \"Behavioral Ecology "
            "and Sociobiology\", \"R. Soc. open sci.\" for \"Royal Society Open Science\"): once \"of\", \"and\", \"the\" "
            "... are dropped, both names have the same number of words and each abbreviated word starts its full word "
            "and spells a subsequence of it. Why: the extractor reports the journal name the page prints, and several "
            "publishers print only the abbreviation while the JATS has the full name (or the reverse). Authors F1 "
            "drops a generational suffix (Jr, II, III) from both sides: JATS puts it in the surname, the record keeps "
            "it in the name only.\n\n"
        )
        replace_block("pdf", note + body)
        tables_note = (
            "Tables found in the PDFs against the publisher XML's tables (same command; CERMINE's expected files "
            "have no tables). `tables_count`: as many distinct tables (by label) as the XML; `tables_label_f1`: "
            "labels found vs the XML's; `cell_recall`: share of the XML's non-empty cell texts found as a cell "
            "text of the same table. How tables are found: docs/architecture.md.\n\n"
        )
        replace_block("pdf-tables", tables_note + tables_body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
