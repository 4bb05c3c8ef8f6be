"""A Datasette ``metadata.json``-style description of the database's tables and views
(`citeaudit db metadata`): what each table and view is, and what each column holds.

Columns are read from the database itself (so a column added by a later migration is
listed), and described from ``COLUMNS`` (by table, then by name across tables); a test
checks that every column of every table and view has a description.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

from citeaudit import __version__

SUMMARY = ("citeaudit's audit database: articles, their citations, the records found in Crossref and "
           "PubMed, and every verdict (verified, mismatched, unfound, unchecked). Start with the views.")

TABLES: dict[str, str] = {
    "articles": "One row per audited article (absolute file path or URL).",
    "runs": "One audit of one article (run, reverify); status running, complete, incomplete or failed.",
    "citations": "One row per citation in an article: reference-list entries, study mentions, quotes, bios, links, "
                 "uncited claims. `key` is stable across runs; `present` is 0 once the article no longer has it.",
    "records": "Bibliographic records fetched from Crossref and PubMed (full record in `data`, the source's own "
               "answer in `raw`). Full-text search over title, authors and journal (records_fts).",
    "checks": "A verdict on a citation in a run. Old checks are never rewritten: the history of every citation.",
    "searches": "Cached searches: which records a source returned for a query.",
    "decisions": "Editors' decisions (`citeaudit accept`): standing while revoked_at is empty; withdrawn by the "
                 "editor (`unaccept`) or by the evidence (a re-check changed the verdict, the work or found a "
                 "retraction).",
    "queue": "Articles queued for the workers (`citeaudit queue add`, `citeaudit worker`): queued, running, done "
             "or failed, who claimed each and until when.",
    "evidence": "What was learned about a citation that is not a record (a bio's publication counts, a cited "
                "link's page), reused while younger than --max-age-days.",
    "latest_checks": "View: each citation's latest conclusive verdict, with the matched work and the differences.",
    "article_summary": "View: per article, citations and counts by verdict, retracted works, the last run.",
    "verdict_changes": "View: every change of a citation's verdict between checks (after reverify).",
    "retracted_citations": "View: latest checks whose matched work is retracted, whatever their verdict.",
    "article_credibility": "View: per article, counts by kind (references, mentions, quotes, links) and verdict, "
                           "the author bio's verdict and uncited research claims.",
    "accepted_citations": "View: each standing editor's acceptance beside the citation's latest check.",
}

COMMON: dict[str, str] = {
    "id": "Row id.",
    "article_id": "The article (articles.id).",
    "article_source": "The article's file path or URL.",
    "source": "The article's file path or URL (articles), or the record's source: crossref or pubmed.",
    "citation_id": "The citation (citations.id): the number `citeaudit history` takes and reports show.",
    "check_id": "The check (checks.id).",
    "run_id": "The run (runs.id).",
    "record_id": "The matched record (records.id).",
    "kind": "reference, mention, quote, bio, link or claim (citations); text, markdown or html (articles).",
    "category": "scholarly or grey (grey literature: agency pages, press releases, blogs).",
    "text": "The citation as the article wrote it.",
    "start_offset": "Where the citation starts in the article's text (character offset).",
    "end_offset": "Where the citation ends in the article's text (character offset).",
    "verdict": "verified, mismatched, unfound or unchecked.",
    "reason": "Why this verdict, in one line.",
    "score": "How closely the matched record fits (0 to 1).",
    "matched_source": "Where the matched record came from: crossref or pubmed.",
    "matched_doi": "DOI of the matched work.",
    "matched_pmid": "PubMed id of the matched work.",
    "matched_title": "Title of the matched work.",
    "retracted": "1 when the matched work is retracted (as the check saw it).",
    "record_retracted": "1 when the stored record of the matched work now lists a retraction.",
    "differences": "JSON list of {field, stated, found}: each stated detail that differs from the record.",
    "notes": "JSON list of notes: retraction and correction notices, quote matches, why a claim is unchecked.",
    "checked_at": "When the check was made (UTC, ISO 8601).",
    "last_failed_check_id": "A later re-check that failed because a service was down (its verdict stands).",
    "last_failed_at": "When that failed re-check was made.",
    "last_failed_reason": "Why that re-check failed.",
    "title": "Title.",
    "first_seen": "When it was first stored (UTC).",
    "last_seen": "When it was last seen in an audit (UTC).",
    "content_hash": "sha256 of the article's text as audited.",
}

COLUMNS: dict[str, dict[str, str]] = {
    "articles": {"title": "The article's title, if it has one."},
    "runs": {"started_at": "When the run started (UTC).", "finished_at": "When it ended (UTC).",
             "status": "running, complete, incomplete (interrupted, a full disk) or failed.",
             "mode": "online (the services were asked) or offline (stored records only).",
             "tool_version": "citeaudit's version.", "content_hash": "sha256 of the article's text in this run.",
             "pid": "The process that ran it.", "host": "The machine of that process."},
    "evidence": {"kind": "bio or link.", "key": "What it is about (the bio's person and topic, the link's URL).",
                 "data": "JSON: what was learned.", "fetched_at": "When it was asked (UTC)."},
    "queue": {"source": "The article's path or URL.", "kind": "audit.",
              "status": "queued, running, done or failed.", "added_at": "When it was queued (UTC).",
              "claimed_by": "host:pid:nonce of the worker that claimed it.", "claimed_at": "When (UTC).",
              "lease_until": "The claim lapses then unless the worker renews it.",
              "attempts": "How many times it was claimed.", "finished_at": "When it was done or failed (UTC).",
              "run_id": "The run that audited it.", "error": "Why it failed."},
    "citations": {"key": "Stable identity within the article (kind, text and occurrence).",
                  "fields": "JSON: the details stated (authors, year, title, journal, volume, issue, pages, DOI...).",
                  "note": "A note from extraction.", "extra": "JSON: what extraction found besides the fields.",
                  "linked_to_id": "The reference-list entry a quote or mention repeats (citations.id).",
                  "present": "1 while the article still has this citation."},
    "records": {"source": "crossref or pubmed.", "record_key": "The record's key within its source.",
                "doi": "DOI (lower case).", "pmid": "PubMed id.", "pmcid": "PubMed Central id.",
                "title": "The work's title.", "authors": "Authors, '; '-separated ('Bath R; Bucholz T').",
                "journal": "Journal or container title.", "journal_abbrevs": "Journal abbreviations, '; '-separated.",
                "year": "Year of publication.", "volume": "Volume.", "issue": "Issue.", "pages": "Pages.",
                "retracted": "1 when the record lists a retraction.", "data": "JSON: the full record.",
                "raw": "The source's own answer (Crossref JSON, PubMed XML).", "raw_format": "json or xml.",
                "fetched_at": "When it was fetched (UTC)."},
    "checks": {"comparisons": "JSON: every field compared with the matched record.",
               "candidates": "JSON: the nearest candidate works, when none matched.",
               "sources": "JSON {source: 'ok' or the error that left the citation unchecked}.",
               "inconclusive": "1 when unchecked because a service failed (never hides an earlier verdict)."},
    "searches": {"source": "crossref or pubmed.", "query_key": "The query asked.",
                 "record_keys": "JSON list of the records it returned.", "fetched_at": "When it was asked (UTC)."},
    "decisions": {"decision": "accepted.", "reason": "Why the editor accepted the citation.",
                  "accepted_at": "When (UTC).", "accepted_by": "Who decided.",
                  "check_id": "The check the decision was given on.",
                  "verdict": "The verdict it was given on.", "record_id": "The matched record it was given on.",
                  "retracted": "1 when the work was already retracted then.",
                  "revoked_at": "When it was withdrawn (empty: it stands).",
                  "revoked_by": "editor (unaccept) or evidence (a re-check changed it).",
                  "revoked_reason": "Why it was withdrawn."},
    "article_summary": {"citations": "Citations still in the article.", "checked": "Citations with a verdict.",
                        "verified": "Verified citations.", "mismatched": "Mismatched citations.",
                        "unfound": "Unfound citations.", "unchecked": "Unchecked citations.",
                        "retracted": "Citations of retracted works.", "last_run_id": "The latest run.",
                        "last_run_started_at": "When it started.", "last_run_finished_at": "When it ended.",
                        "last_run_status": "Its status."},
    "verdict_changes": {"from_verdict": "The verdict before.", "to_verdict": "The verdict after.",
                        "from_run": "The run of the check before.", "to_run": "The run of the check after.",
                        "changed_at": "When the new verdict was checked (UTC)."},
    "article_credibility": {
        **{f"{k}_{v}": f"{k.capitalize()}: {v}." for k in ("references", "mentions")
           for v in ("total", "verified", "mismatched", "unfound", "unchecked")},
        "quotes_total": "Quotations attributed to a work.", "links_total": "Links in the body.",
        "resolvable": "Scholarly sources that could be looked up.", "uncited_claims": "Research claimed with no source.",
        "bio_verdict": "The author bio's verdict.", "unfound_sources": "Scholarly sources not found anywhere."},
    "accepted_citations": {"decision_id": "The decision (decisions.id).", "accepted_reason": "Why it was accepted.",
                           "accepted_at": "When (UTC).", "accepted_by": "Who decided.",
                           "accepted_check_id": "The check the acceptance was given on.",
                           "accepted_verdict": "The verdict it was given on."},
}


def describe_column(table: str, column: str) -> str | None:
    return COLUMNS.get(table, {}).get(column) or COMMON.get(column)


def metadata(engine: Any, path: str | Path) -> dict[str, Any]:
    """The description of the database at ``engine`` (Datasette names it by its file stem)."""
    if engine.dialect.name != "sqlite":
        raise ValueError("db metadata describes a SQLite database (Datasette reads SQLite files)")
    with engine.connect() as conn:
        names = [row[0] for row in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY type, name"))]
        tables: dict[str, Any] = {}
        for name in names:
            if name not in TABLES:
                continue
            columns = [row[1] for row in conn.execute(text(f'PRAGMA table_info("{name}")'))]
            tables[name] = {"description": TABLES[name],
                            "columns": {c: describe_column(name, c) or "" for c in columns}}
    if "records" in tables:  # Datasette's search box on records (`records?_search=kratom`)
        tables["records"].update({"fts_table": "records_fts", "fts_pk": "id", "label_column": "title"})
    if "articles" in tables:
        tables["articles"]["label_column"] = "source"
    for hidden in ("records_fts", "alembic_version"):
        if hidden in names:
            tables[hidden] = {"hidden": True}
    return {
        "title": "citeaudit audit database",
        "description": SUMMARY,
        "source": f"citeaudit {__version__}",
        "databases": {Path(path).stem: {"description": SUMMARY, "tables": tables}},
    }
