"""Ask the sources about a list of citations: identifiers first, then batched citation
matching, then searches for whatever is still unsettled.

Each stage runs concurrently across citations; each source's Pool keeps its requests
inside the service's limits. Stored records younger than the configured age are used
instead of asking again, identical citations are resolved once, and every record
fetched is handed back for storing. A source failure becomes a SourceAnswer with
ok=False: the verdict turns that into "unchecked", never "unfound".
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Sequence

from .match import assess, group_works
from .models import Citation, Record, SourceAnswer
from .sources.base import Source, SourceError

Progress = Callable[[int], None]


@dataclass
class _Work:
    """What is known about one distinct citation while it is being resolved."""

    citation: Citation
    answers: dict[str, SourceAnswer] = field(default_factory=dict)

    def answer(self, source: str) -> SourceAnswer:
        if source not in self.answers:
            self.answers[source] = SourceAnswer(source=source)
        return self.answers[source]

    def records(self) -> list[Record]:
        out = []
        for a in self.answers.values():
            out += a.records + [r for r in a.by_identifier.values() if r is not None]
        return out

    def settled(self) -> bool:
        """A fitting work with nothing differing is already in hand: no need to search."""
        f = self.citation.fields
        return any((x.accepted and not x.differences) for x in (assess(f, g) for g in group_works(self.records())))


def citation_key(c: Citation) -> str:
    """Two citations with the same stated details are resolved once."""
    d = c.fields.to_dict()
    d.pop("url", None)
    return hashlib.sha1(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()


class Resolver:
    def __init__(self, sources: Sequence[Source], store=None, max_age_days: float | None = 30.0,
                 workers: int = 8, progress: Progress | None = None):
        self.sources = list(sources)
        self.store = store
        self.max_age_days = max_age_days  # None: always ask (refresh)
        self.workers = workers
        self.progress = progress
        self.fetched: list[Record] = []

    # --- cache --------------------------------------------------------------------

    def _cached_record(self, source: Source, kind: str, ident: str) -> tuple[bool, Record | None]:
        if self.store is None or self.max_age_days is None or source.name == "local":
            return False, None
        rec = self.store.get_record(source.name, **{kind: ident}, max_age_days=self.max_age_days)
        if rec is not None:
            return True, rec
        hit = self.store.get_search(source.name, f"{kind}:{ident}", self.max_age_days)
        if hit is not None and not hit:  # known not to exist, recently
            return True, None
        return False, None

    def _cached_search(self, source: Source, key: str) -> list[Record] | None:
        if self.store is None or self.max_age_days is None or source.name == "local":
            return None
        return self.store.get_search(source.name, key, self.max_age_days)

    def _remember(self, source: Source, key: str, records: list[Record]) -> None:
        self.fetched += records
        if self.store is not None and source.name != "local":
            self.store.save_records(records)
            self.store.save_search(source.name, key, records)

    # --- stages -------------------------------------------------------------------

    def resolve(self, citations: Sequence[Citation]) -> list[list[SourceAnswer]]:
        """One list of SourceAnswer per citation, in order."""
        works: dict[str, _Work] = {}
        slots: list[str | None] = []
        for c in citations:
            if c.category == "grey" and not (c.fields.doi or c.fields.pmid):
                slots.append(None)
                continue
            k = citation_key(c)
            works.setdefault(k, _Work(c))
            slots.append(k)
        todo = list(works.values())
        for w in todo:
            for s in self.sources:
                a = w.answer(s.name)
                a.applicable = s.applies_to(w.citation)
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            self._identifiers(todo, pool)
            self._citmatch(todo)
            for s in self.sources:
                self._searches(s, [w for w in todo if not w.settled() and w.answer(s.name).applicable
                                   and w.answer(s.name).ok], pool)
        if self.progress:
            self.progress(len(citations))
        return [list(works[k].answers.values()) if k else [] for k in slots]

    def _identifiers(self, todo: list[_Work], pool: ThreadPoolExecutor) -> None:
        for s in self.sources:
            for kind in s.id_kinds:
                wanted: dict[str, list[_Work]] = {}
                for w in todo:
                    ident = getattr(w.citation.fields, kind, None)
                    if ident:
                        wanted.setdefault(ident.lower() if kind == "doi" else ident, []).append(w)
                if not wanted:
                    continue
                results: dict[str, Record | None] = {}
                missing = []
                for ident in wanted:
                    hit, rec = self._cached_record(s, kind, ident)
                    if hit:
                        results[ident] = rec
                    else:
                        missing.append(ident)
                errors: dict[str, str] = {}
                if missing:
                    self._fetch_ids(s, kind, missing, results, errors, pool)
                for ident, ws in wanted.items():
                    for w in ws:
                        a = w.answer(s.name)
                        if ident in errors:
                            a.ok, a.error = False, errors[ident]
                        elif ident in results:
                            a.by_identifier[f"{kind}:{ident.lower()}"] = results[ident]

    def _fetch_ids(self, s: Source, kind: str, ids: list[str], results: dict, errors: dict,
                   pool: ThreadPoolExecutor) -> None:
        # sources that batch (PubMed efetch) get one call; per-id sources (Crossref) run concurrently
        batches = [ids] if s.name == "pubmed" else [[i] for i in ids]

        def one(batch: list[str]):
            try:
                return batch, s.fetch(kind, batch), None
            except SourceError as e:
                return batch, {}, str(e)

        for batch, got, err in pool.map(one, batches):
            if err:
                errors.update({i: err for i in batch})
                continue
            for i in batch:
                rec = got.get(i)
                results[i] = rec
                self._remember(s, f"{kind}:{i}", [rec] if rec else [])

    def _citmatch(self, todo: list[_Work]) -> None:
        for s in self.sources:
            citmatch = getattr(s, "citmatch", None)
            if citmatch is None:
                continue
            cands = [w for w in todo if not w.citation.fields.pmid and not w.settled() and w.answer(s.name).ok]
            if not cands:
                continue
            try:
                hits = citmatch([w.citation for w in cands])
                got = s.fetch("pmid", sorted(set(hits.values()))) if hits else {}
            except SourceError:
                continue  # ECitMatch is a shortcut: searches below still ask this source
            for i, pmid in hits.items():
                rec = got.get(pmid)
                if rec is not None:
                    cands[i].answer(s.name).records.append(rec)
                    self._remember(s, f"pmid:{pmid}", [rec])

    def _searches(self, s: Source, todo: list[_Work], pool: ThreadPoolExecutor) -> None:
        asks: list[tuple[_Work, str]] = []
        for w in todo:
            key = "search:" + citation_key(w.citation)
            cached = self._cached_search(s, key)
            if cached is not None:
                w.answer(s.name).records += cached
            else:
                asks.append((w, key))

        def one(item: tuple[_Work, str]):
            try:
                return s.search(item[0].citation), None
            except SourceError as e:
                return [], str(e)

        for (w, key), (records, err) in zip(asks, pool.map(one, asks)):
            a = w.answer(s.name)
            if err:
                a.ok, a.error = False, err
                continue
            a.records += records
            self._remember(s, key, records)
