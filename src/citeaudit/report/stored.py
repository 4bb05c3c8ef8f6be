"""Reports built from the database alone (no network): an article's latest verdicts in the
same report dict as `citeaudit run` prints (so render.py renders every format), one
citation's history of checks, and the export of latest verdicts as CSV or JSON lines."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from citeaudit.models import RETRACTION_NOTE_PREFIXES
from citeaudit.report import safe
from citeaudit.report.model import add_fix, summarize

def failed_recheck_note(row: dict[str, Any]) -> str | None:
    """'last re-check failed at T: reason' when a failed attempt came after the shown verdict."""
    if not row.get("last_failed_at"):
        return None
    return f"last re-check failed at {row['last_failed_at']}: {row.get('last_failed_reason') or 'a service failed'}"


RECORD_NOW_RETRACTED = ("RETRACTED: the stored record of the matched work now lists a retraction "
                        "(found after this check)")


def _retraction_flag(row: dict[str, Any], notes: list[str]) -> tuple[bool, list[str]]:
    """Whether a latest-check row cites a retracted work, and its notes (with a flag added when
    only the stored record, refreshed since the check, knows of the retraction)."""
    noted = any(n.startswith(RETRACTION_NOTE_PREFIXES) for n in notes)
    if row.get("record_retracted") and not row.get("retracted") and not noted:
        notes = [RECORD_NOW_RETRACTED, *notes]
        noted = True
    return bool(row.get("retracted")) or bool(row.get("record_retracted")) or noted, notes


# --- report ARTICLE --------------------------------------------------------------------------


def stored_report(store, source: str) -> dict[str, Any]:
    """The report dict (see model.audit_to_dict) of an article's latest stored checks.

    Raises StoreError when the article is not in the database.
    """
    summary, rows = store.article_report(source)
    article = store.article(summary["article_id"]) or {}
    entries: list[dict[str, Any]] = []
    position: dict[int, int] = {}
    linked: dict[int, int | None] = {}
    for row in rows:
        cid = row["citation_id"]
        stored = store.citation(cid)
        checks = store.history(cid)
        check = next((k for k in checks if k["id"] == row["check_id"]), checks[-1] if checks else {})
        record = store.record(row["record_id"]) if row.get("record_id") else None
        citation = stored["citation"] if stored else None
        notes = list(row.get("notes") or []) + ([citation.note] if citation is not None and citation.note else [])
        retracted, notes = _retraction_flag(row, notes)
        failed = failed_recheck_note(row)
        if failed:
            notes = [failed, *notes]
        position[cid] = len(entries)
        linked[cid] = stored.get("linked_to_id") if stored else None
        entries.append({
            "id": cid,
            "kind": row["kind"],
            "category": row["category"],
            "text": row["text"],
            "span": [row["start_offset"], row["end_offset"]],
            "verdict": row["verdict"],
            "reason": row["reason"],
            "stated": citation.fields.to_dict() if citation is not None else {},
            "matched": record.summary() if record is not None else None,
            "differences": row.get("differences") or [],
            "notes": notes,
            "score": row["score"],
            "candidates": check.get("candidates") or [],
            "sources": check.get("sources") or {},
            "retracted": retracted,
            "checked_at": row["checked_at"],
            "check_id": row["check_id"],
            "run_id": row["run_id"],
            **({"last_failed": {"at": row["last_failed_at"], "reason": row.get("last_failed_reason"),
                                "check_id": row.get("last_failed_check_id")}} if failed else {}),
            **({"extra": citation.extra} if citation is not None and citation.extra else {}),
        })
        add_fix(entries[-1])
    for cid, target in linked.items():
        if target in position:
            entries[position[cid]]["linked_to"] = position[target]
            entries[position[cid]]["linked_to_id"] = target
    from citeaudit.judge.credibility import credibility  # the same headline `run` prints

    cred = credibility(entries)
    from citeaudit.report.model import apply_decisions
    from citeaudit.store.decisions import standing, withdrawn_by_evidence

    return apply_decisions({
        "headline": cred["headline"],
        "article": {"source": summary["source"], "title": summary.get("title"), "kind": summary.get("kind"),
                    "content_hash": article.get("content_hash"), "first_seen": summary.get("first_seen"),
                    "last_seen": summary.get("last_seen")},
        "run": {"id": summary.get("last_run_id"), "status": summary.get("last_run_status"),
                "started_at": summary.get("last_run_started_at"), "from_database": True},
        "summary": summarize(entries),
        "credibility": cred,
        "citations": entries,
    }, standing(store, list(position)), withdrawn_by_evidence(store, list(position)))


def attach_history(store, reports: list[dict[str, Any]]) -> None:
    """Add each citation's checks (oldest first, in brief) to the reports, as `history`
    (the HTML report shows them)."""
    for report in reports:
        for entry in report["citations"]:
            if entry.get("id"):
                entry["history"] = [{"checked_at": k["checked_at"], "run_id": k["run_id"], "verdict": k["verdict"],
                                     "reason": k["reason"]} for k in store.history(entry["id"])]


# --- history CITATION_ID -----------------------------------------------------------------------


def citation_history(store, citation_id: int) -> dict[str, Any] | None:
    """Every check of a citation, oldest first, with the verdict changes between them."""
    stored = store.citation(citation_id)
    if stored is None:
        return None
    checks = []
    previous = None
    for k in store.history(citation_id):
        notes = list(k.get("notes") or [])
        retracted = bool(k.get("retracted")) or any(n.startswith(RETRACTION_NOTE_PREFIXES) for n in notes)
        failed = bool(k.get("inconclusive"))
        if failed:
            notes = ["failed attempt: a service could not be asked; the verdict before it stands", *notes]
        checks.append({
            "check_id": k["id"], "run_id": k["run_id"], "checked_at": k["checked_at"], "verdict": k["verdict"],
            "failed_attempt": failed,
            "changed_from": previous if previous not in (None, k["verdict"]) and not failed else None,
            "reason": k["reason"], "matched_doi": k.get("matched_doi"), "matched_pmid": k.get("matched_pmid"),
            "matched_title": k.get("matched_title"), "retracted": retracted, "notes": notes,
            "differences": k.get("differences") or [], "sources": k.get("sources") or {},
        })
        if not failed:
            previous = k["verdict"]
    c = stored["citation"]
    return {
        "citation": {"id": citation_id, "article": stored["article_source"], "kind": c.kind,
                     "category": c.category, "text": c.text, "stated": c.fields.to_dict(),
                     "present": bool(stored.get("present")), "first_seen": stored.get("first_seen"),
                     "last_seen": stored.get("last_seen")},
        "checks": checks,
    }


def history_table(h: dict[str, Any], color: bool = False) -> str:
    c = h["citation"]
    out = [f"citation {c['id']} in {safe.plain(c['article'])}" + ("" if c["present"] else " (no longer in the article)"),
           f"  {safe.plain(c['text'], 150)}", ""]
    for k in h["checks"]:
        change = f"  (was {k['changed_from']})" if k["changed_from"] else ""
        flag = "  [RETRACTED WORK]" if k["retracted"] else ""
        out.append(f"  {k['checked_at']}  run {k['run_id']:<4} check {k['check_id']:<5} "
                   f"{k['verdict'].upper():<10}{change}{flag}")
        ids = " ".join(x for x in (k["matched_doi"] and f"doi:{safe.plain(k['matched_doi'])}",
                                   k["matched_pmid"] and f"pmid:{safe.plain(k['matched_pmid'])}") if x)
        if ids:
            out.append(f"      found: {ids}")
        if k["verdict"] != "verified":
            out.append(f"      why: {safe.plain(k['reason'], 200)}")
        for note in k["notes"]:
            out.append(f"      note: {safe.plain(note, 200)}")
    if not h["checks"]:
        out.append("  never checked")
    return "\n".join(out) + "\n"


def history_json(h: dict[str, Any], color: bool = False) -> str:
    return json.dumps(h, indent=2, ensure_ascii=False, default=str) + "\n"


def history_markdown(h: dict[str, Any], color: bool = False) -> str:
    md = safe.markdown
    c = h["citation"]
    out = [f"# History of citation {c['id']}", "", f"Article: `{safe.plain(c['article']).replace('`', '')}`", "",
           f"> {md(c['text'], 300)}", "", "| Checked | Run | Verdict | Found | Details |", "|---|---|---|---|---|"]
    for k in h["checks"]:
        verdict = k["verdict"] + (f" (was {k['changed_from']})" if k["changed_from"] else "")
        if k["retracted"]:
            verdict += " **RETRACTED WORK**"
        found = " ".join(x for x in (k["matched_doi"] and f"doi:{k['matched_doi']}",
                                     k["matched_pmid"] and f"pmid:{k['matched_pmid']}") if x)
        details = "; ".join(md(x) for x in ([k["reason"]] if k["verdict"] != "verified" else []) + k["notes"])
        out.append(f"| {k['checked_at']} | {k['run_id']} | {verdict} | {md(found)} | {details} |")
    return "\n".join(out) + "\n"


HISTORY_CSV_COLUMNS = ["citation_id", "article", "check_id", "run_id", "checked_at", "verdict", "changed_from",
                       "reason", "matched_doi", "matched_pmid", "matched_title", "retracted", "notes"]


def history_csv(h: dict[str, Any], color: bool = False) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HISTORY_CSV_COLUMNS)
    c = h["citation"]
    for k in h["checks"]:
        w.writerow([safe.csv_cell(x) for x in (c["id"], c["article"], k["check_id"], k["run_id"], k["checked_at"],
                                                k["verdict"], k["changed_from"] or "", k["reason"],
                                                k["matched_doi"] or "", k["matched_pmid"] or "",
                                                k["matched_title"] or "", "yes" if k["retracted"] else "",
                                                "; ".join(k["notes"]))])
    return buf.getvalue()


HISTORY_FORMATS = {"table": history_table, "json": history_json, "markdown": history_markdown, "csv": history_csv}


def render_history(h: dict[str, Any], fmt: str = "table", color: bool = False) -> str:
    return HISTORY_FORMATS[fmt](h, color=color)


# --- export ------------------------------------------------------------------------------------

EXPORT_COLUMNS = ["article", "citation_id", "kind", "category", "verdict", "reason", "text", "matched_source",
                  "matched_doi", "matched_pmid", "matched_title", "retracted", "notes", "differences",
                  "checked_at", "check_id", "run_id", "last_failed_at", "last_failed_reason"]


def export_rows(store, article: str | None = None, verdict: str | None = None) -> list[dict[str, Any]]:
    """The latest verdict of every citation still in its article (latest_checks), one dict each."""
    out = []
    for row in sorted(store.latest_checks(article_source=article, verdict=verdict),
                      key=lambda r: (r["article_source"], r["start_offset"], r["citation_id"])):
        retracted, notes = _retraction_flag(row, list(row.get("notes") or []))
        out.append({
            "article": row["article_source"], "citation_id": row["citation_id"], "kind": row["kind"],
            "category": row["category"], "verdict": row["verdict"], "reason": row["reason"], "text": row["text"],
            "matched_source": row.get("matched_source"), "matched_doi": row.get("matched_doi"),
            "matched_pmid": row.get("matched_pmid"), "matched_title": row.get("matched_title"),
            "retracted": retracted, "notes": notes, "differences": row.get("differences") or [],
            "checked_at": row["checked_at"], "check_id": row["check_id"], "run_id": row["run_id"],
            "last_failed_at": row.get("last_failed_at"), "last_failed_reason": row.get("last_failed_reason"),
        })
    return out


def export_jsonl(rows: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in rows)


def export_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(EXPORT_COLUMNS)
    for r in rows:
        cells = dict(r)
        cells["retracted"] = "yes" if r["retracted"] else ""
        cells["notes"] = "; ".join(r["notes"])
        cells["differences"] = "; ".join(f"{d.get('field')}: stated {d.get('stated')}, found {d.get('found')}"
                                         for d in r["differences"])
        w.writerow([safe.csv_cell("" if cells[c] is None else cells[c]) for c in EXPORT_COLUMNS])
    return buf.getvalue()
