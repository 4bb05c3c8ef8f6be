"""citeaudit: audit the citations of health and science articles against Crossref and PubMed."""

__version__ = "0.1.0"
