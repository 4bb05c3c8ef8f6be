"""Reading record files (Crossref work JSON, PubMed efetch XML) for `records load`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from citeaudit.models import Record
from citeaudit.records.crossref import parse_work
from citeaudit.records.pubmed import parse_efetch


class RecordFileError(Exception):
    """A path given to `records load` that cannot be read at all."""


def _crossref_messages(doc: Any) -> list[dict]:
    """Work messages in any of the shapes people save: API answers, recordings, bare works."""
    if isinstance(doc, dict) and "body" in doc and isinstance(doc.get("body"), (dict, str)):
        body = doc["body"]
        doc = json.loads(body) if isinstance(body, str) else body
    if isinstance(doc, list):
        return [m for d in doc for m in _crossref_messages(d)]
    if not isinstance(doc, dict):
        return []
    msg = doc.get("message", doc)
    if isinstance(msg, dict) and isinstance(msg.get("items"), list):
        return [m for m in msg["items"] if isinstance(m, dict)]
    if isinstance(msg, dict) and ("title" in msg or "DOI" in msg):
        return [msg]
    return []


def load_record_file(path: Path) -> list[Record]:
    data = path.read_bytes()
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        doc = json.loads(data.decode("utf-8"))
        return [parse_work(m, json.dumps(m, ensure_ascii=False)) for m in _crossref_messages(doc)]
    if head == b"<":
        return parse_efetch(data)
    raise ValueError("neither Crossref JSON nor PubMed XML")


def load_record_files(paths: list[Path]) -> tuple[list[Record], list[tuple[str, str]]]:
    """Every record in the files (directories are walked); files that fail are listed, not fatal."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files += sorted(f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in (".json", ".xml"))
        elif p.is_file():
            files.append(p)
        else:
            raise RecordFileError(f"{p}: no such file or directory")
    records: list[Record] = []
    skipped: list[tuple[str, str]] = []
    for f in files:
        try:
            got = load_record_file(f)
        except (ValueError, UnicodeDecodeError, OSError) as e:
            skipped.append((str(f), str(e).splitlines()[0][:120] if str(e) else type(e).__name__))
            continue
        if not got:
            skipped.append((str(f), "no records in it"))
        records += got
    return records, skipped
