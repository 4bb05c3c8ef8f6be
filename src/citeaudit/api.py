"""The Python API: audit a text, a file or a URL from code and get the typed result the CLI
renders (`citeaudit run` is these functions plus printing).

    import citeaudit

    result = citeaudit.audit_file("post.md", db="site.db")
    for item in result.audit.items:              # AuditedCitation: .citation and .check
        print(item.check.verdict, item.citation.text[:60])
    result.has_findings                          # True when something is mismatched or unfound (and not accepted)
    result.report                                # the dict `--format json` prints
    print(citeaudit.render(result, "markdown"))  # any --format: table, json, jsonl, markdown, csv, html

Each call opens the database (`db`, else $CITEAUDIT_DB, else ./audit.db), stores the audit as
`run` does (so `history`, `report` and the SQL views see it) and closes what it opened.
Unreadable input raises InputError; settings come from the environment as for the CLI,
with `offline`, `refresh` and `settings` to override them.
"""

from __future__ import annotations

import hashlib
from typing import Any

from citeaudit.commands.runner import AuditResult, AuditRunner, InputError
from citeaudit.config import Settings, load_settings
from citeaudit.models import Document

__all__ = ["AuditResult", "InputError", "audit_file", "audit_text", "audit_url", "render"]

TEXT_KINDS = ("text", "markdown", "html")


class _Runner(AuditRunner):
    """An AuditRunner that can also audit documents built in memory (keyed by a private name)."""

    def __init__(self, *args: Any, documents: dict[str, Document] | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.documents = documents or {}

    def load(self, item: str) -> Document:
        if item in self.documents:
            return self.documents[item]
        return super().load(item)


def _settings(settings: Settings | None, db: str | None, offline: bool | None, refresh: bool | None,
              allow_private_urls: bool | None = None) -> Settings:
    base = settings or load_settings()
    changes: dict[str, Any] = {"offline": offline, "refresh": refresh, "allow_private_urls": allow_private_urls}
    if db is not None:
        changes["db_path"] = str(db)
    return base.with_(**{k: v for k, v in changes.items() if v is not None})


def _audit(item: str, settings: Settings, documents: dict[str, Document] | None = None,
           sources: list | None = None) -> AuditResult:
    from citeaudit.store import Store, StoreError

    try:
        store = Store(settings.db_path)
    except StoreError as e:
        raise InputError(str(e)) from e
    try:
        runner = _Runner(settings, store, sources=sources, documents=documents)
        try:
            return runner.audit(item)
        finally:
            runner.close()
    finally:
        store.close()


def audit_text(text: str, *, kind: str = "text", source: str | None = None, db: str | None = None,
               offline: bool | None = None, refresh: bool | None = None, settings: Settings | None = None,
               sources: list | None = None) -> AuditResult:
    """Audit an article given as a string.

    kind: "text" (default), "markdown" or "html". source: the name the article is stored
    under (default `text://sha256/<first 16 hex digits of the text's hash>`, so the same
    text is the same article). sources: the sources to ask instead of Crossref and PubMed
    (tests pass stand-ins).
    """
    from citeaudit.ingest.document import document_from_html, document_from_text

    if kind not in TEXT_KINDS:
        raise ValueError(f"unknown kind {kind!r}: use {', '.join(TEXT_KINDS)}")
    if not text.strip():
        raise InputError("the text is empty")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    name = source or f"text://sha256/{digest[:16]}"
    doc = document_from_html(text, name) if kind == "html" else document_from_text(text, name, kind)
    doc.content_hash = digest
    key = f"\0api-text:{digest}"  # never a path or URL anyone could pass
    return _audit(key, _settings(settings, db, offline, refresh), {key: doc}, sources)


def audit_file(path: str, *, db: str | None = None, offline: bool | None = None, refresh: bool | None = None,
               settings: Settings | None = None, sources: list | None = None) -> AuditResult:
    """Audit an article file (.txt, .md, .html; other names are sniffed), as `citeaudit run FILE`."""
    return _audit(str(path), _settings(settings, db, offline, refresh), sources=sources)


def audit_url(url: str, *, db: str | None = None, offline: bool | None = None, refresh: bool | None = None,
              allow_private_urls: bool | None = None, settings: Settings | None = None,
              sources: list | None = None) -> AuditResult:
    """Audit a web page, as `citeaudit run URL` (private addresses refused unless allowed)."""
    if not url.lower().startswith(("http://", "https://")):
        raise InputError(f"{url}: not an http(s) URL")
    return _audit(url, _settings(settings, db, offline, refresh, allow_private_urls), sources=sources)


def render(result: AuditResult | dict[str, Any], fmt: str = "table", *, problems: bool = False,
           color: bool = False) -> str:
    """A result (or its report dict) in any output format of the CLI."""
    from citeaudit.report.render import render_reports

    report = result.report if isinstance(result, AuditResult) else result
    return render_reports([report], fmt, color=color, problems=problems)
