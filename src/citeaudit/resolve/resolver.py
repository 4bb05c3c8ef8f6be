"""Ask the sources about a list of citations, keeping every service pool busy at its limit.

Every distinct citation moves through its own small sequence of steps, and all of them
run at once, so a slow step of one citation never holds the others back:

1. identifiers: the stated DOI (one Crossref lookup) and PMID (efetch, batched);
2. ECitMatch (batched) for a citation with journal, volume and first page that is not
   settled yet, its hits fetched with efetch (batched);
3. a search of each source in turn (Crossref first), only while nothing fits yet.

A citation is *settled* when a work fits it with nothing differing; it then asks nothing
more, so PubMed is asked only about what Crossref did not settle (and vice versa).
Before a search, records already fetched in this pass (for another citation) or stored
recently are tried first. Identical citations, here or in another article of the same
pass, are resolved once; the same identifier is fetched once. Each source's Pool keeps
its requests inside the service's published rate and concurrency; batches gather ids
from every citation waiting at that moment (see throttle.Batcher).

A source failure becomes a SourceAnswer with ok=False: the verdict turns that into
"unchecked", never "unfound".
"""

from __future__ import annotations

import hashlib
import json
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Sequence

from citeaudit.judge.evidence import clean_reference
from citeaudit.judge.match import assess, group_works
from citeaudit.judge.reference import reference_text
from citeaudit.models import Citation, Fields, Record, SourceAnswer
from citeaudit.normalize import title_key
from citeaudit.resolve.sources.base import Source, SourceError
from citeaudit.resolve.sources.throttle import Batcher

Progress = Callable[[int], None]

ID_KINDS = ("doi", "pmid")


@dataclass
class _Work:
    """What is known about one distinct citation while it is being resolved."""

    citation: Citation
    key: str
    copies: int = 0  # how many citations of the pass this work stands for
    answers: dict[str, SourceAnswer] = field(default_factory=dict)
    done: set[str] = field(default_factory=set)  # steps taken

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
        """A fitting work with nothing differing is already in hand: no need to ask more."""
        return fits(self.citation, self.records())


def fits(citation: Citation, records: list[Record]) -> bool:
    f, text = citation.fields, reference_text(citation)
    return any((x.accepted and not x.differences) for x in (assess(f, g, text) for g in group_works(records)))


_FIELD_NAMES = tuple(f for f in Fields.__dataclass_fields__ if f != "url")


def citation_key(c: Citation) -> str:
    """Two citations with the same stated details are resolved once.

    The hash of ``Fields.to_dict()`` without the URL, built without ``asdict`` (slow when
    a reverify keys ten thousand citations)."""
    f = c.fields
    d = {}
    for name in _FIELD_NAMES:
        v = getattr(f, name)
        if name == "authors":
            v = [str(p) for p in v]
        if v not in (None, [], False, ""):
            d[name] = v
    if c.kind == "reference":  # validated against the whole string: two strings are two works to find
        d["_text"] = clean_reference(c.text)
    return hashlib.sha1(_KEY_ENCODER.encode(d).encode()).hexdigest()


_KEY_ENCODER = json.JSONEncoder(sort_keys=True, default=str)  # built once (json.dumps with options builds one a call)


def _norm_id(kind: str, ident: str) -> str:
    return ident.strip().lower() if kind == "doi" else ident.strip()


class _Seen:
    """Records fetched or read from the store during this pass, by identifier and title."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.by_id: dict[tuple[str, str, str], Record | None] = {}  # (source, kind, id) -> record/None
        self.by_title: dict[str, dict[str, Record]] = {}

    def add(self, records: list[Record]) -> None:
        with self._lock:
            for r in records:
                for kind in ID_KINDS:
                    ident = getattr(r, kind)
                    if ident:
                        self.by_id.setdefault((r.source, kind, _norm_id(kind, ident)), r)
                tk = title_key(r.title)
                if tk:
                    self.by_title.setdefault(tk, {})[r.key] = r

    def like(self, citation: Citation) -> list[Record]:
        tk = title_key(citation.fields.title)
        with self._lock:
            return list(self.by_title.get(tk, {}).values()) if tk else []


class Resolver:
    """Resolve citations against `sources` (see module docstring).

    `store`: where fresh records and searches are read from and fetched ones written
    to (None: no cache). `max_age_days`: a stored answer younger than this is reused
    (None: always ask). `progress(n)` is called as each group of n identical citations
    is settled.
    """

    def __init__(self, sources: Sequence[Source], store=None, max_age_days: float | None = 30.0,
                 workers: int = 4, progress: Progress | None = None):
        # a link checker (sources/web.py) is not asked about works: it fetches grey citations' URLs
        self.web = next((s for s in sources if getattr(s, "checks_links", False)), None)
        self.sources = [s for s in sources if not getattr(s, "checks_links", False)]
        self.store = store
        self.max_age_days = max_age_days  # None: always ask (refresh)
        self.workers = workers  # threads per source and step kind (the pools cap what is in flight)
        self.progress = progress
        self.fetched: list[Record] = []
        self._seen = _Seen()

    # --- public -------------------------------------------------------------------

    def resolve(self, citations: Sequence[Citation]) -> list[list[SourceAnswer]]:
        """One list of SourceAnswer per citation, in order."""
        works: dict[str, _Work] = {}
        slots: list[str | None] = []
        for c in citations:
            if c.category == "grey" and not (c.fields.doi or c.fields.pmid):
                slots.append(None)
                continue
            k = citation_key(c)
            w = works.setdefault(k, _Work(c, k))
            w.copies += 1
            slots.append(k)
        skipped = sum(1 for s in slots if s is None)
        if skipped and self.progress:
            self.progress(skipped)
        links = self._start_link_checks(citations)
        if works:
            _Pass(self, list(works.values())).run()
        link_answers = self._link_answers(*links) if links else {}
        return [list(works[k].answers.values()) if k else link_answers.get(i, []) for i, k in enumerate(slots)]

    def _start_link_checks(self, citations: Sequence[Citation]) -> tuple[dict[int, str], Future, dict] | None:
        """Start fetching the URL of every grey citation in the background (sources/web.py).
        A page fetched within ``max_age_days`` (stored, table evidence) is not fetched again."""
        if self.web is None:
            return None
        wanted = {i: c.fields.url for i, c in enumerate(citations)
                  if c.category == "grey" and c.fields.url and not (c.fields.doi or c.fields.pmid)}
        if not wanted:
            return None
        from citeaudit.resolve.sources.web import link_answer_from_json

        urls = list(dict.fromkeys(wanted.values()))
        cache = self.store is not None and self.max_age_days is not None and hasattr(self.store, "get_evidence")
        known = self.store.get_evidence("link", urls, self.max_age_days) if cache else {}
        stored = {u: link_answer_from_json(known[u]) for u in urls if u in known}
        ex = ThreadPoolExecutor(max_workers=1)
        batch = ex.submit(self.web.check_many, [u for u in urls if u not in stored])
        ex.shutdown(wait=False)
        return wanted, batch, stored

    def _link_answers(self, wanted: dict[int, str], batch: Future,
                      stored: dict | None = None) -> dict[int, list[SourceAnswer]]:
        from citeaudit.resolve.sources.web import link_answer_to_json

        try:
            fetched = batch.result()
        except Exception as e:  # a bug must not become "unfound"
            return {i: [SourceAnswer("web", ok=False, error=f"internal error: {type(e).__name__}: {e}")]
                    for i in wanted}
        if self.store is not None and hasattr(self.store, "save_evidence"):  # what a page showed, for reuse
            self.store.save_evidence("link", {u: link_answer_to_json(a) for u, a in fetched.items()
                                              if a.ok and getattr(a, "page", None) is not None})
        got = {**(stored or {}), **fetched}
        return {i: [got[url]] for i, url in wanted.items()}

    def stream(self) -> "ResolveStream":
        """A pass that takes citations as they come (see ResolveStream); close it when done."""
        return ResolveStream(self)

    def resolve_many(self, groups: Sequence[Sequence[Citation]]) -> list[list[list[SourceAnswer]]]:
        """Several articles' citations in one pass: shared references are resolved once."""
        flat = [c for g in groups for c in g]
        answers = self.resolve(flat)
        out, i = [], 0
        for g in groups:
            out.append(answers[i:i + len(g)])
            i += len(g)
        return out

    def close(self) -> None:
        """Nothing to release: every pass closes its own threads."""

    # --- cache --------------------------------------------------------------------

    def _cache_ok(self, source: Source) -> bool:
        return self.store is not None and self.max_age_days is not None and source.name != "local"

    def _cached_search(self, source: Source, key: str) -> list[Record] | None:
        if not self._cache_ok(source):
            return None
        return self.store.get_search(source.name, key, self.max_age_days)


class _Pass:
    """One resolve() call: the works, the executors and batchers, and the steps."""

    def __init__(self, resolver: Resolver, works: list[_Work]):
        self.r = resolver
        self.works = works
        self.sources = resolver.sources
        self.seen = resolver._seen
        self._left = len(works)
        self._finished = threading.Event()
        self._lock = threading.Lock()
        self._saves: list[tuple[str, str, list[Record]]] = []
        self._execs: dict[str, ThreadPoolExecutor] = {}
        self._batchers: dict[str, Batcher] = {}
        self._inflight: dict[tuple[str, str, str], Future] = {}
        # remembered searches read in bulk before the steps ask (None: looked for, not there)
        self._searches: dict[tuple[str, str], list[Record] | None] = {}
        self._done_keys: set[str] = set()
        self._waiters: dict[str, list["_Group"]] = {}  # work key -> groups waiting for it

    # --- plumbing -----------------------------------------------------------------

    def _cached_search(self, s: Source, key: str) -> list[Record] | None:
        """A fresh remembered search: from the bulk read when it covered the key, else the store."""
        with self._lock:
            if (s.name, key) in self._searches:
                got = self._searches[(s.name, key)]
                return None if got is None else list(got)
        return self.r._cached_search(s, key)

    def _exec(self, name: str) -> ThreadPoolExecutor:
        with self._lock:
            if name not in self._execs:
                self._execs[name] = ThreadPoolExecutor(max_workers=self.r.workers, thread_name_prefix=name)
            return self._execs[name]

    def _batcher(self, s: Source, what: str, fn) -> Batcher:
        name = f"{s.name}-{what}"
        with self._lock:
            if name not in self._batchers:
                size = getattr(s, "batch_size", 200)
                self._batchers[name] = Batcher(fn, size=size, pool=getattr(s, "pool", None), name=name)
            return self._batchers[name]

    def _remember(self, s: Source, key: str, records: list[Record]) -> None:
        self.seen.add(records)
        with self._lock:
            self.r.fetched += records
            if self.r.store is not None and s.name != "local":
                self._saves.append((s.name, key, records))

    def _flush(self) -> None:
        store = self.r.store
        with self._lock:
            saves, self._saves = self._saves, []
        if store is None or not saves:
            return
        save_many = getattr(store, "save_searches", None)
        if save_many is not None:
            save_many(saves)
        else:
            for source, key, records in saves:
                store.save_search(source, key, records)

    # --- the pass -----------------------------------------------------------------

    def run(self) -> None:
        for w in self.works:
            for s in self.sources:
                w.answer(s.name).applicable = s.applies_to(w.citation)
        self._prefetch_cache()
        try:
            for w in self.works:
                self._next(w)
            self._finished.wait()
        except KeyboardInterrupt:
            # Ctrl-C: leave the workers be (closing executors and batchers under them only
            # makes them fail noisily); the run is marked incomplete and the CLI exits at once
            raise
        except BaseException:
            self._close()
            raise
        self._close()

    def _close(self) -> None:
        # workers may still be adding executors and batchers: snapshot under the lock until none are new
        closed: set[int] = set()
        while True:
            with self._lock:
                batchers = [b for b in self._batchers.values() if id(b) not in closed]
                execs = [ex for ex in self._execs.values() if id(ex) not in closed]
            if not batchers and not execs:
                break
            for b in batchers:
                b.close()
                closed.add(id(b))
            for ex in execs:
                ex.shutdown(wait=True)
                closed.add(id(ex))
        self._flush()

    def start(self, works: list[_Work]) -> None:
        """Begin resolving more works while earlier ones are still under way (a stream)."""
        if not works:
            return
        with self._lock:
            self.works += works
            self._left += len(works)
            self._finished.clear()
        for w in works:
            for s in self.sources:
                w.answer(s.name).applicable = s.applies_to(w.citation)
        self._prefetch_cache(works)
        for w in works:
            self._next(w)

    def wait_for(self, keys: set[str]) -> None:
        """Block until every work in `keys` is finished."""
        group = _Group()
        with self._lock:
            pending = keys - self._done_keys
            group.left = len(pending)
            for k in pending:
                self._waiters.setdefault(k, []).append(group)
        if pending:
            group.event.wait()

    def _prefetch_cache(self, works: list[_Work] | None = None) -> None:
        """Read every fresh stored record for the stated identifiers, and every fresh
        remembered search (ECitMatch, search) of these works, in a few queries."""
        works = self.works if works is None else works
        read: list[Record] = []  # every record read here
        for s in self.sources:
            if not self.r._cache_ok(s):
                continue
            bulk = getattr(self.r.store, "get_searches", None)
            if bulk is not None and works:
                keys = [f"{step}:{w.key}" for w in works for step in ("search", "citmatch")]
                found = bulk(s.name, keys, max_age_days=self.r.max_age_days)
                read += [r for got in found.values() for r in got]
                with self._lock:
                    for k in keys:
                        self._searches[(s.name, k)] = found.get(k)
            for kind in s.id_kinds:
                ids = sorted({_norm_id(kind, getattr(w.citation.fields, kind)) for w in works
                              if getattr(w.citation.fields, kind, None)})
                if ids:
                    self._from_store(s, kind, ids)
                    with self.seen._lock:
                        read += [r for i in ids if (r := self.seen.by_id.get((s.name, kind, i))) is not None]
        # the Crossref records of the DOIs those records carry (the notices step looks them up)
        crossref = next((s for s in self.sources if s.name == "crossref" and "doi" in s.id_kinds), None)
        if crossref is not None and self.r._cache_ok(crossref):
            dois = sorted({r.doi.lower() for r in read if r.source != "crossref" and r.doi})
            if dois:
                self._from_store(crossref, "doi", dois)

    def _from_store(self, s: Source, kind: str, ids: list[str]) -> None:
        """Fresh stored records (and known absences) for these identifiers into this pass."""
        store, r = self.r.store, self.r
        with self.seen._lock:
            ids = [i for i in ids if (s.name, kind, i) not in self.seen.by_id]
        if not ids:
            return
        found = _stored_by_ids(store, s.name, kind, ids, r.max_age_days)
        missing = [i for i in ids if i not in found]
        gone = _known_missing(store, s.name, kind, missing, r.max_age_days)
        with self.seen._lock:
            for i, rec in found.items():
                self.seen.by_id[(s.name, kind, i)] = rec
            for i in gone:
                self.seen.by_id[(s.name, kind, i)] = None
        self.seen.add(list(found.values()))

    def _finish(self, w: _Work) -> None:
        if self.r.progress:
            self.r.progress(w.copies)
        with self._lock:
            self._left -= 1
            last = self._left == 0
            self._done_keys.add(w.key)
            groups = self._waiters.pop(w.key, [])
        for g in groups:
            g.one_done()
        if last:
            self._finished.set()

    def _next(self, w: _Work) -> None:
        """Start the next step the citation needs, or finish it."""
        try:
            if not w.settled():
                for step in (self._ids, self._search):
                    if step(w):
                        return
            if self._notices(w):
                return
        except Exception as e:  # a bug must not hang the pass or become "unfound"
            for s in self.sources:
                a = w.answer(s.name)
                if a.applicable and a.ok:
                    a.ok, a.error = False, f"internal error: {type(e).__name__}: {e}"
        self._finish(w)

    def _then(self, w: _Work, futures: list[Future]) -> None:
        """Call _next(w) once every future is done."""
        left = [len(futures)]
        lock = threading.Lock()

        def one(_f: Future) -> None:
            with lock:
                left[0] -= 1
                last = left[0] == 0
            if last:
                self._next(w)

        for f in futures:
            f.add_done_callback(one)

    # --- step 1: identifiers --------------------------------------------------------

    def _ids(self, w: _Work) -> bool:
        """Stated identifiers, and ECitMatch at the same time: one batch serves every citation."""
        if "ids" in w.done:
            return False
        w.done.add("ids")
        futures: list[Future] = []
        for s in self.sources:
            a = w.answer(s.name)
            for kind in s.id_kinds:
                ident = getattr(w.citation.fields, kind, None)
                if not ident:
                    continue
                ident = _norm_id(kind, ident)
                with self.seen._lock:
                    hit = (s.name, kind, ident) in self.seen.by_id
                    rec = self.seen.by_id.get((s.name, kind, ident))
                if hit:
                    a.by_identifier[f"{kind}:{ident}"] = rec
                    continue
                futures.append(self._fetch_id(s, kind, ident, a, w))
        futures += self._citmatch(w)
        if not futures:
            return False
        self._then(w, futures)
        return True

    def _notices(self, w: _Work) -> bool:
        """The Crossref record of a fitting work found elsewhere (PubMed): retraction and
        correction notices reach Crossref first. One DOI lookup, only when Crossref has not
        been asked about that DOI in this pass."""
        if "notices" in w.done:
            return False
        w.done.add("notices")
        crossref = next((s for s in self.sources if s.name == "crossref" and "doi" in s.id_kinds), None)
        if crossref is None or not w.answer("crossref").ok:
            return False
        records = w.records()
        have = {r.doi.lower() for r in records if r.source == "crossref" and r.doi}
        fitting = [g for g in group_works(records)
                   if assess(w.citation.fields, g, reference_text(w.citation)).accepted]
        wanted = sorted({r.doi.lower() for g in fitting for r in g if r.doi} - have)
        a = w.answer("crossref")
        futures = []
        if wanted and self.r._cache_ok(crossref):  # stored recently (or known not to exist)?
            self._from_store(crossref, "doi", wanted)
        for doi in wanted:
            with self.seen._lock:
                hit = ("crossref", "doi", doi) in self.seen.by_id
                rec = self.seen.by_id.get(("crossref", "doi", doi))
            if hit:
                if rec is not None:
                    a.records.append(rec)
                continue
            futures.append(self._fetch_id(crossref, "doi", doi, a, w, as_record=True))
        if not futures:
            return False
        self._then(w, futures)
        return True

    def _fetch_id(self, s: Source, kind: str, ident: str, a: SourceAnswer, w: _Work,
                  as_record: bool = False) -> Future:
        out: Future = Future()

        def store(got: dict | None, err: str | None) -> None:
            if err:
                if not as_record:  # a failed notices lookup leaves the verdict as it was
                    a.ok, a.error = False, err
            elif got is not None and ident in got:
                if as_record:
                    if got[ident] is not None:
                        a.records.append(got[ident])
                else:
                    a.by_identifier[f"{kind}:{ident}"] = got[ident]
            out.set_result(None)

        def done(f: Future) -> None:
            store(f.result() if not f.exception() else None, _error(f.exception()))

        if getattr(s, "batch_size", 1) > 1:
            b = self._batcher(s, f"fetch-{kind}", lambda ids, s=s, kind=kind: self._fetch_batch(s, kind, ids))
            b.submit([ident]).add_done_callback(done)
            return out
        with self._lock:  # the same identifier asked once, whoever else waits for it
            shared = self._inflight.get((s.name, kind, ident))
            if shared is None:
                shared = self._inflight[(s.name, kind, ident)] = Future()
                first = True
            else:
                first = False
        shared.add_done_callback(done)
        if first:
            def one() -> None:
                # asked even when ECitMatch settled the citation meanwhile: the Crossref record of
                # a stated DOI is where retraction and correction notices show first
                try:
                    shared.set_result(self._fetch_batch(s, kind, [ident]))
                except BaseException as e:
                    shared.set_exception(e)
            self._exec(f"{s.name}-ids").submit(one)
        return out

    def _fetch_batch(self, s: Source, kind: str, ids: list[str]) -> dict[str, Record | None]:
        got = s.fetch(kind, ids)
        out = {}
        for i in ids:
            rec = got.get(i)
            out[i] = rec
            with self.seen._lock:
                self.seen.by_id[(s.name, kind, i)] = rec
            self._remember(s, f"{kind}:{i}", [rec] if rec else [])
        return out

    # --- ECitMatch (with step 1) ----------------------------------------------------------

    def _citmatch(self, w: _Work) -> list[Future]:
        """ECitMatch (batched) for a citation with journal, volume and first page but no PMID;
        a hit's record is fetched (batched) and judged like any other candidate."""
        from citeaudit.resolve.sources.pubmed import citmatch_line

        out_futures: list[Future] = []
        for s in self.sources:
            lines_fn = getattr(s, "citmatch_lines", None)
            a = w.answer(s.name)
            if lines_fn is None or w.citation.fields.pmid or not a.ok or not a.applicable:
                continue
            line = citmatch_line(w.citation, "k" + w.key[:16])
            if not line:
                continue
            key = "citmatch:" + w.key  # what ECitMatch answered for these details, remembered
            cached = self._cached_search(s, key)
            if cached is not None:
                a.records += cached
                self.seen.add(cached)
                continue
            b = self._batcher(s, "citmatch", lambda lines, fn=lines_fn: _by_line(fn, lines))
            out: Future = Future()

            def hits(f: Future, s=s, a=a, line=line, out=out, key=key) -> None:
                pmid = None if f.exception() else f.result().get(line)
                if not pmid:  # no hit, or ECitMatch failed: the search step still asks
                    if not f.exception():
                        self._remember(s, key, [])
                    out.set_result(None)
                    return
                with self.seen._lock:
                    rec = self.seen.by_id.get((s.name, "pmid", pmid))
                if rec is not None:
                    a.records.append(rec)
                    self._remember(s, key, [rec])
                    out.set_result(None)
                    return
                fb = self._batcher(s, "fetch-pmid", lambda ids, s=s: self._fetch_batch(s, "pmid", ids))

                def fetched(f2: Future) -> None:
                    if not f2.exception():
                        got = f2.result().get(pmid)
                        if got is not None:
                            a.records.append(got)
                            self._remember(s, key, [got])
                    out.set_result(None)

                fb.submit([pmid]).add_done_callback(fetched)

            b.submit([line]).add_done_callback(hits)
            out_futures.append(out)
        return out_futures

    # --- step 3: searches -----------------------------------------------------------

    def _reuse(self, w: _Work) -> bool:
        """Settle the citation with records already in hand from this pass, if they fit."""
        like = self.seen.like(w.citation)
        if like and fits(w.citation, like):
            for rec in like:
                w.answer(rec.source).records.append(rec)
            return True
        return False

    def _search(self, w: _Work) -> bool:
        for s in self.sources:
            step = f"search-{s.name}"
            a = w.answer(s.name)
            if step in w.done or not a.applicable or not a.ok:
                continue
            w.done.add(step)
            if self._reuse(w):
                return False
            key = "search:" + w.key
            cached = self._cached_search(s, key)
            if cached is not None:
                a.records += cached
                self.seen.add(cached)
                if w.settled():
                    return False
                continue
            f = self._exec(f"{s.name}-search").submit(self._ask, s, w, a, key)
            self._then(w, [f])
            return True
        return False

    def _ask(self, s: Source, w: _Work, a: SourceAnswer, key: str) -> None:
        if self._reuse(w):  # something fetched while this waited may already fit
            return
        try:
            if s.name == "pubmed":
                b = self._batcher(s, "fetch-pmid", lambda ids: self._fetch_batch(s, "pmid", ids))
                records = s.search(w.citation, fetch=lambda ids: b.get(ids))
            else:
                records = s.search(w.citation)
        except SourceError as e:
            a.ok, a.error = False, str(e)
            return
        except Exception as e:
            a.ok, a.error = False, f"internal error: {type(e).__name__}: {e}"
            return
        a.records += records
        self._remember(s, key, records)


class _Group:
    """Some works a caller waits for."""

    def __init__(self) -> None:
        self.left = 0
        self.event = threading.Event()
        self._lock = threading.Lock()

    def one_done(self) -> None:
        with self._lock:
            self.left -= 1
            if self.left <= 0:
                self.event.set()


class ResolveStream:
    """A pass open to more citations: each `add` starts resolving at once, alongside what
    is already under way (so loading and judging articles overlap with the network), and
    `answers` waits for one added group. Identical citations across groups are one work."""

    def __init__(self, resolver: Resolver):
        self.r = resolver
        self._works: dict[str, _Work] = {}
        self._pass = _Pass(resolver, [])
        self._groups: list[tuple[list[str | None], Sequence[Citation], object]] = []

    def add(self, citations: Sequence[Citation]) -> int:
        slots: list[str | None] = []
        new: list[_Work] = []
        for c in citations:
            if c.category == "grey" and not (c.fields.doi or c.fields.pmid):
                slots.append(None)
                continue
            k = citation_key(c)
            w = self._works.get(k)
            if w is None:
                w = self._works[k] = _Work(c, k)
                new.append(w)
            w.copies += 1
            slots.append(k)
        skipped = sum(1 for s in slots if s is None)
        if skipped and self.r.progress:
            self.r.progress(skipped)
        links = self.r._start_link_checks(citations)
        self._groups.append((slots, citations, links))
        self._pass.start(new)
        return len(self._groups) - 1

    def answers(self, group: int) -> list[list[SourceAnswer]]:
        slots, _citations, links = self._groups[group]
        self._pass.wait_for({k for k in slots if k})
        link_answers = self.r._link_answers(*links) if links else {}
        return [list(self._works[k].answers.values()) if k else link_answers.get(i, [])
                for i, k in enumerate(slots)]

    def close(self) -> None:
        """Wait for everything added, then release the pass's threads and store what it fetched."""
        try:
            if self._pass._left:
                self._pass._finished.wait()
        finally:
            self._pass._close()


def _by_line(citmatch_lines, lines: list[str]) -> dict[str, str | None]:
    """ECitMatch answers keyed by the whole line asked (the batcher's item), not its key field."""
    got = citmatch_lines(lines)
    return {line: got.get(line.split("|")[5]) for line in lines}


def _error(e: BaseException | None) -> str | None:
    if e is None:
        return None
    if isinstance(e, SourceError):
        return str(e)
    return f"internal error: {type(e).__name__}: {e}"


def _stored_by_ids(store, source: str, kind: str, ids: list[str], max_age: float) -> dict[str, Record]:
    bulk = getattr(store, "get_records_by_ids", None)
    if bulk is not None:
        return bulk(source, kind, ids, max_age_days=max_age)
    out = {}
    for i in ids:
        rec = store.get_record(source, **{kind: i}, max_age_days=max_age)
        if rec is not None:
            out[i] = rec
    return out


def _known_missing(store, source: str, kind: str, ids: list[str], max_age: float) -> list[str]:
    """Identifiers the source recently said it does not have."""
    if not ids:
        return []
    keys = [f"{kind}:{i}" for i in ids]
    bulk = getattr(store, "get_searches", None)
    found = bulk(source, keys, max_age_days=max_age) if bulk is not None else \
        {k: v for k in keys if (v := store.get_search(source, k, max_age)) is not None}
    return [i for i, k in zip(ids, keys) if k in found and not found[k]]
