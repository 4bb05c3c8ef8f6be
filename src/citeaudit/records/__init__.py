"""Parsers turning Crossref JSON and PubMed E-utilities answers into :class:`Record` objects.

Pure functions only, no I/O:

* :mod:`citeaudit.records.crossref` reads REST API work messages;
* :mod:`citeaudit.records.pubmed` reads efetch XML, esearch XML and ECitMatch text.
"""

from citeaudit.records import crossref, pubmed

__all__ = ["crossref", "pubmed"]
