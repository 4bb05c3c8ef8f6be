"""Exit codes of `run`, `report` and `reverify`, for a scheduler or a CI job (README "Exit codes").

"Could not check" must never read as "clean": an audit where a service failed and left
citations unchecked exits 3, not 0.
"""

from __future__ import annotations

EXIT_OK = 0  # every checkable citation was checked; nothing mismatched or unfound (nothing got worse)
EXIT_FINDINGS = 1  # something is mismatched or unfound (reverify: something got worse)
EXIT_USAGE = 2  # bad usage or an unreadable input
EXIT_INCOMPLETE = 3  # a service failed: some citations could not be checked
EXIT_BUSY = 75  # EX_TEMPFAIL: another reverify holds the database's lock


def exit_code(findings: bool, incomplete: bool, usage_error: bool = False) -> int:
    """2 for bad usage or an unreadable input; else 1 when something is mismatched or unfound
    (or got worse); else 3 when a service failed and some citation could not be checked;
    0 only when every checkable citation was checked and nothing is wrong."""
    if usage_error:
        return EXIT_USAGE
    if findings:
        return EXIT_FINDINGS
    return EXIT_INCOMPLETE if incomplete else EXIT_OK
