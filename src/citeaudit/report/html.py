"""A report dict (see model.py) as one self-contained HTML page, and several as an index.

Article text and service answers are hostile input: every string goes through safe.html, links
are built only from identifiers that pass a strict pattern (a DOI, a numeric PMID), and the
page's Content-Security-Policy allows no script at all, so even a bug in the escaping could
not run one. There are no external assets (inline CSS only), so a page can be mailed or
archived as one file. Verdicts carry a symbol and a word as well as a colour.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from citeaudit.report import safe
from citeaudit.report.render import failed_check, is_problem, problems_line, summary_line, total_line

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"
BADGE = {"verified": "\u2713 VERIFIED", "mismatched": "\u2260 MISMATCHED", "unfound": "\u2717 UNFOUND",
         "unchecked": "? UNCHECKED"}
RETRACTED_BADGE = "\u26a0 RETRACTED WORK"
ACCEPTED_BADGE = "\u2714 ACCEPTED"
FIELDS = ("title", "authors", "year", "journal", "volume", "issue", "pages", "doi", "pmid")
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_PMID = re.compile(r"^\d{1,9}$")

STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:70rem;padding:1rem 1.5rem;color:#1b1b1b}
h1{font-size:1.4rem;margin:.2rem 0}h2{font-size:1.15rem;margin:1.6rem 0 .4rem}
.headline{font-size:1.1rem;font-weight:600;border-left:5px solid #555;padding:.3rem .7rem;background:#f4f4f4}
.meta{color:#555;font-size:.9rem;word-break:break-all}
table{border-collapse:collapse;margin:.3rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;text-align:left;vertical-align:top}
.citation{border:1px solid #bbb;border-left-width:8px;margin:.8rem 0;padding:.5rem .8rem;border-radius:4px}
.citation header{display:flex;gap:.6rem;align-items:baseline;flex-wrap:wrap}
.badge{font-weight:700;font-family:ui-monospace,monospace;padding:0 .3rem;border:2px solid currentColor}
.v-verified{border-left-color:#2e7d32}.v-verified .badge{color:#2e7d32}
.v-mismatched{border-left-color:#b26a00}.v-mismatched .badge{color:#8a5200}
.v-unfound{border-left-color:#c62828;border-left-style:double}.v-unfound .badge{color:#c62828}
.v-unchecked{border-left-color:#1565c0;border-left-style:dashed}.v-unchecked .badge{color:#1565c0}
.accepted .badge.a{color:#2e7d32}.accepted{opacity:.85}
.retracted .badge.r{color:#fff;background:#b71c1c;border-color:#b71c1c}
blockquote{margin:.4rem 0;padding:.2rem .6rem;border-left:3px solid #ddd;color:#333;white-space:pre-wrap}
tr.diff td{background:#fff3cd;font-weight:600}tr.diff th::after{content:" \\2260"}
mark{background:#ffe08a}
.why,.notes,.history,.links{font-size:.92rem}.id{font-family:ui-monospace,monospace;color:#555}
nav.index td.n{text-align:right}
"""


def _h(value: object, limit: int | None = None) -> str:
    return safe.html(value, limit)


def _value(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return "" if value is None else str(value)


def doi_url(doi: object) -> str | None:
    text = str(doi or "").strip()
    return "https://doi.org/" + quote(text, safe="/:;()._-") if _DOI.match(text) else None


def pubmed_url(pmid: object) -> str | None:
    text = str(pmid or "").strip()
    return f"https://pubmed.ncbi.nlm.nih.gov/{text}/" if _PMID.match(text) else None


def _links(record: dict[str, Any]) -> list[str]:
    out = []
    if url := doi_url(record.get("doi")):
        out.append(f'<a href="{_h(url)}" rel="noopener noreferrer">doi:{_h(record.get("doi"))}</a>')
    if url := pubmed_url(record.get("pmid")):
        out.append(f'<a href="{_h(url)}" rel="noopener noreferrer">PubMed {_h(record.get("pmid"))}</a>')
    return out


def order(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems first: unfound, mismatched, retracted works, failed checks; then the rest."""
    def rank(e: dict[str, Any]) -> int:
        if e.get("accepted"):  # an editor checked it by hand: not a problem any more
            return 4
        if e["verdict"] == "unfound":
            return 0
        if e["verdict"] == "mismatched":
            return 1
        if e.get("retracted"):
            return 2
        if failed_check(e):
            return 3
        return 4 if e["verdict"] == "unchecked" else 5
    return sorted(entries, key=rank)


def _comparison(entry: dict[str, Any]) -> str:
    stated = entry.get("stated") or {}
    found = entry.get("matched") or {}
    differing = {d.get("field") for d in entry.get("differences") or []}
    diffs = {d.get("field"): d for d in entry.get("differences") or []}
    rows = []
    for name in FIELDS:
        s, f = stated.get(name), found.get(name)
        if name in diffs:  # the judge's own view of the field (normalised as compared)
            s = diffs[name].get("stated", s)
            f = diffs[name].get("found", f)
        if s in (None, "", []) and f in (None, "", []):
            continue
        if name in differing:
            rows.append(f'<tr class="diff"><th>{_h(name)}</th><td><mark>{_h(_value(s), 300)}</mark></td>'
                        f'<td><mark>{_h(_value(f), 300)}</mark></td></tr>')
        else:
            rows.append(f"<tr><th>{_h(name)}</th><td>{_h(_value(s), 300)}</td><td>{_h(_value(f), 300)}</td></tr>")
    for name in sorted(differing - set(FIELDS), key=str):
        d = diffs[name]
        rows.append(f'<tr class="diff"><th>{_h(name)}</th><td><mark>{_h(_value(d.get("stated")), 300)}</mark></td>'
                    f'<td><mark>{_h(_value(d.get("found")), 300)}</mark></td></tr>')
    if not rows:
        return ""
    head = "<tr><th>field</th><th>stated in the article</th><th>found" + (
        f' ({_h(found.get("source"))})' if found.get("source") else "") + "</th></tr>"
    return f'<table class="compare">{head}{"".join(rows)}</table>'


def citation_html(entry: dict[str, Any], position: int) -> str:
    verdict = entry["verdict"]
    number = entry.get("id") or position
    classes = ["citation", f"v-{verdict if verdict in BADGE else 'unchecked'}"]
    badges = [f'<span class="badge">{_h(BADGE.get(verdict, verdict.upper()))}</span>']
    if entry.get("retracted"):
        classes.append("retracted")
        badges.append(f'<span class="badge r">{RETRACTED_BADGE}</span>')
    if failed_check(entry):
        badges.append('<span class="badge">CHECK FAILED</span>')
    if entry.get("accepted"):
        classes.append("accepted")
        badges.append(f'<span class="badge a">{ACCEPTED_BADGE}</span>')
    parts = [f'<section class="{" ".join(classes)}" id="c{_h(number)}" data-verdict="{_h(verdict)}"'
             f' data-problem="{"yes" if is_problem(entry) else "no"}">',
             f'<header>{"".join(badges)}<span class="id">#{_h(number)}</span>'
             f'<span class="kind">{_h(entry.get("kind"))}</span></header>',
             f"<blockquote>{_h(entry.get('text'), 1200)}</blockquote>"]
    parts.append(_comparison(entry))
    if verdict != "verified":
        parts.append(f'<p class="why"><strong>why:</strong> {_h(entry.get("reason"), 600)}</p>')
    if entry.get("accepted"):
        a = entry["accepted"]
        parts.append(f'<p class="accepted"><strong>accepted by the editor:</strong> {_h(a.get("reason"), 600)} '
                     f'<span class="meta">({_h(a.get("at"))}{", " + _h(a.get("by")) if a.get("by") else ""})</span></p>')
    if entry.get("fix"):
        parts.append(f'<p class="fix"><strong>suggested entry:</strong> {_h(entry["fix"], 600)}</p>')
    links = _links(entry.get("matched") or {})
    for cand in entry.get("candidates") or []:
        label = f"{_value(cand.get('title'))[:90]} ({_value(cand.get('journal'))[:40]}, {_value(cand.get('year'))})"
        cl = _links(cand)
        if cl:
            links.append(f"nearest: {_h(label)} " + " ".join(cl))
    if links:
        parts.append('<ul class="links">' + "".join(f"<li>{x}</li>" for x in links) + "</ul>")
    notes = entry.get("notes") or []
    if notes:
        parts.append('<ul class="notes">' + "".join(f"<li>note: {_h(n, 600)}</li>" for n in notes) + "</ul>")
    failed = {k: v for k, v in (entry.get("sources") or {}).items() if v != "ok"}
    if failed:
        parts.append('<p class="why">' + "; ".join(f"{_h(k)}: {_h(v, 200)}" for k, v in failed.items()) + "</p>")
    history = entry.get("history") or []
    if len(history) > 0:
        rows = "".join(f"<tr><td>{_h(k.get('checked_at'))}</td><td>{_h(k.get('verdict'))}</td>"
                       f"<td>{_h(k.get('reason'), 200)}</td></tr>" for k in history)
        parts.append(f'<details class="history"><summary>history: {len(history)} check'
                     f'{"s" if len(history) != 1 else ""}</summary><table><tr><th>checked</th><th>verdict</th>'
                     f"<th>reason</th></tr>{rows}</table></details>")
    parts.append("</section>")
    return "\n".join(p for p in parts if p)


def _summary_table(report: dict[str, Any]) -> str:
    s = report["summary"]
    cells = "".join(f"<tr><th>{_h(BADGE.get(v, v))}</th><td>{int(s.get(v, 0))}</td></tr>"
                    for v in ("unfound", "mismatched", "unchecked", "verified"))
    if s.get("retracted"):
        cells = f"<tr><th>{RETRACTED_BADGE}</th><td>{int(s['retracted'])}</td></tr>" + cells
    cred = report.get("credibility") or {}
    extra = []
    if cred:
        src = cred.get("sources") or {}
        extra.append(f"<tr><th>distinct scholarly sources</th><td>{int(cred.get('resolvable') or 0)} "
                     f"({int(src.get('verified', 0))} verified, {int(src.get('unfound', 0))} unfound)</td></tr>")
        extra.append(f"<tr><th>uncited research claims</th><td>{int(cred.get('uncited_claims') or 0)}</td></tr>")
        if cred.get("bio"):
            extra.append(f"<tr><th>author bio</th><td>{_h(cred['bio'])}</td></tr>")
    return f'<table class="summary">{cells}{"".join(extra)}</table><p>{_h(summary_line(s).splitlines()[0])}</p>'


def article_html(report: dict[str, Any], anchor: str = "", level: int = 1) -> str:
    art = report["article"]
    title = art.get("title") or art.get("source")
    h = f"h{level}"
    out = [f'<article class="report"{f" id={chr(34)}{_h(anchor)}{chr(34)}" if anchor else ""}>',
           f"<{h}>{_h(title, 300)}</{h}>"]
    if art.get("title"):
        out.append(f'<p class="meta">{_h(art.get("source"))}</p>')
    if report.get("headline"):
        out.append(f'<p class="headline">{_h(report["headline"])}</p>')
    out.append(_summary_table(report))
    entries = order(report["citations"])
    problems = [e for e in entries if is_problem(e)]
    if report.get("problems_only"):
        out.append(f"<p>{_h(problems_line(report))}</p>")
    out.append(f"<h{level + 1}>Problems ({len(problems)})</h{level + 1}>")
    out += [citation_html(e, i) for i, e in enumerate(problems, 1)] or ["<p>none</p>"]
    rest = [e for e in entries if not is_problem(e)]
    if rest:
        out.append(f"<h{level + 1}>Everything else ({len(rest)})</h{level + 1}>")
        out += [citation_html(e, i) for i, e in enumerate(rest, len(problems) + 1)]
    out.append("</article>")
    return "\n".join(out)


def _document(title: str, body: str) -> str:
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta name="referrer" content="no-referrer">'
            f"<title>{_h(title, 200)}</title><style>{STYLE}</style></head>\n<body>\n{body}\n"
            "<footer class=\"meta\">made by citeaudit</footer></body></html>\n")


def page(report: dict[str, Any]) -> str:
    """One article's report as a self-contained page."""
    art = report["article"]
    return _document(f"citeaudit: {art.get('title') or art.get('source')}", article_html(report))


def _index_table(reports: list[dict[str, Any]], hrefs: list[str]) -> str:
    rows = []
    for report, href in zip(reports, hrefs):
        art, s = report["article"], report["summary"]
        problems = sum(1 for e in report["citations"] if is_problem(e))
        rows.append(f'<tr><td><a href="{_h(href)}">{_h(art.get("title") or art.get("source"), 120)}</a></td>'
                    f'<td>{_h(report.get("headline") or "", 300)}</td><td class="n">{problems}</td>'
                    f'<td class="n">{int(s.get("unfound", 0))}</td><td class="n">{int(s.get("mismatched", 0))}</td>'
                    f'<td class="n">{int(s.get("retracted", 0))}</td><td class="n">{int(s.get("total", 0))}</td></tr>')
    head = ("<tr><th>article</th><th>headline</th><th>problems</th><th>unfound</th><th>mismatched</th>"
            "<th>retracted</th><th>citations</th></tr>")
    return f'<nav class="index"><table>{head}{"".join(rows)}</table></nav>'


def _by_problems(reports: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(reports, key=lambda r: -sum(1 for e in r["citations"] if is_problem(e)))


def index_page(reports: list[dict[str, Any]]) -> str:
    """Several articles on one page: the index (articles with most problems first), then each."""
    reports = _by_problems(reports)
    anchors = [f"article-{i}" for i in range(1, len(reports) + 1)]
    body = [f"<h1>citeaudit: {len(reports)} articles</h1>", f'<p class="headline">{_h(total_line(reports))}</p>',
            _index_table(reports, ["#" + a for a in anchors])]
    body += [article_html(r, anchor=a, level=2) for r, a in zip(reports, anchors)]
    return _document(f"citeaudit: {len(reports)} articles", "\n".join(body))


def _slug(text: str) -> str:
    stem = Path(text.rstrip("/")).name or text
    return re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")[:60] or "article"


def write_pages(reports: list[dict[str, Any]], directory: Path, problems: bool = False) -> list[Path]:
    """One page per article in `directory`, plus index.html when there are several (first in
    the returned list: the page to open)."""
    from citeaudit.report.render import only_problems

    if problems:
        reports = [only_problems(r) for r in reports]
    names = [f"{i:03d}-{_slug(str(r['article'].get('source') or ''))}.html" for i, r in enumerate(reports, 1)]
    written = []
    for report, name in zip(reports, names):
        path = directory / name
        path.write_text(page(report), encoding="utf-8")
        written.append(path)
    if len(reports) > 1:
        order_ = sorted(range(len(reports)), key=lambda i: -sum(1 for e in reports[i]["citations"] if is_problem(e)))
        body = [f"<h1>citeaudit: {len(reports)} articles</h1>", f'<p class="headline">{_h(total_line(reports))}</p>',
                _index_table([reports[i] for i in order_], [names[i] for i in order_])]
        index = directory / "index.html"
        index.write_text(_document(f"citeaudit: {len(reports)} articles", "\n".join(body)), encoding="utf-8")
        written.insert(0, index)
    return written
