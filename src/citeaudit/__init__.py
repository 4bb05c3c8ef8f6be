"""citeaudit: audit the citations of health and science articles against Crossref and PubMed."""

__version__ = "0.1.0"

__all__ = ["__version__", "audit_text", "audit_file", "audit_url", "render"]


def __getattr__(name: str):
    """The API (citeaudit/api.py), imported on first use so that `import citeaudit` stays light."""
    if name in ("audit_text", "audit_file", "audit_url", "render", "AuditResult", "InputError"):
        from citeaudit import api

        return getattr(api, name)
    raise AttributeError(f"module 'citeaudit' has no attribute {name!r}")
