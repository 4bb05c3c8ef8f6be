"""The Store: everything citeaudit reads from and writes to audit.db (or a PostgreSQL database).

Every public method is one short transaction (SQLite writes take the lock up front
with ``BEGIN IMMEDIATE``), so several audits can share one database file.
Queries use bound parameters only. Where SQL differs by dialect (upserts, full-text
search) the statement is chosen from ``engine.dialect.name``.
"""

from __future__ import annotations

import hashlib
import json
import functools
import os
import random
import re
import socket
import time
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import Connection, bindparam, insert, or_, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from citeaudit.models import Check, Citation, Document, Fields, Record, fields_from_dict, record_from_dict, record_to_dict
from citeaudit.store.db import StoreError, immediate, open_engine, target_of
from citeaudit.store.tables import Article, CheckRow, CitationRow, EvidenceRow, RecordRow, Run, SearchRow

# bm25 weights of the records_fts columns: title, authors, journal, journal_abbrevs
FTS_WEIGHTS = (4.0, 2.0, 1.0, 1.0)
MAX_QUERY_TOKENS = 32
CHECK_JSON_COLUMNS = ("differences", "comparisons", "candidates", "notes", "sources")
_TOKEN = re.compile(r"[^\W_]+")
_SPACE = re.compile(r"\s+")
HOST = socket.gethostname()  # runs.host: only this machine judges its own pids


def now() -> str:
    """The current time as stored: ISO-8601 UTC to the second, e.g. 2026-11-21T06:00:00Z."""
    return _iso(datetime.now(timezone.utc))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _cutoff(days: float) -> str:
    """The stored timestamp ``days`` ago (text comparison works: fixed format)."""
    return _iso(datetime.now(timezone.utc) - timedelta(days=days))


_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str)  # built once: json.dumps with options builds one a call


def _dumps(value: Any) -> str:
    return _ENCODER.encode(value)


def normalise_source(source: str) -> str:
    """An article's identity: URLs as given, file paths made absolute."""
    return source if "://" in source else os.path.abspath(os.path.expanduser(source))


def citation_keys(citations: Iterable[Citation]) -> list[str]:
    """Each citation's stable identity within its article.

    sha1 of kind, text (whitespace collapsed, lower-cased) and the occurrence
    index among earlier citations with the same kind and text.
    """
    seen: dict[tuple[str, str], int] = {}
    keys = []
    for c in citations:
        ident = (c.kind, _SPACE.sub(" ", c.text).strip().lower())
        seen[ident] = seen.get(ident, -1) + 1
        keys.append(hashlib.sha1(f"{ident[0]}\x1f{ident[1]}\x1f{seen[ident]}".encode()).hexdigest())
    return keys


def query_tokens(query: str) -> list[str]:
    """The words of a search query (never its syntax), first MAX_QUERY_TOKENS distinct ones."""
    return list(dict.fromkeys(_TOKEN.findall(query)))[:MAX_QUERY_TOKENS]


def fts_query(query: str) -> str:
    """An FTS5 MATCH expression: the query's words, each quoted, OR-ed ('' if none)."""
    return " OR ".join(f'"{token}"' for token in query_tokens(query))


def _upsert(conn_or_engine: Any, table: Any):
    """``INSERT`` with ``ON CONFLICT`` for the connection's dialect (SQLite or PostgreSQL)."""
    return (postgresql_insert if conn_or_engine.dialect.name == "postgresql" else sqlite_insert)(table)


# PostgreSQL: ts_rank's weights are {D, C, B, A}; A title, B authors, C journal (FTS_WEIGHTS / 4)
PG_SEARCH = text(
    "SELECT r.data, r.raw FROM records r, to_tsquery('simple', :match) q "
    "WHERE r.search_vector @@ q "
    "ORDER BY ts_rank('{0.25, 0.25, 0.5, 1.0}', r.search_vector, q) DESC, r.id LIMIT :limit")


def _fields_json(fields: Fields) -> str:
    """Stated fields as JSON, authors kept as {family, given} so they round-trip."""
    return _dumps({k: v for k, v in asdict(fields).items() if v not in (None, [], False, "")})


def _pid_alive(pid: int | None) -> bool:
    """Whether process ``pid`` exists (POSIX only; elsewhere assume it does)."""
    if pid is None:
        return False
    if pid == os.getpid() or os.name != "posix":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by another user
    return True


def _record_values(record: Record, fetched_at: str) -> dict[str, Any]:
    """The records-table row of a Record."""
    return {
        "source": record.source,
        "record_key": record.key,
        "doi": record.doi.lower() if record.doi else None,
        "pmid": record.pmid,
        "pmcid": record.pmcid,
        "title": record.title,
        "authors": "; ".join(str(a) for a in record.authors),
        "journal": record.journal,
        "journal_abbrevs": "; ".join(record.journal_abbrevs),
        "year": record.year,
        "volume": record.volume,
        "issue": record.issue,
        "pages": record.pages,
        "retracted": int(record.retracted),
        "data": _dumps(record_to_dict(record)),
        "raw": record.raw,
        "raw_format": record.raw_format,
        "fetched_at": fetched_at,
    }


def _to_record(row: Any) -> Record:
    return record_from_dict(json.loads(row.data), row.raw)


def _check_dict(row: Any) -> dict[str, Any]:
    """A checks row (or latest_checks row) as a dict with its JSON columns decoded."""
    d = dict(row._mapping)
    for column in CHECK_JSON_COLUMNS:
        if column in d and d[column] is not None:
            d[column] = json.loads(d[column])
    return d


def _citation_dict(row: Any) -> dict[str, Any]:
    """A citations row (joined with its article's source) decoded, with the Citation rebuilt."""
    d = dict(row._mapping)
    d["fields_json"] = d["fields"]
    d["fields"] = fields_from_dict(json.loads(d["fields"]))
    d["extra"] = json.loads(d["extra"])
    d["citation"] = Citation(kind=d["kind"], text=d["text"], start=d["start_offset"], end=d["end_offset"],
                             fields=d["fields"], category=d["category"], note=d["note"], extra=d["extra"])
    return d


_RETRY_STATES = ("40P01", "40001")  # PostgreSQL: deadlock detected, serialization failure
_WRITE_RETRIES = 5


def _retried(method):
    """A write method re-run when PostgreSQL aborted its transaction as a deadlock victim (the
    transaction was rolled back whole, so running it again is safe); SQLite never does this."""
    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        for attempt in range(_WRITE_RETRIES):
            try:
                return method(self, *args, **kwargs)
            except DBAPIError as e:
                state = getattr(getattr(e, "orig", None), "sqlstate", None)
                if state not in _RETRY_STATES or attempt == _WRITE_RETRIES - 1:
                    raise
                time.sleep(0.01 + random.random() * 0.05 * (attempt + 1))
    return wrapper


class Store:
    """The audit database at ``path`` (created and migrated on open)."""

    def __init__(self, path: str | Path):
        target = target_of(path)
        self.target = target
        self.path = target.path if target.path is not None else target.name  # what messages name
        self.engine = open_engine(target)
        self.dialect = self.engine.dialect.name
        self._writer = immediate(self.engine) if self.dialect == "sqlite" else self.engine

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- articles and runs ---------------------------------------------------------

    @_retried
    def upsert_article(self, doc: Document) -> int:
        """Insert or update the article ``doc.source``; returns its id."""
        source, stamp = normalise_source(doc.source), now()
        values = {"kind": doc.kind, "title": doc.title, "content_hash": doc.content_hash, "last_seen": stamp}
        statement = _upsert(self.engine, Article).values(source=source, first_seen=stamp, **values)
        statement = statement.on_conflict_do_update(index_elements=["source"], set_=values)
        with self._writer.begin() as conn:
            conn.execute(statement)
            return conn.execute(select(Article.id).where(Article.source == source)).scalar_one()

    @_retried
    def start_run(self, article_id: int, mode: str, tool_version: str, content_hash: str) -> int:
        """Record the start of an audit by this process; returns the run id."""
        values = dict(article_id=article_id, started_at=now(), status="running", mode=mode,
                      tool_version=tool_version, content_hash=content_hash, pid=os.getpid(), host=HOST)
        with self._writer.begin() as conn:
            return conn.execute(insert(Run).values(**values)).inserted_primary_key[0]

    @_retried
    def start_runs(self, runs: list[tuple[int, str, str, str]]) -> list[int]:
        """Several runs started in one transaction: (article_id, mode, tool_version, content_hash)
        each; returns their ids in order."""
        if not runs:
            return []
        stamp, pid = now(), os.getpid()
        rows = [dict(article_id=a, started_at=stamp, status="running", mode=m, tool_version=v, content_hash=h,
                     pid=pid, host=HOST) for a, m, v, h in runs]
        with self._writer.begin() as conn:
            return [row[0] for row in conn.execute(insert(Run).returning(Run.id, sort_by_parameter_order=True), rows)]

    @_retried
    def finish_run(self, run_id: int, status: str, then: Any = None) -> None:
        """Close a run as 'complete', 'incomplete' or 'failed'; ``then(conn, run_id)`` runs in the
        same transaction (the work queue marks its row done there: both or neither)."""
        with self._writer.begin() as conn:
            conn.execute(update(Run).where(Run.id == run_id).values(status=status, finished_at=now()))
            if then is not None:
                then(conn, run_id)

    @_retried
    def mark_stale_runs_incomplete(self) -> int:
        """Mark 'running' runs of this machine whose process is gone as 'incomplete'; returns
        how many (runs of other machines sharing the database are theirs to judge)."""
        with self._writer.begin() as conn:
            running = conn.execute(select(Run.id, Run.pid).where(
                Run.status == "running", or_(Run.host == HOST, Run.host.is_(None)))).all()
            stale = [run_id for run_id, pid in running if not _pid_alive(pid)]
            if stale:
                conn.execute(update(Run).where(Run.id.in_(stale)).values(status="incomplete", finished_at=now()))
        return len(stale)

    # --- citations and checks ------------------------------------------------------

    @_retried
    def save_citations(self, article_id: int, citations: list[Citation]) -> list[int]:
        """Save an article's full citation list; returns their ids, in order.

        A citation already stored (same key) is updated, not duplicated; stored
        citations missing from the list get ``present = 0``.
        """
        stamp = now()
        keys = citation_keys(citations)
        with self._writer.begin() as conn:
            conn.execute(update(CitationRow).where(CitationRow.article_id == article_id).values(present=0))
            if citations:  # one statement, executed for every row
                conn.execute(self._citation_upsert_many(), [
                    {"article_id": article_id, "key": key, "first_seen": stamp,
                     **self._citation_values(citation, stamp)} for key, citation in zip(keys, citations)])
            rows = conn.execute(
                select(CitationRow.key, CitationRow.id).where(CitationRow.article_id == article_id)
            ).all()
            ids_by_key = dict(rows)
            ids = [ids_by_key[key] for key in keys]
            links = []
            for citation_id, citation in zip(ids, citations):
                linked = citation.linked_to
                links.append({"cid": citation_id,
                              "linked": ids[linked] if linked is not None and 0 <= linked < len(ids) else None})
            if links:
                conn.execute(update(CitationRow).where(CitationRow.id == bindparam("cid"))
                             .values(linked_to_id=bindparam("linked")), links)
        return ids

    @staticmethod
    def _citation_values(citation: Citation, stamp: str) -> dict[str, Any]:
        return {
            "kind": citation.kind,
            "category": citation.category,
            "text": citation.text,
            "start_offset": citation.start,
            "end_offset": citation.end,
            "fields": _fields_json(citation.fields),
            "note": citation.note,
            "extra": _dumps(citation.extra),
            "present": 1,
            "last_seen": stamp,
        }

    def _citation_upsert_many(self):
        statement = _upsert(self.engine, CitationRow)
        columns = ("kind", "category", "text", "start_offset", "end_offset", "fields", "note", "extra",
                   "present", "last_seen")
        return statement.on_conflict_do_update(index_elements=["article_id", "key"],
                                               set_={c: statement.excluded[c] for c in columns})

    def save_check(self, run_id: int, citation_id: int, check: Check) -> int:
        """Save the verdict on a citation in a run (and its matched record); returns the check id."""
        return self.save_checks(run_id, [(citation_id, check)])[0]

    @_retried
    def save_checks(self, run_id: int, checks: list[tuple[int, Check]]) -> list[int]:
        """Save many (citation id, Check) verdicts of a run in one transaction; returns the check ids."""
        return self.save_runs_checks([(run_id, checks)])[0]

    def save_runs_checks(self, runs: list[tuple[int, list[tuple[int, Check]]]],
                         finish: str | None = None) -> list[list[int]]:
        """Several runs' (citation id, Check) verdicts in one transaction, each run then closed
        as ``finish`` when given; returns each run's check ids."""
        record_ids: dict[tuple[str, str], int] = {}
        every = [c for _, checks in runs for _, c in checks]
        if not every and finish is None:
            return [[] for _ in runs]
        with self._writer.begin() as conn:
            records = {(c.record.source, c.record.key): c.record for c in every if c.record is not None}
            keys = sorted({k for _, k in records})
            for start in range(0, len(keys), 500):  # the matched records' ids, in a few queries
                record_ids.update({(src, key): rid for src, key, rid in conn.execute(
                    select(RecordRow.source, RecordRow.record_key, RecordRow.id)
                    .where(RecordRow.record_key.in_(keys[start:start + 500])))})
            stamp, encoded = now(), {}
            rows = [self._check_values(conn, run_id, citation_id, check, record_ids, stamp, encoded)
                    for run_id, checks in runs for citation_id, check in checks]
            ids = self._insert_checks(conn, rows)
            if finish is not None:
                conn.execute(update(Run).where(Run.id.in_([run_id for run_id, _ in runs]))
                             .values(status=finish, finished_at=now()))
        out, n = [], 0
        for _, checks in runs:
            out.append(ids[n:n + len(checks)])
            n += len(checks)
        return out

    @staticmethod
    def _insert_checks(conn: Connection, rows: list[dict[str, Any]]) -> list[int]:
        """Insert checks rows with the driver's executemany (the ORM's insert-many-returning
        cost more than the rest of saving); returns their ids in order. Inside this write
        transaction nobody else inserts, and SQLite numbers new rows max(id) + 1 in the
        order they are inserted, so the new ids are the ids above the old maximum."""
        if not rows:
            return []
        if conn.dialect.name != "sqlite":  # other writers' rows may interleave: ask for the ids
            return [row[0] for row in conn.execute(
                insert(CheckRow).returning(CheckRow.id, sort_by_parameter_order=True), rows)]
        columns = list(rows[0])
        before = conn.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM checks").scalar_one()
        conn.exec_driver_sql(f"INSERT INTO checks ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                             [tuple(row[c] for c in columns) for row in rows])
        ids = [i for (i,) in conn.exec_driver_sql("SELECT id FROM checks WHERE id > ? ORDER BY id", (before,))]
        if len(ids) != len(rows):  # cannot happen inside the transaction; never hand out wrong ids
            raise StoreError(f"saved {len(rows)} checks but found {len(ids)} new rows")
        return ids

    def _check_values(self, conn: Connection, run_id: int, citation_id: int, check: Check,
                      record_ids: dict[tuple[str, str], int], stamp: str | None = None,
                      encoded: dict | None = None) -> dict[str, Any]:
        """The checks-table row of a Check. ``encoded`` (one save's cache): the JSON of lists
        whose items are the same objects as in a check already encoded (copies of one
        judged check, as judge_all's memo makes them) is reused, not rebuilt; the items
        are alive for the whole save, so their ids stay theirs."""
        encoded = {} if encoded is None else encoded

        def once(name: str, items: list, build) -> str:
            key = (name, *map(id, items))
            got = encoded.get(key)
            if got is None:
                got = encoded[key] = _dumps(build())
            return got

        record_id = None
        if check.record is not None:
            rk = (check.record.source, check.record.key)
            if rk not in record_ids:
                record_ids[rk] = self._stored_record_id(conn, check.record)
            record_id = record_ids[rk]
        values = {
            "run_id": run_id,
            "citation_id": citation_id,
            "verdict": check.verdict,
            "reason": check.reason,
            "record_id": record_id,
            "score": check.score,
            "differences": once("differences", check.differences, check.differences_dict),
            "comparisons": once("comparisons", check.comparisons,  # flat: asdict is slow
                                lambda: [dict(vars(c)) for c in check.comparisons]),
            "candidates": once("candidates", check.candidates, lambda: [r.summary() for r in check.candidates]),
            "notes": _dumps(check.notes),
            "sources": _dumps(check.sources),
            "retracted": int(check.retracted),
            "checked_at": stamp or now(),
            "inconclusive": int(check.inconclusive),
        }
        return values

    def _stored_record_id(self, conn: Connection, record: Record) -> int:
        """The id of ``record`` in the store, inserting it if it is not there yet."""
        found = conn.execute(
            select(RecordRow.id).where(RecordRow.source == record.source, RecordRow.record_key == record.key)
        ).scalar_one_or_none()
        return found if found is not None else self._upsert_records(conn, [record])[0]

    # --- records and searches ------------------------------------------------------

    @_retried
    def save_records(self, records: list[Record]) -> list[int]:
        """Insert or refresh records (by source and key); returns their ids, in order."""
        with self._writer.begin() as conn:
            return self._upsert_records(conn, records)

    @staticmethod
    def _upsert_records(conn: Connection, records: list[Record]) -> list[int]:
        """Upsert in (source, key) order, so that concurrent writers (PostgreSQL workers) lock
        rows in one order and cannot deadlock; the conflict columns are not rewritten, so the row
        lock is the weaker "no key update" one that checks' foreign keys do not wait on."""
        stamp = now()
        ids_by_key: dict[tuple[str, str], int] = {}
        for record in sorted(records, key=lambda r: (r.source, r.key)):
            if (record.source, record.key) in ids_by_key:
                continue
            values = _record_values(record, stamp)
            statement = _upsert(conn, RecordRow).values(**values)
            changed = {k: v for k, v in values.items() if k not in ("source", "record_key")}
            conn.execute(statement.on_conflict_do_update(index_elements=["source", "record_key"], set_=changed))
            ids_by_key[(record.source, record.key)] = conn.execute(
                select(RecordRow.id).where(RecordRow.source == record.source, RecordRow.record_key == record.key)
            ).scalar_one()
        return [ids_by_key[(r.source, r.key)] for r in records]

    def record_dates(self, keys: list[str]) -> dict[str, str]:
        """``{record key: when it was fetched (stored timestamp)}``, the newest per key."""
        out: dict[str, str] = {}
        wanted = sorted(set(keys))
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                for key, fetched_at in conn.execute(select(RecordRow.record_key, RecordRow.fetched_at)
                                                    .where(RecordRow.record_key.in_(wanted[start:start + 500]))):
                    if fetched_at and fetched_at > out.get(key, ""):
                        out[key] = fetched_at
        return out

    def get_record(self, source: str | None, doi: str | None = None, pmid: str | None = None,
                   max_age_days: float | None = None) -> Record | None:
        """The newest stored record with this DOI or PMID (from ``source``, if given).

        None when there is none, or none fetched within ``max_age_days``.
        """
        if not doi and not pmid:
            raise ValueError("get_record needs a doi or a pmid")
        wanted = []
        if doi:
            wanted.append(RecordRow.doi == doi.lower())
        if pmid:
            wanted.append(RecordRow.pmid == str(pmid))
        query = select(RecordRow.data, RecordRow.raw).where(or_(*wanted))
        if source is not None:
            query = query.where(RecordRow.source == source)
        if max_age_days is not None:
            query = query.where(RecordRow.fetched_at >= _cutoff(max_age_days))
        query = query.order_by(RecordRow.fetched_at.desc(), RecordRow.id.desc()).limit(1)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _to_record(row) if row else None

    def search_records(self, query: str, limit: int = 20) -> list[Record]:
        """Stored records whose title, authors or journal share words with ``query``, best first.

        Any string is accepted: only its words are used, never FTS syntax.
        """
        if self.dialect == "postgresql":
            tokens = query_tokens(query)
            if not tokens or limit <= 0:
                return []
            # each word a quoted lexeme: to_tsquery reads nothing of the query as syntax
            match = " | ".join("'" + token.replace("'", "''").replace("\\", "\\\\") + "'" for token in tokens)
            with self.engine.connect() as conn:
                rows = conn.execute(PG_SEARCH, {"match": match, "limit": limit}).all()
            return [_to_record(row) for row in rows]
        match = fts_query(query)
        if not match or limit <= 0:
            return []
        weights = ", ".join(str(w) for w in FTS_WEIGHTS)
        statement = text(
            "SELECT r.data, r.raw FROM records_fts JOIN records r ON r.id = records_fts.rowid "
            f"WHERE records_fts MATCH :match ORDER BY bm25(records_fts, {weights}) LIMIT :limit"
        )
        with self.engine.connect() as conn:
            rows = conn.execute(statement, {"match": match, "limit": limit}).all()
        return [_to_record(row) for row in rows]

    @_retried
    def save_search(self, source: str, query_key: str, records: list[Record]) -> None:
        """Remember what a search of ``source`` returned (the records are saved too)."""
        with self._writer.begin() as conn:
            self._upsert_records(conn, records)
            values = {"record_keys": _dumps([r.key for r in records]), "fetched_at": now()}
            statement = _upsert(conn, SearchRow).values(source=source, query_key=query_key, **values)
            conn.execute(statement.on_conflict_do_update(index_elements=["source", "query_key"], set_=values))

    def get_search(self, source: str, query_key: str, max_age_days: float | None = None) -> list[Record] | None:
        """The records a remembered search returned, in order.

        None when the search was never saved or is older than ``max_age_days``;
        [] when it found nothing.
        """
        query = select(SearchRow.record_keys).where(SearchRow.source == source, SearchRow.query_key == query_key)
        if max_age_days is not None:
            query = query.where(SearchRow.fetched_at >= _cutoff(max_age_days))
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar_one_or_none()
            if found is None:
                return None
            keys = json.loads(found)
            rows = conn.execute(
                select(RecordRow.record_key, RecordRow.data, RecordRow.raw).where(RecordRow.record_key.in_(keys))
            ).all() if keys else []
        by_key = {row.record_key: row for row in rows}
        return [_to_record(by_key[key]) for key in keys if key in by_key]

    # --- in bulk (a resolver pass over many citations) --------------------------------

    def get_records_by_ids(self, source: str, kind: str, ids: list[str],
                           max_age_days: float | None = None) -> dict[str, Record]:
        """``{id: newest stored record}`` for DOIs or PMIDs of one source, in a few queries."""
        column = {"doi": RecordRow.doi, "pmid": RecordRow.pmid}[kind]
        wanted = [i.lower() if kind == "doi" else str(i) for i in ids]
        out: dict[str, tuple[str, Record]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                query = select(column, RecordRow.data, RecordRow.raw, RecordRow.fetched_at).where(
                    RecordRow.source == source, column.in_(wanted[start:start + 500]))
                if max_age_days is not None:
                    query = query.where(RecordRow.fetched_at >= _cutoff(max_age_days))
                for row in conn.execute(query):
                    ident = row[0]
                    if ident not in out or row.fetched_at > out[ident][0]:
                        out[ident] = (row.fetched_at, _to_record(row))
        return {i: rec for i, (_, rec) in out.items()}

    def get_searches(self, source: str, query_keys: list[str],
                     max_age_days: float | None = None) -> dict[str, list[Record]]:
        """``{query key: records}`` of the remembered searches among ``query_keys`` (see get_search)."""
        found: dict[str, list[str]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(query_keys), 500):
                query = select(SearchRow.query_key, SearchRow.record_keys).where(
                    SearchRow.source == source, SearchRow.query_key.in_(query_keys[start:start + 500]))
                if max_age_days is not None:
                    query = query.where(SearchRow.fetched_at >= _cutoff(max_age_days))
                found.update({k: json.loads(v) for k, v in conn.execute(query)})
            keys = sorted({k for ks in found.values() for k in ks})
            rows = {}
            for start in range(0, len(keys), 500):
                rows.update({r.record_key: r for r in conn.execute(
                    select(RecordRow.record_key, RecordRow.data, RecordRow.raw)
                    .where(RecordRow.record_key.in_(keys[start:start + 500])))})
        return {q: [_to_record(rows[k]) for k in ks if k in rows] for q, ks in found.items()}

    @_retried
    def save_searches(self, entries: list[tuple[str, str, list[Record]]]) -> None:
        """Several (source, query key, records) searches remembered in one transaction."""
        stamp = now()
        with self._writer.begin() as conn:
            self._upsert_records(conn, [r for _, _, records in entries for r in records])  # in one order
            for source, query_key, records in sorted(entries, key=lambda e: (e[0], e[1])):
                values = {"record_keys": _dumps([r.key for r in records]), "fetched_at": stamp}
                statement = _upsert(conn, SearchRow).values(source=source, query_key=query_key, **values)
                conn.execute(statement.on_conflict_do_update(index_elements=["source", "query_key"], set_=values))

    def get_evidence(self, kind: str, keys: list[str], max_age_days: float) -> dict[str, Any]:
        """``{key: decoded JSON}`` of the stored evidence of ``kind`` younger than ``max_age_days``."""
        out: dict[str, Any] = {}
        wanted = sorted(set(keys))
        cutoff = _cutoff(max_age_days)
        with self.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                for key, data in conn.execute(select(EvidenceRow.key, EvidenceRow.data).where(
                        EvidenceRow.kind == kind, EvidenceRow.key.in_(wanted[start:start + 500]),
                        EvidenceRow.fetched_at >= cutoff)):
                    out[key] = json.loads(data)
        return out

    def save_evidence(self, kind: str, items: dict[str, Any]) -> None:
        """Store (or refresh) evidence of ``kind`` by key, as JSON, in one transaction."""
        if not items:
            return
        stamp = now()
        rows = [{"kind": kind, "key": key, "data": _dumps(data), "fetched_at": stamp} for key, data in items.items()]
        statement = _upsert(self.engine, EvidenceRow)
        statement = statement.on_conflict_do_update(index_elements=["kind", "key"],
                                                    set_={"data": statement.excluded.data,
                                                          "fetched_at": statement.excluded.fetched_at})
        with self._writer.begin() as conn:
            conn.execute(statement, rows)

    # --- reading results -----------------------------------------------------------

    def latest_checks(self, article_source: str | None = None, verdict: str | None = None,
                      older_than_days: float | None = None, limit: int | None = None,
                      article_ids: list[int] | None = None) -> list[dict[str, Any]]:
        """Rows of the latest_checks view (oldest check first), optionally filtered
        (``article_ids``: only these articles, in one query)."""
        conditions, params = [], {}
        if article_source is not None:
            conditions.append("article_source = :source")
            params["source"] = normalise_source(article_source)
        if article_ids is not None:
            conditions.append("article_id IN :article_ids")
            params["article_ids"] = sorted({int(i) for i in article_ids})
        if verdict is not None:
            conditions.append("verdict = :verdict")
            params["verdict"] = verdict
        if older_than_days is not None:
            conditions.append("checked_at < :cutoff")
            params["cutoff"] = _cutoff(older_than_days)
        sql = "SELECT * FROM latest_checks"
        if conditions:
            sql += " WHERE " + " AND ".join(conditions)
        sql += " ORDER BY checked_at, check_id"
        if limit is not None:
            sql += " LIMIT :limit"
            params["limit"] = limit
        statement = text(sql)
        if article_ids is not None:
            statement = statement.bindparams(bindparam("article_ids", expanding=True))
        with self.engine.connect() as conn:
            return [_check_dict(row) for row in conn.execute(statement, params)]

    def citation(self, citation_id: int) -> dict[str, Any] | None:
        """A stored citation: its row, ``fields`` as Fields, ``extra`` decoded, and the
        ``citation`` rebuilt as a Citation (without ``linked_to``), plus ``article_source``."""
        return self.citations([citation_id]).get(citation_id)

    def citations(self, citation_ids: list[int]) -> dict[int, dict[str, Any]]:
        """``{id: stored citation}`` (as :meth:`citation` gives it) for many ids, in a few queries."""
        out: dict[int, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(citation_ids), 500):
                query = (select(CitationRow, Article.source.label("article_source"))
                         .join(Article, Article.id == CitationRow.article_id)
                         .where(CitationRow.id.in_(citation_ids[start:start + 500])))
                for row in conn.execute(query):
                    d = _citation_dict(row)
                    out[d["id"]] = d
        return out

    def article_citations(self, article_ids: list[int]) -> dict[int, list[dict[str, Any]]]:
        """Each article's present, checked citations (as :meth:`citation` gives them) in text
        order: the list the last audit judged, for many articles in a few queries."""
        out: dict[int, list[dict[str, Any]]] = {a: [] for a in article_ids}
        ids = sorted(set(article_ids))
        checked = select(CheckRow.id).where(CheckRow.citation_id == CitationRow.id).exists()
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                query = (select(CitationRow, Article.source.label("article_source"))
                         .join(Article, Article.id == CitationRow.article_id)
                         .where(CitationRow.article_id.in_(ids[start:start + 500]), CitationRow.present == 1, checked)
                         .order_by(CitationRow.article_id, CitationRow.start_offset, CitationRow.end_offset,
                                   CitationRow.id))
                for row in conn.execute(query):
                    d = _citation_dict(row)
                    out.setdefault(d["article_id"], []).append(d)
        return out

    def article(self, article_id: int) -> dict[str, Any] | None:
        """An articles row as a dict (None if there is no such article)."""
        return self.articles([article_id]).get(article_id)

    def articles(self, article_ids: list[int]) -> dict[int, dict[str, Any]]:
        """``{id: articles row as a dict}`` for many ids, in a few queries."""
        out: dict[int, dict[str, Any]] = {}
        ids = sorted(set(article_ids))
        with self.engine.connect() as conn:
            for start in range(0, len(ids), 500):
                for row in conn.execute(select(Article).where(Article.id.in_(ids[start:start + 500]))):
                    out[row.id] = dict(row._mapping)
        return out

    def record(self, record_id: int) -> Record | None:
        """The stored record with this id (None if there is none)."""
        with self.engine.connect() as conn:
            row = conn.execute(select(RecordRow.data, RecordRow.raw).where(RecordRow.id == record_id)).first()
        return _to_record(row) if row else None

    def history(self, citation_id: int) -> list[dict[str, Any]]:
        """Every check of a citation, oldest first, with the matched record's DOI/PMID/title."""
        query = (select(CheckRow, RecordRow.doi.label("matched_doi"), RecordRow.pmid.label("matched_pmid"),
                        RecordRow.title.label("matched_title"))
                 .outerjoin(RecordRow, RecordRow.id == CheckRow.record_id)
                 .where(CheckRow.citation_id == citation_id)
                 .order_by(CheckRow.id))
        with self.engine.connect() as conn:
            return [_check_dict(row) for row in conn.execute(query)]

    def article_report(self, source: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """An article's article_summary row and its latest checks in text order."""
        source = normalise_source(source)
        with self.engine.connect() as conn:
            summary = conn.execute(text("SELECT * FROM article_summary WHERE source = :source"),
                                   {"source": source}).first()
            if summary is None:
                raise StoreError(f"no article {source!r} in {self.path}")
            rows = conn.execute(
                text("SELECT * FROM latest_checks WHERE article_id = :id ORDER BY start_offset, citation_id"),
                {"id": summary.article_id},
            ).all()
        return dict(summary._mapping), [_check_dict(row) for row in rows]
