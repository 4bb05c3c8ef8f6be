"""`make demo`: citeaudit's four verdicts with no network.

Starts a LOCAL STAND-IN for Crossref and PubMed on 127.0.0.1 (the emulator in this package,
serving the bundled records of fixtures/records/: real recorded answers of those services),
points citeaudit at it, audits two bundled seed articles with the real `citeaudit` command
(002: a reference list, 7 verified, 1 mismatched, grey literature unchecked; 003: a
fabricated study and an author bio with no trace: unfound), prints a report of the
problems and the reference-list seed's full table, then stops the stand-in. The database is left behind as
audit.db for the README's SQL examples.

    python -m citeaudit.emulate.demo [--db audit.db]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from citeaudit.emulate.corpus import Corpus
from citeaudit.emulate.server import Emulator

ROOT = Path(__file__).resolve().parents[3]
RECORDS = ROOT / "fixtures" / "records"
ARTICLES = [ROOT / "fixtures" / "articles" / "002_kratom_back_pain.txt",
            ROOT / "fixtures" / "articles" / "003_kratom_dopamine.txt"]
BANNER = "=" * 78


def demo_env(emulator: Emulator, db: str) -> dict[str, str]:
    """The environment of the demo's citeaudit commands: the stand-in's URLs, no cited-link
    fetching (links point at real sites), and the demo's database."""
    env = dict(os.environ)
    env.update({
        "CITEAUDIT_CROSSREF_URL": emulator.crossref_url,
        "CITEAUDIT_EUTILS_URL": emulator.eutils_url,
        "CITEAUDIT_CHECK_LINKS": "0",
        "CITEAUDIT_DB": db,
        "CITEAUDIT_MAILTO": env.get("CITEAUDIT_MAILTO") or "demo@example.org",
    })
    env.pop("CITEAUDIT_NCBI_API_KEY", None)
    return env


def say(text: str) -> None:
    print(text, flush=True)


def citeaudit(env: dict[str, str], *args: str) -> int:
    """Run the installed `citeaudit` (this interpreter's), showing the command line."""
    say(f"\n$ citeaudit {' '.join(_short(a) for a in args)}")
    return subprocess.run([sys.executable, "-m", "citeaudit", *args], env=env).returncode


def _short(arg: str) -> str:
    try:
        return os.path.relpath(arg) if os.path.isabs(arg) else arg
    except ValueError:
        return arg


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m citeaudit.emulate.demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default="audit.db", help="the database to (re)create (default: audit.db)")
    args = parser.parse_args(argv)
    db = os.path.abspath(args.db)
    for path in (db, db + "-wal", db + "-shm"):
        if os.path.exists(path):
            os.remove(path)
    corpus = Corpus().load_dir(RECORDS)
    with Emulator(corpus, enforce_limits=False) as emulator:
        say(BANNER)
        say(f"LOCAL STAND-IN for Crossref and PubMed on {emulator.base_url}")
        say(f"  serving the bundled records ({RECORDS.relative_to(ROOT)}/): not the real services,")
        say("  nothing leaves this machine; citeaudit is pointed at it with")
        say(f"  CITEAUDIT_CROSSREF_URL={emulator.crossref_url}")
        say(f"  CITEAUDIT_EUTILS_URL={emulator.eutils_url}")
        say(BANNER)
        env = demo_env(emulator, db)
        articles = [str(a) for a in ARTICLES]
        say("\n# audit both articles; list only the problems (the summaries count all four verdicts):")
        codes = [citeaudit(env, "run", *articles, "--problems", "--color", "never")]
        say("\n# every citation of the reference-list seed, from the database (no service asked):")
        codes.append(citeaudit(env, "report", articles[0], "--color", "never"))
        say(f"\n{BANNER}\nLOCAL STAND-IN stopped. The audit is in {_short(db)}: try")
        say(f"  citeaudit --db {_short(db)} report {_short(articles[0])}")
        say(f"  sqlite3 -header -column {_short(db)} \"select source, verified, mismatched, unfound, unchecked "
            "from article_summary\"")
        say(BANNER)
    # 1 means "the audit found problems", which is what the demo shows; anything else is a failure
    return 0 if all(code in (0, 1) for code in codes) else 1


if __name__ == "__main__":
    sys.exit(main())
