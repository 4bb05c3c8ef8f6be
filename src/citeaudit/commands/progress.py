"""The progress display of `run` and `reverify` on a terminal (rich, which typer brings).

Its total is known before it starts and never changes: the articles given to `run` (every
input counts, an unreadable one too) or the citations due for `reverify`; the citations
resolved so far are shown beside it. It ends at total/total, also when some inputs failed.
The CLI creates it only when stderr is a terminal; piped or redirected output stays quiet.
"""

from __future__ import annotations

import threading
from typing import Any


class ProgressDisplay:
    """A bar over ``total`` units (``unit``: "articles", "citations") on stderr."""

    def __init__(self, total: int, unit: str = "articles", console: Any = None, label: str = "citeaudit"):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.total = max(0, int(total))
        self.console = console if console is not None else Console(stderr=True)
        self._lock = threading.Lock()
        self.resolved = 0
        self.progress = Progress(TextColumn(label), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
                                 TextColumn("\u00b7 {task.fields[resolved]} citations resolved"),
                                 TimeElapsedColumn(), console=self.console, transient=False)
        self.task = self.progress.add_task(label, total=self.total, resolved=0)
        self.progress.start()

    def resolved_citations(self, n: int = 1) -> None:
        """Citations answered by the resolver (called from its threads)."""
        with self._lock:
            self.resolved += n
            resolved = self.resolved
        self.progress.update(self.task, resolved=resolved)

    def done(self, n: int = 1) -> None:
        """``n`` more of the total are finished (an article judged and stored, or unreadable)."""
        self.progress.advance(self.task, n)

    def close(self, finished: bool = True) -> None:
        """Stop the display: at total/total when the work finished (whatever was counted on
        the way), where it stood when it was interrupted."""
        if finished:
            self.progress.update(self.task, completed=self.total, resolved=self.resolved)
        self.progress.stop()
