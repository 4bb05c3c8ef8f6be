"""The one small interface every bibliographic source implements.

A source knows how to fetch records by the identifiers it understands and how to
search for a citation. It does I/O and parsing only; caching, concurrency and the
verdict live elsewhere (resolve.py, verdict.py). Errors that mean "could not ask"
are raised as SourceError so that they end as "unchecked", never "unfound".
"""

from __future__ import annotations

from typing import Protocol, Sequence, runtime_checkable

from citeaudit.models import Citation, Record


class SourceError(Exception):
    """The source could not be asked or gave no usable answer (one-line reason)."""


@runtime_checkable
class Source(Protocol):
    #: short name stored with every record and shown in reports ("crossref", "pubmed")
    name: str
    #: identifier kinds `fetch` understands: "doi", "pmid"
    id_kinds: tuple[str, ...]

    def fetch(self, kind: str, ids: Sequence[str]) -> dict[str, Record | None]:
        """Records for identifiers of `kind`; None for an identifier the source does not have.

        Raises SourceError when the source could not be asked.
        """

    def search(self, citation: Citation, limit: int = 5) -> list[Record]:
        """Candidate records for a citation, best first. Raises SourceError."""

    def applies_to(self, citation: Citation) -> bool:
        """Whether this source has anything to ask for the citation."""
