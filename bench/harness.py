"""What the accuracy benches share: the emulator with its limits lifted, and a runner on a
fresh database that asks it.

The benches measure verdicts, not pacing, so the emulator answers at once and the client's
pools allow 1,000 requests a second (bench/throughput.py is the one that keeps the real
limits). Used by accuracy.py, hallmark.py, realworld.py, fix.py and refmatch.py.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from citeaudit.commands.runner import AuditRunner  # noqa: E402
from citeaudit.config import Settings  # noqa: E402
from citeaudit.emulate import Corpus, Emulator  # noqa: E402
from citeaudit.store import Store  # noqa: E402

LIFTED = dict(crossref_rate=1000.0, crossref_doi_rate=1000.0, crossref_concurrency=16)


@contextmanager
def fast_emulator(corpus: Corpus) -> Iterator[Emulator]:
    """The emulator over ``corpus``: no latency, and it announces limits the client never reaches."""
    with Emulator(corpus, latency=0.0, enforce_limits=False, eutils_rate=1000.0, eutils_concurrency=16,
                  **LIFTED) as emu:
        yield emu


def settings_for(emu: Emulator, db_path: Path) -> Settings:
    """Settings that send everything to ``emu`` with the pools opened up; links not fetched."""
    return Settings(db_path=str(db_path), crossref_url=emu.crossref_url, eutils_url=emu.eutils_url,
                    pubmed_rate=1000.0, pubmed_concurrency=16, retries=1, max_wait=5.0, timeout=10.0,
                    refresh=True, check_links=False, **LIFTED)


@contextmanager
def runner_on(emu: Emulator, db_path: Path) -> Iterator[AuditRunner]:
    """An AuditRunner on a fresh database at ``db_path`` that asks ``emu``; closed afterwards."""
    settings = settings_for(emu, db_path)
    store = Store(settings.db_path)
    runner = AuditRunner(settings, store)
    try:
        yield runner
    finally:
        runner.close()
        store.close()
