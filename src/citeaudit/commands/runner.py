"""One audit from input to stored verdicts: the glue the CLI calls.

ingest (file/URL -> Document) -> pipeline (citations, resolve, verdicts) -> store (article,
run, citations, checks) -> report dict. The run row is written first and marked complete
last, so an interrupted audit leaves a run marked incomplete and earlier runs intact.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from citeaudit import __version__
from citeaudit.config import Settings
from citeaudit.models import MISMATCHED, UNCHECKED, UNFOUND, Audit, AuditedCitation, Document
from citeaudit.extract.citations import extract_citations
from citeaudit.judge.audit import judge_all
from citeaudit.resolve.narrative import gather_evidence, needs_search
from citeaudit.report import audit_to_dict, render
from citeaudit.report.model import apply_decisions
from citeaudit.store import decisions
from citeaudit.resolve.resolver import Resolver

ARTICLE_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm", ".xhtml", ".text"}


class InputError(Exception):
    """An input that cannot be audited (one-line reason)."""


@dataclass
class AuditResult:
    audit: Audit
    report: dict[str, Any]
    run_id: int | None

    @property
    def has_findings(self) -> bool:
        """Something mismatched or unfound that no editor has accepted (`citeaudit accept`)."""
        from citeaudit.report.model import open_findings

        return open_findings(self.report)

    @property
    def incomplete(self) -> list[AuditedCitation]:
        """Citations left unchecked because a service failed: the audit is not complete."""
        return [it for it in self.audit.items if it.check.inconclusive]

    @property
    def links_unfetched(self) -> list[AuditedCitation]:
        """Links (and grey entries' URLs) left unchecked because fetching them failed."""
        return [it for it in self.audit.items
                if it.check.verdict == UNCHECKED and it.check.sources.get("web", "ok") != "ok"]

    @property
    def links_fetched(self) -> int:
        """Links whose page answered (whatever it said)."""
        return sum(1 for it in self.audit.items if it.check.sources.get("web") == "ok")

    @property
    def from_stored(self) -> list[AuditedCitation]:
        """Citations a failed service would have left unchecked, judged from a stored record
        instead (resolve/fallback.py): checked, but not by the services asked for."""
        from citeaudit.resolve.fallback import STORED

        return [it for it in self.audit.items
                if not it.check.inconclusive and it.check.failed_sources and STORED in it.check.sources]

    @property
    def source_failures(self) -> dict[str, str]:
        """Services that failed for some citation left unchecked, with one of their errors."""
        failed: dict[str, str] = {}
        for it in self.incomplete:
            for name, status in it.check.failed_sources.items():
                failed.setdefault(name, status)
        return failed




def is_url(s: str) -> bool:
    return s.lower().startswith(("http://", "https://"))


def build_sources(settings: Settings, store) -> list:
    """The sources an audit asks: stored records only when offline, else Crossref and PubMed
    (and the web link checker, which fetches cited links and grey entries' URLs)."""
    if settings.offline:
        from citeaudit.resolve.sources.local import LocalSource

        return [LocalSource(store)]
    from citeaudit.resolve.sources.crossref import CrossrefSource
    from citeaudit.resolve.sources.pubmed import PubMedSource
    from citeaudit.resolve.sources.web import WebSource

    web = [WebSource(settings)] if settings.check_links else []
    return [CrossrefSource(settings), PubMedSource(settings), *web]


def watch_services(sources: list, on_down) -> None:
    """Call `on_down(health)` as soon as a service is given up for the run (throttle.ServiceHealth)."""
    for source in sources:
        health = getattr(source, "health", None)
        if health is not None:
            health.on_down = on_down


def service_failure_lines(sources: list, incomplete: list[AuditedCitation], offline_hint: bool = True,
                          from_stored: list[AuditedCitation] | None = None,
                          links_unfetched: list[AuditedCitation] | None = None) -> list[str]:
    """One line per failed service: what happened, how many citations it left unchecked and
    how many were judged from stored records instead, what to do."""
    by_service: dict[str, list[str]] = {}
    stored_by_service: dict[str, int] = {}
    for it in incomplete:
        for name, error in it.check.failed_sources.items():
            by_service.setdefault(name, []).append(error)
    for it in from_stored or []:
        for name, error in it.check.failed_sources.items():
            by_service.setdefault(name, [error])
            stored_by_service[name] = stored_by_service.get(name, 0) + 1
    health = {getattr(s, "name", ""): getattr(s, "health", None) for s in sources}
    lines = []
    for name, errors in sorted(by_service.items()):
        h = health.get(name)
        what = f"{h.label} {h.down}" if h is not None and h.down else f"{name} failed ({errors[0]})"
        n = sum(1 for it in incomplete if name in it.check.failed_sources)
        parts = [f"{n} citation{'s' if n != 1 else ''} unchecked"] if n else []
        if stored_by_service.get(name):
            k = stored_by_service[name]
            parts.append(f"{k} citation{'s' if k != 1 else ''} judged from stored records")
        line = f"{what}: {', '.join(parts)}"
        if offline_hint and n:
            line += "; use --offline to audit from stored records"
        lines.append(line)
    if links_unfetched:
        n = len(links_unfetched)
        error = links_unfetched[0].check.sources.get("web")
        lines.append(f"no cited link could be fetched (e.g. {error}): {n} link{'s' if n != 1 else ''} unchecked")
    return lines


def expand_inputs(inputs: list[str]) -> list[str]:
    """Files, URLs, and the article files inside directories (sorted)."""
    out: list[str] = []
    for item in inputs:
        if is_url(item):
            out.append(item)
            continue
        p = Path(item)
        if p.is_dir():
            found = sorted(str(f) for f in p.rglob("*") if f.is_file() and f.suffix.lower() in ARTICLE_SUFFIXES)
            if not found:
                raise InputError(f"{item}: no .txt, .md or .html files in this directory")
            out += found
        else:
            out.append(item)
    return out


class AuditRunner:
    def __init__(self, settings: Settings, store, progress: bool = False, sources: list | None = None):
        self.settings = settings
        self.store = store
        self.progress = progress  # a progress display on stderr (the CLI: when it is a terminal)
        self.progress_console = None  # a rich Console to draw it on instead (tests)
        # runs left 'running' by a process that was killed (SIGKILL, power loss) become 'incomplete'
        mark_stale = getattr(store, "mark_stale_runs_incomplete", None)
        if mark_stale is not None:
            mark_stale()
        self.sources = sources if sources is not None else build_sources(settings, store)
        max_age = None if settings.refresh else settings.max_age_days
        self.resolver = Resolver(self.sources, store=store, max_age_days=max_age)
        # item -> then(conn, run_id), run in the transaction that completes its run (the work queue)
        self.on_complete: dict[str, Any] = {}

    def close(self) -> None:
        for s in self.sources:
            close = getattr(s, "close", None)
            if close:
                close()

    def expand_inputs(self, inputs: list[str]) -> list[str]:
        """Files, URLs, and the article files inside directories (sorted)."""
        return expand_inputs(inputs)

    def load(self, item: str) -> Document:
        from citeaudit.ingest.document import IngestError, load_document

        try:
            if is_url(item):
                from citeaudit.ingest.fetch import fetch_document

                return fetch_document(item, self.settings)
            return load_document(item)
        except IngestError as e:
            raise InputError(str(e)) from None

    def audit(self, item: str) -> AuditResult:
        result = self.audit_many([item])[0][1]
        if isinstance(result, InputError):
            raise result
        return result

    def audit_many(self, items: list[str], chunk_citations: int = 5000) -> list[tuple[str, AuditResult | InputError]]:
        """Audit articles, resolving the citations of many articles in one stream.

        Each article's citations start resolving as soon as it is read, alongside the
        earlier articles' (identical references across articles are one lookup, and every
        service pool stays busy across article boundaries); articles are then judged and
        stored in order while later ones are still being resolved. A stream takes about
        `chunk_citations` citations, so memory stays bounded. Unreadable inputs come back
        as InputError, in place.
        """
        out: list[tuple[str, AuditResult | InputError]] = []
        bar = None
        if self.progress:  # its total, the articles, is known before it starts
            from citeaudit.commands.progress import ProgressDisplay

            bar = ProgressDisplay(len(items), "articles", console=self.progress_console)
        self.resolver.progress = bar.resolved_citations if bar else None
        pending = list(items)
        finished = False
        try:
            while pending:
                out += self._audit_chunk(pending, chunk_citations, bar)
            finished = True
        finally:
            if bar:
                bar.close(finished)
            self.resolver.progress = None
        order = {item: i for i, item in enumerate(items)}
        return sorted(out, key=lambda x: order.get(x[0], 0))

    def _audit_chunk(self, pending: list[str], chunk_citations: int,
                     bar: Any) -> list[tuple[str, AuditResult | InputError]]:
        """Read articles off `pending` into one resolver stream until it holds about
        `chunk_citations` citations, then judge and store each (runs started first)."""
        mode = "offline" if self.settings.offline else "online"
        out: list[tuple[str, AuditResult | InputError]] = []
        started: list[tuple[str, Document, list, int, int, list[int], int]] = []
        stream = self.resolver.stream()
        size = 0
        done: set[int] = set()
        run_ids: list[int] = []  # every run started, recorded first: an interrupt marks them incomplete
        try:
            while pending and size < chunk_citations:
                item = pending.pop(0)
                try:
                    doc = self.load(item)
                except InputError as e:
                    out.append((item, e))
                    if bar:
                        bar.done()
                    continue
                if not is_url(item) and doc.source == item:  # a file (api.py names its texts itself)
                    doc.source = str(Path(item).resolve())
                citations = extract_citations(doc)
                article_id = self.store.upsert_article(doc)
                run_ids.append(self.store.start_run(article_id, mode, __version__, doc.content_hash))
                asked = [i for i, c in enumerate(citations) if needs_search(c)]  # narrative.py decides
                handle = stream.add([citations[i] for i in asked])
                started.append((item, doc, citations, article_id, run_ids[-1], asked, handle))
                size += len(citations)
            memo: dict = {}  # a reference shared by several articles is judged once
            for item, doc, citations, article_id, run_id, asked, handle in started:
                ans: list = [[] for _ in citations]
                for i, a in zip(asked, stream.answers(handle)):
                    ans[i] = a
                evidence = None if self.settings.offline else gather_evidence(self.resolver, citations)
                items = judge_all(citations, ans, self.settings.offline, evidence, memo)
                if not self.settings.offline:
                    items = self._from_stored(citations, ans, items, evidence)
                audit = Audit(document=doc, items=items, offline=self.settings.offline)
                ids = self.store.save_citations(article_id, [it.citation for it in audit.items])
                check_ids = self.store.save_checks(run_id, list(zip(ids, (it.check for it in audit.items))))
                withdrawn = decisions.review(self.store, check_ids)  # acceptances whose evidence changed
                then = self.on_complete.get(item)
                if then is not None:
                    self.store.finish_run(run_id, "complete", then=then)
                else:
                    self.store.finish_run(run_id, "complete")
                done.add(run_id)
                report = audit_to_dict(audit, ids, run={"id": run_id, "mode": mode})
                apply_decisions(report, decisions.standing(self.store, ids), withdrawn)
                out.append((item, AuditResult(audit, report, run_id)))
                if bar:
                    bar.done()
        except BaseException as e:
            for run_id in run_ids:
                if run_id not in done:
                    try:
                        self.store.finish_run(run_id, "incomplete")
                    except Exception:  # a full disk may refuse even this; the next open's sweep marks it
                        pass
            if not isinstance(e, KeyboardInterrupt):  # Ctrl-C: leave the workers be, exit at once
                stream.close()
            raise
        stream.close()
        return out

    def _from_stored(self, citations: list, answers: list, items: list[AuditedCitation],
                     evidence) -> list[AuditedCitation]:
        """Citations a failed service left unchecked, judged again with the stored records
        added to their answers (resolve/fallback.py): a stored record that fits gives the
        verdict, and its reason says so; otherwise they stay unchecked."""
        from citeaudit.resolve import fallback

        wanted = fallback.wanted(items, answers)
        if not wanted:
            return items
        stored = fallback.stored_answers(self.store, [citations[i] for i in wanted])
        records = fallback.stored_records(stored)
        if not records:
            return items
        items = judge_all(citations, fallback.with_stored(answers, wanted, stored), False, evidence)
        dates = self.store.record_dates([r.key for r in records])
        fallback.note_stored(items, records, dates)
        return items

    def render(self, result: AuditResult, fmt: str, color: bool, first: bool = True) -> str:
        if fmt == "csv" and not first:
            from citeaudit.report.render import as_csv

            return as_csv(result.report, header=False)
        return render(result.report, fmt, color=color)
