"""A local stand-in for Crossref and NCBI E-utilities, for tests, benchmarks and accuracy runs.

:class:`Corpus` holds recorded (and reconstructed) records and searches them;
:class:`Emulator` serves a corpus over loopback HTTP with the services' shapes,
rate limits and injectable faults.
"""

from citeaudit.emulate.corpus import Corpus
from citeaudit.emulate.server import FAULT_KINDS, Emulator

__all__ = ["Corpus", "Emulator", "FAULT_KINDS"]
