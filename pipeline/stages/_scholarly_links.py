"""Recognise links that point at a scholarly work: doi.org, PubMed, PMC and journal article pages.

News stories and explainers rarely print a full citation; they link the study instead ("a paper
in Nature Medicine" with the anchor on doi.org/10.1038/...). The link target is then the most
precise identifier the page gives. :func:`classify` reads a URL into the identifiers it carries
(DOI, PMID) and says whether it is a work's page at all; it never fetches anything.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

_DOI_IN_PATH = re.compile(r"(10\.\d{4,9}/[^\s?#]+)")
_PUBMED = re.compile(r"^/(?:pubmed/)?(\d{1,9})/?$")
_NCBI_PUBMED = re.compile(r"^/pubmed/(\d{1,9})/?$")

#: Hosts (and path prefixes) of article pages at publishers, preprint servers and archives.
ARTICLE_PAGES = (
    ("nature.com", "/articles/"),
    ("science.org", "/doi/"),
    ("cell.com", "/"),
    ("thelancet.com", "/journals/"),
    ("jamanetwork.com", "/journals/"),
    ("nejm.org", "/doi/"),
    ("bmj.com", "/content/"),
    ("casereports.bmj.com", "/content/"),
    ("pnas.org", "/doi/"),
    ("journals.plos.org", "/"),
    ("elifesciences.org", "/articles/"),
    ("frontiersin.org", "/articles/"),
    ("sciencedirect.com", "/science/article/"),
    ("link.springer.com", "/article/"),
    ("onlinelibrary.wiley.com", "/doi/"),
    ("academic.oup.com", "/"),
    ("tandfonline.com", "/doi/"),
    ("journals.sagepub.com", "/doi/"),
    ("mdpi.com", "/"),
    ("biorxiv.org", "/content/"),
    ("medrxiv.org", "/content/"),
    ("arxiv.org", "/abs/"),
    ("ncbi.nlm.nih.gov", "/pmc/articles/"),
    ("pmc.ncbi.nlm.nih.gov", "/articles/"),
    ("europepmc.org", "/article/"),
    ("jneurosci.org", "/content/"),
    ("psychiatryonline.org", "/doi/"),
    ("karger.com", "/"),
    ("cambridge.org", "/core/journals/"),
    ("acs.org", "/doi/"),
)


def classify(url: str) -> dict[str, str] | None:
    """``{"url": ..., "doi"?: ..., "pmid"?: ...}`` for a link to a scholarly work, else None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().removeprefix("www.")
    path = unquote(parts.path)
    if host in ("doi.org", "dx.doi.org"):
        doi = _DOI_IN_PATH.search(path)
        return {"url": url, "doi": doi.group(1).rstrip(".,;")} if doi else None
    if host == "pubmed.ncbi.nlm.nih.gov" or host == "ncbi.nlm.nih.gov":
        pmid = (_PUBMED if host.startswith("pubmed") else _NCBI_PUBMED).match(path)
        if pmid:
            return {"url": url, "pmid": pmid.group(1)}
    for site, prefix in ARTICLE_PAGES:
        if (host == site or host.endswith("." + site)) and path.startswith(prefix) and len(path) > len(prefix) + 4:
            found = {"url": url}
            doi = _DOI_IN_PATH.search(path)
            if doi:
                found["doi"] = _page_suffix(doi.group(1), preprint=site in ("biorxiv.org", "medrxiv.org"))
            return found
    return None


def _page_suffix(doi: str, *, preprint: bool) -> str:
    """'10.1101/2020.01.01.123456v2.full' -> '10.1101/2020.01.01.123456': the page, not the DOI."""
    doi = re.sub(r"(?:[./](?:full|abstract|pdf|full-text|fulltext|supplementary-material))+/?$", "", doi.rstrip(".,;/"))
    return re.sub(r"v\d+$", "", doi) if preprint else doi
