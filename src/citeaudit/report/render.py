"""Rendering report dicts (see model.py) as a terminal table, JSON, JSON lines, Markdown, CSV
or HTML: one article with `render`, several (one JSON array, one CSV header, a total line)
with `render_reports`."""

from __future__ import annotations

import csv
import io
import json
from enum import Enum
from typing import Any, Callable

from citeaudit.report import safe

LABEL = {"verified": "VERIFIED", "mismatched": "MISMATCHED", "unfound": "UNFOUND", "unchecked": "UNCHECKED"}
COLOR = {"verified": "32", "mismatched": "33", "unfound": "31", "unchecked": "36"}
RETRACTED_TAG = "[RETRACTED WORK]"
ACCEPTED_TAG = "[ACCEPTED]"


def summary_line(s: dict[str, Any]) -> str:
    line = (f"{s['total']} citation{'s' if s['total'] != 1 else ''}: {s['verified']} verified, "
            f"{s['mismatched']} mismatched, {s['unfound']} unfound, {s['unchecked']} unchecked")
    if s.get("retracted"):
        line += f"; {s['retracted']} cite retracted work"
    if s.get("accepted"):
        line += f"; {s['accepted']} accepted by an editor"
    kinds = s.get("by_kind") or {}
    if len(kinds) > 1:
        parts = []
        for kind in sorted(kinds, key=lambda k: (KIND_ORDER.index(k) if k in KIND_ORDER else 99, k)):
            counts = kinds[kind]
            shown = ", ".join(f"{n} {v}" for v, n in counts.items() if n)
            parts.append(f"  {KIND_LABEL.get(kind, kind)}: {sum(counts.values())} ({shown})")
        line += "\n" + "\n".join(parts)
    return line


KIND_ORDER = ["reference", "link", "mention", "quote", "bio", "claim"]
KIND_LABEL = {"reference": "reference list", "link": "links", "mention": "study mentions",
              "quote": "quotations", "bio": "author bio", "claim": "uncited research claims"}


def _record_line(m: dict[str, Any]) -> str:
    ids = " ".join(x for x in (m.get("doi") and f"doi:{safe.plain(m['doi'])}",
                               m.get("pmid") and f"pmid:{safe.plain(m['pmid'])}") if x)
    bits = [ids, f"\u201c{safe.plain(m.get('title'), 90)}\u201d", safe.plain(m.get("journal"), 50),
            str(m.get("year") or "")]
    return " | ".join(b for b in bits if b)


def table(report: dict[str, Any], color: bool = False) -> str:
    out = []
    art = report["article"]
    out.append(f"citeaudit: {safe.plain(art['source'])}" + (f" \u2014 {safe.plain(art['title'], 80)}" if art.get("title") else ""))
    if report.get("headline"):
        out.append(safe.plain(report["headline"]))
    if report.get("problems_only"):
        out.append(problems_line(report))
    out.append("")
    for n, e in enumerate(report["citations"], 1):
        label = LABEL.get(e["verdict"], e["verdict"].upper())
        tag = f"{label:<10}"
        if color:
            tag = f"\x1b[{COLOR.get(e['verdict'], '0')}m{tag}\x1b[0m"
        kind = "" if e["kind"] == "reference" else f"[{e['kind']}] "
        if e.get("retracted"):  # whatever the verdict, a retracted work stands out
            kind = (f"\x1b[1;31m{RETRACTED_TAG}\x1b[0m " if color else f"{RETRACTED_TAG} ") + kind
        if e.get("accepted"):
            kind = f"{ACCEPTED_TAG} " + kind
        out.append(f"{number(e, n):>3}. {tag} {kind}{safe.plain(e['text'], 110)}")
        if e.get("matched"):
            out.append(f"      found: {_record_line(e['matched'])}")
        for d in e.get("differences") or []:
            note = f" ({safe.plain(d['note'])})" if d.get("note") else ""
            out.append(f"      {safe.plain(d['field'])}: stated {safe.plain(d['stated'], 60)!s}, found {safe.plain(d['found'], 60)!s}{note}")
        if e["verdict"] != "verified" and not e.get("differences"):
            out.append(f"      why: {safe.plain(e['reason'], 200)}")
        if e.get("fix"):
            out.append(f"      fix: {safe.plain(e['fix'], 400)}")
            if e.get("fix_unresolved"):
                out.append(f"      (also check: {safe.plain(', '.join(e['fix_unresolved']))})")
        if e.get("accepted"):
            out.append(f"      accepted: {accepted_text(e['accepted'])}")
        for note in e.get("notes") or []:
            out.append(f"      note: {safe.plain(note, 200)}")
    out.append("")
    out.append(summary_line(report["summary"]))
    if any(e.get("id") for e in report["citations"]):
        out.append("(numbers are citation ids: `citeaudit history ID` lists one's checks)")
    return "\n".join(out) + "\n"


def accepted_text(a: dict[str, Any]) -> str:
    """An editor's acceptance in one line: the reason, then when and by whom."""
    who = f", {safe.plain(a['by'], 40)}" if a.get("by") else ""
    return f"{safe.plain(a.get('reason'), 200)} ({safe.plain(a.get('at'))}{who})"


def number(entry: dict[str, Any], position: int) -> int:
    """The number a citation is shown under: its id in the database (the id `history`,
    `export` and the SQL views use), or its position when the report was never stored."""
    return entry.get("id") or position


def as_json(report: dict[str, Any], color: bool = False) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False, default=str) + "\n"


def markdown(report: dict[str, Any], color: bool = False) -> str:
    art = report["article"]
    md = safe.markdown
    out = [f"# citeaudit report: {md(art.get('title') or art['source'])}", "",
           f"Source: `{safe.plain(art['source']).replace('`', '')}`", ""]
    if report.get("headline"):
        out += [f"**{md(report['headline'])}**", ""]
    first, *by_kind = summary_line(report["summary"]).split("\n")
    out += [f"**{first}**", *(f"- {k.strip()}" for k in by_kind), ""]
    if report.get("problems_only"):
        out += [md(problems_line(report)), ""]
    out += ["| # | Verdict | Kind | Citation | Found | Details |", "|---|---|---|---|---|---|"]
    for n, e in enumerate(report["citations"], 1):
        found = md(_record_line(e["matched"])) if e.get("matched") else ""
        details = "; ".join(f"{d['field']}: stated {md(d['stated'])}, found {md(d['found'])}" for d in e.get("differences") or [])
        if not details and e["verdict"] != "verified":
            details = md(e["reason"])
        if e.get("fix"):
            details += ("; " if details else "") + f"fix: {md(e['fix'])}"
        if e.get("accepted"):
            details += ("; " if details else "") + f"accepted: {md(accepted_text(e['accepted']))}"
        if e.get("notes"):
            details += ("; " if details else "") + "; ".join(md(x) for x in e["notes"])
        verdict = f"{e['verdict']} **RETRACTED WORK**" if e.get("retracted") else e["verdict"]
        if e.get("accepted"):
            verdict += " **ACCEPTED**"
        out.append(f"| {number(e, n)} | {verdict} | {e['kind']} | {md(e['text'], 160)} | {found} | {details} |")
    return "\n".join(out) + "\n"


CSV_COLUMNS = ["article", "citation_id", "kind", "category", "verdict", "reason", "text", "matched_doi",
               "matched_pmid", "matched_title", "matched_journal", "matched_year", "differences", "notes",
               "retracted", "fix", "accepted_reason"]


def csv_rows(report: dict[str, Any]) -> list[list[str]]:
    rows = []
    for e in report["citations"]:
        m = e.get("matched") or {}
        diffs = "; ".join(f"{d['field']}: stated {d['stated']}, found {d['found']}" for d in e.get("differences") or [])
        rows.append([report["article"]["source"], e.get("id") or "", e["kind"], e["category"], e["verdict"],
                     e["reason"], e["text"], m.get("doi") or "", m.get("pmid") or "", m.get("title") or "",
                     m.get("journal") or "", m.get("year") or "", diffs, "; ".join(e.get("notes") or []),
                     "yes" if e.get("retracted") else "", e.get("fix") or "",
                     (e.get("accepted") or {}).get("reason") or ""])
    return rows


def as_csv(report: dict[str, Any], color: bool = False, header: bool = True) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    if header:
        w.writerow(CSV_COLUMNS)
    for row in csv_rows(report):
        w.writerow([safe.csv_cell(x) for x in row])
    return buf.getvalue()


def as_jsonl(report: dict[str, Any], color: bool = False) -> str:
    return json.dumps(report, ensure_ascii=False, default=str) + "\n"


class Format(str, Enum):
    """The output formats of `run` and `report` (typer shows the members as choices)."""

    table = "table"
    json = "json"
    jsonl = "jsonl"
    markdown = "markdown"
    csv = "csv"
    html = "html"


def _html(report: dict[str, Any], color: bool = False) -> str:
    from citeaudit.report.html import page

    return page(report)


FORMATS: dict[str, Callable[..., str]] = {"table": table, "json": as_json, "jsonl": as_jsonl,
                                         "markdown": markdown, "csv": as_csv, "html": _html}


def render(report: dict[str, Any], fmt: str = "table", color: bool = False) -> str:
    return FORMATS[str(getattr(fmt, "value", fmt))](report, color=color)


# --- problems only, and several articles at once -------------------------------------------

PROBLEM_VERDICTS = ("mismatched", "unfound")


def failed_check(entry: dict[str, Any]) -> bool:
    """An unchecked citation because a source failed (not grey literature, not offline)."""
    return entry["verdict"] == "unchecked" and any(v != "ok" for v in (entry.get("sources") or {}).values())


def is_problem(entry: dict[str, Any]) -> bool:
    """Mismatched, unfound, citing a retracted work, or a check that failed; not a citation an
    editor has accepted (`citeaudit accept`)."""
    if entry.get("accepted"):
        return False
    return entry["verdict"] in PROBLEM_VERDICTS or bool(entry.get("retracted")) or failed_check(entry)


def only_problems(report: dict[str, Any]) -> dict[str, Any]:
    """The report with only its problem citations listed; the summary and headline stay the
    whole article's, and `problems_only` / `citations_total` say what was left out."""
    shown = [e for e in report["citations"] if is_problem(e)]
    return {**report, "problems_only": True, "citations_total": len(report["citations"]), "citations": shown}


def problems_line(report: dict[str, Any]) -> str:
    n, total = len(report["citations"]), report.get("citations_total", len(report["citations"]))
    return (f"showing {n} problem{'s' if n != 1 else ''} of {total} citations "
            "(mismatched, unfound, retracted, failed checks)")


def totals(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts summed over several articles' summaries."""
    keys = ("total", "verified", "mismatched", "unfound", "unchecked", "retracted", "accepted")
    out: dict[str, Any] = {"articles": len(reports), **{k: sum(r["summary"].get(k, 0) for r in reports) for k in keys}}
    out["articles_with_problems"] = sum(1 for r in reports if any(is_problem(e) for e in r["citations"]))
    return out


def total_line(reports: list[dict[str, Any]]) -> str:
    t = totals(reports)
    line = (f"total: {t['articles']} articles, {t['total']} citations: {t['verified']} verified, "
            f"{t['mismatched']} mismatched, {t['unfound']} unfound, {t['unchecked']} unchecked")
    if t["retracted"]:
        line += f"; {t['retracted']} cite retracted work"
    if t["accepted"]:
        line += f"; {t['accepted']} accepted by an editor"
    return line + f"; {t['articles_with_problems']} article{'s' if t['articles_with_problems'] != 1 else ''} with problems"


def render_reports(reports: list[dict[str, Any]], fmt: str = "table", color: bool = False,
                   problems: bool = False) -> str:
    """Several articles' reports as one output: JSON is one array (one object for a single
    article), JSON lines one report a line, CSV has one header, HTML one page with an index,
    and table and Markdown end with a total line across articles."""
    fmt = str(getattr(fmt, "value", fmt))
    if problems:
        reports = [only_problems(r) for r in reports]
    if fmt == "json" and len(reports) != 1:
        return json.dumps(reports, indent=2, ensure_ascii=False, default=str) + "\n"
    if fmt == "csv":
        return "".join(as_csv(r, header=i == 0) for i, r in enumerate(reports)) or as_csv({"citations": []})
    if fmt == "html" and len(reports) != 1:
        from citeaudit.report.html import index_page

        return index_page(reports)
    text = "".join(render(r, fmt, color=color) for r in reports)
    if len(reports) > 1 and fmt == "table":
        text += "\n" + total_line(reports) + "\n"
    elif len(reports) > 1 and fmt == "markdown":
        text += "\n**" + safe.markdown(total_line(reports)) + "**\n"
    return text
