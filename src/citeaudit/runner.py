"""One audit from input to stored verdicts: the glue the CLI calls.

ingest (file/URL -> Document) -> pipeline (citations, resolve, verdicts) -> store (article,
run, citations, checks) -> report dict. The run row is written first and marked complete
last, so an interrupted audit leaves a run marked incomplete and earlier runs intact.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import __version__
from .config import Settings
from .models import MISMATCHED, UNFOUND, Audit, Document
from .pipeline import audit_document
from .report import audit_to_dict, render
from .resolve import Resolver

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
        return any(it.check.verdict in (MISMATCHED, UNFOUND) for it in self.audit.items)


def is_url(s: str) -> bool:
    return s.lower().startswith(("http://", "https://"))


def build_sources(settings: Settings, store) -> list:
    """The sources an audit asks: stored records only when offline, else Crossref and PubMed."""
    if settings.offline:
        from .sources.local import LocalSource

        return [LocalSource(store)]
    from .sources.crossref import CrossrefSource
    from .sources.pubmed import PubMedSource

    return [CrossrefSource(settings), PubMedSource(settings)]


class AuditRunner:
    def __init__(self, settings: Settings, store, progress: bool = False, sources: list | None = None):
        self.settings = settings
        self.store = store
        self.progress = progress
        self.sources = sources if sources is not None else build_sources(settings, store)
        max_age = None if settings.refresh else settings.max_age_days
        self.resolver = Resolver(self.sources, store=store, max_age_days=max_age)

    def close(self) -> None:
        for s in self.sources:
            close = getattr(s, "close", None)
            if close:
                close()

    def expand_inputs(self, inputs: list[str]) -> list[str]:
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

    def load(self, item: str) -> Document:
        from .ingest import IngestError, load_document

        try:
            if is_url(item):
                from .fetch import fetch_document

                return fetch_document(item, self.settings)
            return load_document(item)
        except IngestError as e:
            raise InputError(str(e)) from None

    def audit(self, item: str) -> AuditResult:
        doc = self.load(item)
        if not is_url(item):
            doc.source = str(Path(item).resolve())
        if self.progress:
            print(f"citeaudit: auditing {item}", file=sys.stderr)
        article_id = self.store.upsert_article(doc)
        mode = "offline" if self.settings.offline else "online"
        run_id = self.store.start_run(article_id, mode, __version__, doc.content_hash)
        try:
            audit = audit_document(doc, self.resolver, offline=self.settings.offline)
            ids = self.store.save_citations(article_id, [it.citation for it in audit.items])
            for cid, it in zip(ids, audit.items):
                self.store.save_check(run_id, cid, it.check)
        except BaseException:
            self.store.finish_run(run_id, "incomplete")
            raise
        self.store.finish_run(run_id, "complete")
        report = audit_to_dict(audit, ids, run={"id": run_id, "mode": mode})
        return AuditResult(audit, report, run_id)

    def render(self, result: AuditResult, fmt: str, color: bool, first: bool = True) -> str:
        if fmt == "csv" and not first:
            from .report.render import as_csv

            return as_csv(result.report, header=False)
        return render(result.report, fmt, color=color)
