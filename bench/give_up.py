"""How long `citeaudit run` takes to give up on one article when the services fail.

Not a test (no timed assertion anywhere in tests/): it prints wall-clock seconds for
`citeaudit run fixtures/articles/002_kratom_back_pain.txt` at default settings
(CITEAUDIT_TIMEOUT, retries and first-answer timeout as shipped), with

- no network: both service URLs on a name that does not resolve (`.invalid`);
- refused: both on a closed loopback port;
- black hole: both on a loopback server that accepts connections and never answers.

Link checking is off (it fetches the article's cited web pages, not the services).

    .venv/bin/python bench/give_up.py
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLE = ROOT / "fixtures/articles/002_kratom_back_pain.txt"
CITEAUDIT = str(Path(sys.executable).parent / "citeaudit")


class BlackHole:
    """Accepts every connection, reads nothing, answers nothing."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(256)
        self.port = self.sock.getsockname()[1]
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)


def closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def timed_run(base: str) -> tuple[float, int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITEAUDIT_")}
    with tempfile.TemporaryDirectory() as tmp:
        env.update(CITEAUDIT_DB=str(Path(tmp) / "audit.db"), CITEAUDIT_CROSSREF_URL=base + "/crossref",
                   CITEAUDIT_EUTILS_URL=base + "/eutils", CITEAUDIT_CHECK_LINKS="0")
        start = time.monotonic()
        p = subprocess.run([CITEAUDIT, "run", str(ARTICLE)], env=env, capture_output=True, text=True)
        took = time.monotonic() - start
    said = [line for line in p.stderr.splitlines() if "unchecked" in line]
    return took, p.returncode, said[0] if said else p.stderr.strip()[-200:]


def main() -> None:
    hole = BlackHole()
    cases = {"no network (name resolution fails)": "http://citeaudit-bench.invalid",
             "connection refused": f"http://127.0.0.1:{closed_port()}",
             "black hole (accepts, never answers)": f"http://127.0.0.1:{hole.port}"}
    print(f"citeaudit run {ARTICLE.name}, default settings, link checks off")
    for name, base in cases.items():
        took, code, said = timed_run(base)
        print(f"  {name:<38} {took:6.1f} s  exit {code}  | {said}")


if __name__ == "__main__":
    main()
