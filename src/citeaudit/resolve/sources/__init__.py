"""The services behind one small interface (base.Source): Crossref, PubMed, the local
record store, and the web-page checker for cited links."""
