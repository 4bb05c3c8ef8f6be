"""Re-check stored citations against fresh records and say what changed.

select_citations (which latest checks are due) -> reverify (re-resolve, by default with
stored records' age ignored, or reusing records younger than ``max_age_days``; judge;
append the new checks in a new run per article; old checks are never touched) ->
transitions (pure: old check vs new check) -> render.

A transition is worse when a verdict moves away from verified (verified -> mismatched,
mismatched -> unfound, unchecked -> unfound...) or the cited work is newly retracted or
under a new expression of concern. Moving to "unchecked" (a source was down) is reported
but is neither worse nor better: it says nothing about the citation.
"""

from __future__ import annotations

import csv
import gc
import io
import json
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Sequence

from citeaudit import __version__
from citeaudit.models import (MISMATCHED, RETRACTION_NOTE_PREFIXES, UNCHECKED, UNFOUND, VERIFIED, Check, Citation,
                     SourceAnswer)
from citeaudit.judge.audit import judge_all
from citeaudit.report import safe
from citeaudit.resolve.resolver import Resolver, citation_key
from citeaudit.judge.reference import GREY_REASON
from citeaudit.store import decisions

# how bad a verdict is; "unchecked" says nothing either way
SEVERITY = {VERIFIED: 0, MISMATCHED: 1, UNFOUND: 2}
# notices whose first appearance makes a citation worse (besides a retraction)
WORSE_NOTICES = ("EXPRESSION OF CONCERN", "PARTIALLY RETRACTED")
CHUNK_CITATIONS = 200  # citations resolved together (whole articles); each chunk is stored before the next

MEMO_LIMIT = 20000  # judged entries kept for reuse across chunks

WORSE, BETTER, CHANGED = "worse", "better", "changed"


@dataclass
class Transition:
    """What changed for one citation between its previous check and the new one."""

    citation_id: int
    article: str
    text: str
    before: str
    after: str
    changes: list[str]  # "verified -> mismatched", "newly retracted", "new correction"...
    direction: str  # worse | better | changed
    previous_check_id: int
    check_id: int
    run_id: int
    reason: str
    new_notes: list[str] = field(default_factory=list)

    @property
    def worse(self) -> bool:
        return self.direction == WORSE

    @property
    def change(self) -> str:
        return "; ".join(self.changes)


@dataclass
class Failure:
    """A citation whose re-check failed (a service could not be asked): its verdict stands."""

    citation_id: int
    article: str
    text: str
    verdict: str  # the verdict that stands
    check_id: int  # the failed attempt, kept in history
    reason: str
    sources: dict[str, str] = field(default_factory=dict)  # the services that failed


@dataclass
class ReverifyResult:
    checked: int = 0
    articles: list[str] = field(default_factory=list)
    runs: list[int] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    @property
    def worse(self) -> list[Transition]:
        return [t for t in self.transitions if t.worse]

    @property
    def unchanged(self) -> int:
        """Re-checked, and the same as before (a failed re-check is not 'unchanged')."""
        return self.checked - len(self.transitions) - len(self.failures)

    @property
    def incomplete(self) -> bool:
        return bool(self.failures)

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "articles": self.articles,
            "runs": self.runs,
            "changed": len(self.transitions),
            "worse": len(self.worse),
            "better": sum(1 for t in self.transitions if t.direction == BETTER),
            "unchanged": self.unchanged,
            "failed": len(self.failures),
            "transitions": [{**asdict(t), "change": t.change} for t in self.transitions],
            "failures": [asdict(f) for f in self.failures],
        }


@contextmanager
def _fewer_collections(threshold: int = 50_000):
    """Collect cyclic garbage less often while re-checking: a reverify allocates many small
    objects that live until their chunk is stored, and the default threshold (700) ran the
    collector hundreds of times over them (about a sixth of the CPU time of 10,000
    citations). The previous thresholds are restored afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], threshold), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


# --- which citations ------------------------------------------------------------------


def select_citations(store, older_than_days: float = 30.0, article: str | None = None,
                     verdict: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Latest-check rows due for a re-check, oldest check first.

    Those checked more than ``older_than_days`` ago (0 or less: all), plus every
    unchecked one except grey literature with nothing to look up (re-asking cannot
    change it; it still comes back under the age rule).
    """
    age = older_than_days if older_than_days > 0 else None
    with _fewer_collections():
        rows = {r["check_id"]: r for r in store.latest_checks(article_source=article, verdict=verdict,
                                                              older_than_days=age)}
        unchecked = store.latest_checks(article_source=article, verdict=UNCHECKED) \
            if verdict in (None, UNCHECKED) else []
    if verdict in (None, UNCHECKED):
        for r in unchecked:
            if not (r["category"] == "grey" and r["reason"] == GREY_REASON):
                rows.setdefault(r["check_id"], r)
    ordered = sorted(rows.values(), key=lambda r: (r["checked_at"], r["check_id"]))
    return ordered[:limit] if limit is not None else ordered


# --- what changed (pure) ----------------------------------------------------------------


def _is_retraction(note: str) -> bool:
    return note.startswith(RETRACTION_NOTE_PREFIXES)


def _is_flag(note: str) -> bool:
    """A notice flag written by verdict.record_notes: an upper-case label, then details."""
    label = note.split(":", 1)[0]
    return bool(label) and label.isupper()


def compare(before: dict[str, Any], after: Check) -> tuple[list[str], str, list[str]]:
    """(changes, direction, new flag notes) between a stored latest-check row and a new Check.

    ``changes`` is empty when nothing a reader would care about changed.
    """
    old_v, new_v = before["verdict"], after.verdict
    old_notes = list(before.get("notes") or [])
    changes: list[str] = []
    worse = better = False
    if old_v != new_v:
        changes.append(f"{old_v} -> {new_v}")
        o, n = SEVERITY.get(old_v), SEVERITY.get(new_v)
        if n is not None:
            if o is None:
                worse, better = n > 0, n == 0
            else:
                worse, better = n > o, n < o
    was_retracted = bool(before.get("retracted")) or any(_is_retraction(x) for x in old_notes)
    if after.retracted and not was_retracted:
        changes.append("newly retracted")
        worse = True
    elif was_retracted and not after.retracted and new_v != UNCHECKED:
        changes.append("no longer flagged as retracted")
    new_flags = [x for x in after.notes if _is_flag(x) and x not in old_notes]
    for note in new_flags:
        label = note.split(":", 1)[0]
        if _is_retraction(note):
            continue  # covered by "newly retracted" (or an additional notice of an already retracted work)
        changes.append(f"new {label.lower()}")
        if label.startswith(WORSE_NOTICES):
            worse = True
    direction = WORSE if worse else BETTER if better else CHANGED
    return changes, direction, new_flags


# --- doing it ---------------------------------------------------------------------------


def _chunks(by_article: dict[int, list[dict[str, Any]]], size: int) -> Iterable[list[int]]:
    chunk: list[int] = []
    n = 0
    for article_id, rows in by_article.items():
        if chunk and n + len(rows) > size:
            yield chunk
            chunk, n = [], 0
        chunk.append(article_id)
        n += len(rows)
    if chunk:
        yield chunk


@dataclass
class _ArticleWork:
    """One article's stored citations (text order, links restored) and which of them are due."""

    article_id: int
    source: str
    citations: list[Citation]
    citation_ids: list[int]
    due: list[tuple[int, dict[str, Any]]]  # (index in citations, latest-check row)
    needed: list[int]  # indices to resolve: the due ones and the references they lean on
    stated: list[tuple] = field(default_factory=list)  # each citation's stored details, as stored (see _memo_key)


def _article_works(store, article_ids: list[int], by_article: dict[int, list[dict[str, Any]]]) -> list[_ArticleWork]:
    """Rebuild each article's citation list as the pipeline saw it (its present, checked
    citations in text order), so narrative citations (mentions, quotes) are judged against
    their references exactly as in a run. A few queries for the whole chunk."""
    stored = store.article_citations(article_ids)
    return [_article_work(a, by_article[a], stored.get(a, [])) for a in article_ids]


def _article_work(article_id: int, due_rows: list[dict[str, Any]], stored: list[dict[str, Any]]) -> _ArticleWork:
    """One article's work from its stored citations (text order) and its due latest-check rows."""
    source = due_rows[0]["article_source"]
    ids = [s["id"] for s in stored]
    pos = {cid: i for i, cid in enumerate(ids)}
    citations, stated = [], []
    for s in stored:
        c = s["citation"]
        c.linked_to = pos.get(s.get("linked_to_id")) if s.get("linked_to_id") is not None else None
        citations.append(c)
        stated.append((c.kind, c.category, c.text, s.get("fields_json"), c.linked_to is None))
    due = [(pos[r["citation_id"]], r) for r in due_rows if r["citation_id"] in pos]
    needed: set[int] = set()
    for i, _ in due:
        needed.add(i)
        c = citations[i]
        if c.linked_to is not None:
            needed.add(c.linked_to)
        needed.update(k for k in c.extra.get("link_candidates", []) if isinstance(k, int) and 0 <= k < len(ids))
    return _ArticleWork(article_id, source, citations, ids, due, sorted(needed), stated)


def _memo_key(citation: Citation) -> str | None:
    """The key under which a citation's answers are reused by later chunks (None: never)."""
    from citeaudit.resolve.narrative import needs_search

    if not needs_search(citation):
        return None
    if citation.category == "grey" and not (citation.fields.doi or citation.fields.pmid):
        return None  # a link check, answered per URL
    return citation_key(citation)


def _resolve(resolver, works: list[_ArticleWork], known: dict[str, list[SourceAnswer]] | None = None,
             keys_by_stated: dict[tuple, str | None] | None = None) -> list[list[list]]:
    """Every work's answers (one list per citation; [] where nothing was asked), resolved together.

    ``known``: answers of citations resolved in earlier chunks of this reverify, by
    citation key (as the resolver dedups within a pass: identical stated details, one
    resolution); filled with this chunk's successful answers. ``keys_by_stated``: the
    memo keys already computed, by the details as stored (the same entry in many
    articles is hashed once).
    """
    from citeaudit.resolve.narrative import resolve_citations

    known = {} if known is None else known
    flat = [w.citations[i] for w in works for i in w.needed]
    keys_by_stated = {} if keys_by_stated is None else keys_by_stated
    keys = []
    for w in works:
        for i in w.needed:
            stated = w.stated[i] if i < len(w.stated) and w.stated[i][3] is not None else None
            if stated is None:
                keys.append(_memo_key(w.citations[i]))
                continue
            if stated not in keys_by_stated:
                keys_by_stated[stated] = _memo_key(w.citations[i])
            keys.append(keys_by_stated[stated])
    todo = [n for n, k in enumerate(keys) if k is None or k not in known]
    asked = [flat[n] for n in todo]
    got_todo = resolve_citations(resolver, asked) if asked else []
    got: list[list | None] = [None] * len(flat)
    for n, answer in zip(todo, got_todo):
        got[n] = answer
        k = keys[n]
        if k is not None and answer and all(a.ok for a in answer):
            known.setdefault(k, answer)
    for n, answer in enumerate(got):
        if answer is None:
            got[n] = list(known[keys[n]])
    out, n = [], 0
    for w in works:
        answers: list[list] = [[] for _ in w.citations]
        for i in w.needed:
            answers[i] = got[n]
            n += 1
        out.append(answers)
    return out


def _judge(resolver, work: _ArticleWork, answers: list[list], memo: dict | None = None) -> list[Check]:
    """The new checks of the due citations (the pipeline's judging, narrative rules included).
    ``memo`` (shared by the whole reverify): the same entry with the same answers is judged once."""
    evidence = None
    if any(work.citations[i].kind == "bio" for i, _ in work.due):
        from citeaudit.resolve.narrative import gather_evidence

        evidence = gather_evidence(resolver, work.citations)
    items = judge_all(work.citations, answers, offline=False, evidence=evidence, memo=memo)
    return [items[i].check for i, _ in work.due]


def reverify(store, sources: Sequence, rows: list[dict[str, Any]], chunk_size: int = CHUNK_CITATIONS,
             progress: Callable[[str], None] | None = None, max_age_days: float | None = None,
             display: Any = None) -> ReverifyResult:
    """Re-check ``rows`` (from select_citations) with answers from ``sources``.

    ``max_age_days`` None (the default): fresh answers, stored records are not reused
    whatever their age. Otherwise stored records and searches younger than that are
    reused and only the rest is asked (none at all when every record is fresh). ``display``:
    a progress display (commands/progress.py) whose total is ``len(rows)``. Every
    record fetched is stored, as in a run. One new run per article; the new checks are
    appended to it (old checks are never touched).
    """
    with _fewer_collections():
        return _reverify(store, sources, rows, chunk_size, progress, max_age_days, display)


def _reverify(store, sources: Sequence, rows: list[dict[str, Any]], chunk_size: int,
              progress: Callable[[str], None] | None, max_age_days: float | None,
              display: Any = None) -> ReverifyResult:
    """The work of :func:`reverify`."""
    result = ReverifyResult()
    resolver = Resolver(sources, store=store, max_age_days=max_age_days,
                        progress=display.resolved_citations if display is not None else None)
    known: dict[str, list[SourceAnswer]] = {}  # answers by citation key, reused by later chunks
    memo: dict = {}  # judged entries, by their details and answers (judge_all)
    keys_by_stated: dict[tuple, str | None] = {}  # memo keys by stored details
    by_article: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_article.setdefault(row["article_id"], []).append(row)
    for article_ids in _chunks(by_article, chunk_size):
        works = [w for w in _article_works(store, article_ids, by_article) if w.due]
        if not works:
            continue
        if len(memo) > MEMO_LIMIT:  # bounded memory on a very large reverify
            memo.clear()
        if len(keys_by_stated) > MEMO_LIMIT:
            keys_by_stated.clear()
        if progress:
            progress(f"re-checking {sum(len(w.due) for w in works)} citations in {len(works)} article(s)")
        arts = store.articles([w.article_id for w in works])
        run_ids = store.start_runs([(w.article_id, "online", __version__,
                                     (arts.get(w.article_id) or {}).get("content_hash") or "") for w in works])
        try:
            judged = [(w, run_id, _judge(resolver, w, answers, memo))
                      for w, run_id, answers in zip(works, run_ids, _resolve(resolver, works, known, keys_by_stated))]
            # the chunk's checks and the end of its runs: one transaction
            saved = store.save_runs_checks([(run_id, [(row["citation_id"], check)
                                                      for (_, row), check in zip(w.due, checks)])
                                            for w, run_id, checks in judged], finish="complete")
        except BaseException:
            for run_id in run_ids:
                try:
                    store.finish_run(run_id, "incomplete")
                except Exception:  # a full disk may refuse even this; the next open's sweep marks it
                    pass
            raise
        for (w, run_id, checks), check_ids in zip(judged, saved):
            withdrawn = decisions.review(store, check_ids)  # acceptances whose evidence changed
            for (_, row), check, check_id in zip(w.due, checks, check_ids):
                if check.inconclusive:  # kept in history; the previous verdict stands
                    result.failures.append(Failure(
                        citation_id=row["citation_id"], article=w.source, text=row["text"],
                        verdict=row["verdict"], check_id=check_id, reason=check.reason,
                        sources=check.failed_sources))
                    continue
                changes, direction, new_notes = compare(row, check)
                if row["citation_id"] in withdrawn:
                    changes.append(f"acceptance withdrawn: {withdrawn[row['citation_id']]}")
                if changes:
                    result.transitions.append(Transition(
                        citation_id=row["citation_id"], article=w.source, text=row["text"],
                        before=row["verdict"], after=check.verdict, changes=changes, direction=direction,
                        previous_check_id=row["check_id"], check_id=check_id, run_id=run_id,
                        reason=check.reason, new_notes=new_notes))
            result.runs.append(run_id)
            result.articles.append(w.source)
            result.checked += len(w.due)
            if display is not None:  # its total, the due citations, was known before it started
                display.done(len(w.due))
    return result


# --- output -----------------------------------------------------------------------------


def summary_line(r: ReverifyResult) -> str:
    d = r.to_dict()
    line = (f"{d['checked']} citation{'s' if d['checked'] != 1 else ''} re-checked in {len(r.articles)} "
            f"article{'s' if len(r.articles) != 1 else ''}: {d['changed']} changed ({d['worse']} worse, "
            f"{d['better']} better), {d['unchanged']} unchanged")
    if r.failures:
        line += f", {len(r.failures)} could not be re-checked (a service failed; their last verdicts stand)"
    return line


def failure_lines(r: ReverifyResult) -> list[str]:
    """One line per failed service: how many re-checks it left undone."""
    by_service: dict[str, list[str]] = {}
    for f in r.failures:
        for name, error in f.sources.items():
            by_service.setdefault(name, []).append(error)
    return [f"{name} failed ({errors[0]}): {len(errors)} citation{'s' if len(errors) != 1 else ''} not re-checked; "
            "their last verdicts stand" for name, errors in sorted(by_service.items())]


def table(r: ReverifyResult, color: bool = False) -> str:
    out = [f"citeaudit reverify: runs {', '.join(map(str, r.runs))}" if r.runs else "citeaudit reverify", ""]
    article = None
    for t in r.transitions:
        if t.article != article:
            article = t.article
            out.append(safe.plain(article))
        tag = f"{t.direction.upper():<7}"
        if color:
            tag = f"\x1b[{ {WORSE: '1;31', BETTER: '32'}.get(t.direction, '36') }m{tag}\x1b[0m"
        out.append(f"  {tag} #{t.citation_id:<5} {safe.plain(t.change)}")
        out.append(f"          {safe.plain(t.text, 110)}")
        if t.after != VERIFIED or t.before != t.after:
            out.append(f"          why: {safe.plain(t.reason, 200)}")
        for note in t.new_notes:
            out.append(f"          note: {safe.plain(note, 200)}")
    if r.transitions:
        out.append("")
    out.append(summary_line(r))
    return "\n".join(out) + "\n"


def as_json(r: ReverifyResult, color: bool = False) -> str:
    return json.dumps(r.to_dict(), indent=2, ensure_ascii=False) + "\n"


def markdown(r: ReverifyResult, color: bool = False) -> str:
    md = safe.markdown
    out = ["# citeaudit reverify", "", f"**{md(summary_line(r))}**", ""]
    if r.transitions:
        out += ["| Article | Citation | Change | Direction | Details |", "|---|---|---|---|---|"]
        for t in r.transitions:
            details = "; ".join(md(x) for x in [t.reason, *t.new_notes])
            out.append(f"| {md(t.article, 80)} | #{t.citation_id} {md(t.text, 120)} | {md(t.change)} | "
                       f"{t.direction} | {details} |")
    return "\n".join(out) + "\n"


CSV_COLUMNS = ["article", "citation_id", "previous_check_id", "check_id", "run_id", "before", "after", "change",
               "direction", "text", "reason", "new_notes"]


def as_csv(r: ReverifyResult, color: bool = False) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_COLUMNS)
    for t in r.transitions:
        w.writerow([safe.csv_cell(x) for x in (t.article, t.citation_id, t.previous_check_id, t.check_id, t.run_id,
                                                t.before, t.after, t.change, t.direction, t.text, t.reason,
                                                "; ".join(t.new_notes))])
    return buf.getvalue()


FORMATS = {"table": table, "json": as_json, "markdown": markdown, "csv": as_csv}


def render(r: ReverifyResult, fmt: str = "table", color: bool = False) -> str:
    return FORMATS[fmt](r, color=color)
