"""Records already stored in audit.db, as a source: used by `--offline`.

Lookups by DOI/PMID read the records table; searches use its FTS5 index over title,
authors and journal. Nothing here touches the network.
"""

from __future__ import annotations

from typing import Sequence

from citeaudit.models import Citation, Record


class LocalSource:
    name = "local"
    id_kinds = ("doi", "pmid")

    def __init__(self, store):
        self.store = store

    def applies_to(self, citation: Citation) -> bool:
        f = citation.fields
        return bool(f.doi or f.pmid or f.title or (f.authors and f.journal))

    def fetch(self, kind: str, ids: Sequence[str]) -> dict[str, Record | None]:
        out: dict[str, Record | None] = {}
        for i in ids:
            rec = self.store.get_record(None, doi=i) if kind == "doi" else self.store.get_record(None, pmid=i)
            out[i] = rec
        return out

    def search(self, citation: Citation, limit: int = 10) -> list[Record]:
        f = citation.fields
        text = " ".join(filter(None, [f.title, " ".join(p.family for p in f.authors[:2]), f.journal]))
        if not text.strip():
            return []
        return self.store.search_records(text, limit=limit)
