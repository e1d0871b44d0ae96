"""How a cited work is shown: the facts a page needs about one reference, with its links.

Shared by the reader pages (``public.render_cache``) and the reviewer's view of a version, so
both show a reference, and check its links, the same way.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReferenceFact:
    number: int
    kind: str
    kind_label: str
    title: str
    authors: str
    source: str
    year: int
    doi: str
    pmid: str
    url: str
    evidence_label: str
    backlinks: tuple[str, ...] = ()

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    @property
    def web_url(self) -> str:
        # Validated on input already; checked again because an href is where a script would hide.
        return self.url if self.url.lower().startswith(("https://", "http://")) else ""

    @property
    def links(self) -> list[str]:
        return [u for u in (self.doi_url, self.pubmed_url, self.web_url) if u]
