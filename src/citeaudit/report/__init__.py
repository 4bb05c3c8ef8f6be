"""Reports: an audit as plain data (`audit_to_dict`), rendered as table, JSON, Markdown or CSV."""

from citeaudit.report.model import audit_to_dict, citation_entry
from citeaudit.report.render import FORMATS, render

__all__ = ["audit_to_dict", "citation_entry", "render", "FORMATS"]
