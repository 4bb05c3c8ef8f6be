"""Settings, read once from the environment (and overridden by CLI options).

Every service URL, the polite-pool identity, timeouts and rate limits are configurable:

CITEAUDIT_DB                 database path or URL, e.g. postgresql+psycopg://user:pw@host/db (default ./audit.db)
CITEAUDIT_CROSSREF_URL       Crossref REST API base (default https://api.crossref.org)
CITEAUDIT_EUTILS_URL         NCBI E-utilities base (default https://eutils.ncbi.nlm.nih.gov/entrez/eutils)
CITEAUDIT_MAILTO             e-mail for Crossref's polite pool and NCBI's `email`
CITEAUDIT_NCBI_API_KEY       NCBI API key (raises the PubMed limit from 3 to 10 requests/s)
CITEAUDIT_TIMEOUT            seconds per HTTP request, and the total deadline of one fetched page or link (default 20)
CITEAUDIT_RETRIES            retries after a 429/5xx/network error (default 3)
CITEAUDIT_MAX_WAIT           most seconds spent retrying one request (default 60)
CITEAUDIT_FIRST_ANSWER_TIMEOUT  seconds a service that has not answered yet in this run gets per
                             request; two such silences give it up for the run (default 3)
CITEAUDIT_CROSSREF_RATE      Crossref query requests/s (default 3 with mailto, else 1)
CITEAUDIT_CROSSREF_DOI_RATE  Crossref single-DOI requests/s (default 10 with mailto, else 5)
CITEAUDIT_CROSSREF_CONCURRENCY  requests in flight to Crossref (default 3 with mailto, else 1)
CITEAUDIT_PUBMED_RATE        E-utilities requests/s (default 10 with an API key, else 3)
CITEAUDIT_MAX_AGE_DAYS       reuse a stored record younger than this (default 30)
CITEAUDIT_USER_AGENT_EXTRA   appended to the User-Agent
CITEAUDIT_ALLOW_PRIVATE_URLS 1: URLs may reach loopback/private addresses (default refused)
CITEAUDIT_CHECK_LINKS        0: do not fetch cited links (they are then "unchecked")
CITEAUDIT_QUEUE_LEASE        seconds a worker's claim on an article lasts unless renewed; a killed
                             worker's article is claimed again after this (default 60)
CITEAUDIT_QUEUE_POLL         seconds an idle worker waits before asking the queue again (default 2)
CITEAUDIT_QUEUE_BATCH        articles a worker claims at a time and resolves in one stream (default 4)
CITEAUDIT_QUEUE_MAX_ATTEMPTS claims of one article whose worker died before it is 'failed' (default 3)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace


def _env(name: str, default: str | None = None) -> str | None:
    v = os.environ.get(name)
    return v if v not in (None, "") else default


def _float(name: str, default: float) -> float:
    v = _env(name)
    try:
        return float(v) if v is not None else default
    except ValueError:
        raise ValueError(f"{name} must be a number, got {v!r}") from None


@dataclass(frozen=True)
class Settings:
    db_path: str = "audit.db"
    crossref_url: str = "https://api.crossref.org"
    eutils_url: str = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
    mailto: str | None = None
    ncbi_api_key: str | None = None
    ncbi_tool: str = "citeaudit"
    timeout: float = 20.0
    retries: int = 3
    max_wait: float = 60.0
    first_answer_timeout: float = 3.0  # see throttle.ServiceHealth
    crossref_rate: float = 1.0
    crossref_doi_rate: float = 5.0
    crossref_concurrency: int = 1
    pubmed_rate: float = 3.0
    pubmed_concurrency: int = 3
    max_age_days: float = 30.0
    user_agent_extra: str | None = None
    offline: bool = False
    refresh: bool = False  # ignore stored records' age: always ask the services
    allow_private_urls: bool = False
    check_links: bool = True  # fetch cited links and grey entries' URLs (sources/web.py)
    queue_lease: float = 60.0  # see store/queue.py
    queue_poll: float = 2.0
    queue_max_attempts: int = 3
    queue_batch: int = 4
    extra: dict = field(default_factory=dict)

    def with_(self, **kw) -> "Settings":
        return replace(self, **{k: v for k, v in kw.items() if v is not None})


def load_settings(**overrides) -> Settings:
    mailto = _env("CITEAUDIT_MAILTO")
    key = _env("CITEAUDIT_NCBI_API_KEY")
    polite = mailto is not None
    s = Settings(
        db_path=_env("CITEAUDIT_DB", "audit.db"),
        crossref_url=_env("CITEAUDIT_CROSSREF_URL", Settings.crossref_url).rstrip("/"),
        eutils_url=_env("CITEAUDIT_EUTILS_URL", Settings.eutils_url).rstrip("/"),
        mailto=mailto,
        ncbi_api_key=key,
        timeout=_float("CITEAUDIT_TIMEOUT", 20.0),
        retries=int(_float("CITEAUDIT_RETRIES", 3)),
        max_wait=_float("CITEAUDIT_MAX_WAIT", 60.0),
        first_answer_timeout=_float("CITEAUDIT_FIRST_ANSWER_TIMEOUT", 3.0),
        crossref_rate=_float("CITEAUDIT_CROSSREF_RATE", 3.0 if polite else 1.0),
        crossref_doi_rate=_float("CITEAUDIT_CROSSREF_DOI_RATE", 10.0 if polite else 5.0),
        crossref_concurrency=int(_float("CITEAUDIT_CROSSREF_CONCURRENCY", 3 if polite else 1)),
        pubmed_rate=_float("CITEAUDIT_PUBMED_RATE", 10.0 if key else 3.0),
        max_age_days=_float("CITEAUDIT_MAX_AGE_DAYS", 30.0),
        user_agent_extra=_env("CITEAUDIT_USER_AGENT_EXTRA"),
        allow_private_urls=_env("CITEAUDIT_ALLOW_PRIVATE_URLS", "0") in ("1", "true", "yes"),
        check_links=_env("CITEAUDIT_CHECK_LINKS", "1") not in ("0", "false", "no"),
        queue_lease=max(1.0, _float("CITEAUDIT_QUEUE_LEASE", 60.0)),
        queue_poll=max(0.05, _float("CITEAUDIT_QUEUE_POLL", 2.0)),
        queue_max_attempts=max(1, int(_float("CITEAUDIT_QUEUE_MAX_ATTEMPTS", 3))),
        queue_batch=max(1, int(_float("CITEAUDIT_QUEUE_BATCH", 4))),
    )
    return s.with_(**overrides)
