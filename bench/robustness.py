#!/usr/bin/env python
"""Robustness figures against hostile pages, on loopback only (issue 14). Prints three lines:

  stacked encodings  peak memory of fetching a page of 1-2 KB on the wire sent with
                     `Content-Encoding: gzip, gzip` that decodes to 2 GiB (the byte budget
                     refuses it); measured in a child process (ru_maxrss), beside the
                     memory of the same child doing nothing
  dripping server    wall time of fetching a page from a server that sends one byte per
                     second, with CITEAUDIT_TIMEOUT=5 (the per-page deadline ends it)
  nested divs        time to clean HTML of 8,000 nested <div>s over the time for 2,000
                     (linear: about 4; quadratic: about 16)

    .venv/bin/python bench/robustness.py [--bomb-gib 2] [--timeout 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

CHILD = """
import json, resource, sys
sys.path.insert(0, {src!r})
from citeaudit.config import Settings
from citeaudit.emulate.hostile import HostileServer
from citeaudit.ingest.fetch import FetchError, fetch_page

size, mode = int(sys.argv[1]), sys.argv[2]
with HostileServer(bomb_size=size, bomb_layers=2) as server:
    wire = len(server.bomb)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcome = "fetched"
    if mode == "fetch":
        try:
            fetch_page(server.url("/bomb"), Settings(allow_private_urls=True))
        except FetchError as e:
            outcome = str(e).split(": ", 1)[1]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"wire": wire, "base_kb": base, "peak_kb": peak, "outcome": outcome}}))
"""


def stacked(bomb_size: int) -> str:
    code = CHILD.format(src=str(ROOT / "src"))
    run = json.loads(subprocess.run([sys.executable, "-c", code, str(bomb_size), "fetch"], check=True,
                                    capture_output=True, text=True).stdout)
    return (f"stacked encodings: {run['wire'] / 1024:.1f} KB on the wire, {bomb_size / 2**30:g} GiB decoded "
            f"(gzip, gzip): peak memory {run['peak_kb'] / 1024:.0f} MB (before the fetch "
            f"{run['base_kb'] / 1024:.0f} MB); {run['outcome']}")


def dripping(timeout: float) -> str:
    from citeaudit.config import Settings
    from citeaudit.emulate.hostile import HostileServer
    from citeaudit.ingest.fetch import FetchError, fetch_page

    with HostileServer(bomb_size=1024, interval=1.0, drip_bytes=100_000) as server:
        start = time.perf_counter()
        try:
            fetch_page(server.url("/drip"), Settings(allow_private_urls=True, timeout=timeout))
            outcome = "fetched"
        except FetchError as e:
            outcome = str(e).split(": ", 1)[1]
        wall = time.perf_counter() - start
    return (f"dripping server: one byte per second (100,000 bytes), CITEAUDIT_TIMEOUT={timeout:g}: "
            f"wall {wall:.2f} s; {outcome}")


def nested() -> str:
    from citeaudit.ingest.document import document_from_html

    def best(n: int) -> float:
        html = "<html><body><article>" + "<div><p>text</p>" * n + "</div>" * n + "</article></body></html>"
        times = []
        for _ in range(3):
            start = time.perf_counter()
            document_from_html(html, "deep.html")
            times.append(time.perf_counter() - start)
        return min(times)

    small, large = best(2000), best(8000)
    return (f"nested divs: 2,000 in {small:.2f} s, 8,000 in {large:.2f} s: ratio {large / small:.1f} "
            "(linear about 4, quadratic about 16)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bomb-gib", type=float, default=2.0)
    parser.add_argument("--timeout", type=float, default=5.0)
    args = parser.parse_args()
    print(stacked(int(args.bomb_gib * 2**30)), flush=True)
    print(dripping(args.timeout), flush=True)
    print(nested(), flush=True)


if __name__ == "__main__":
    main()
