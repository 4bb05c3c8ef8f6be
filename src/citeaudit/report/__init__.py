"""Reports: an audit as plain data (`audit_to_dict`), rendered as table, JSON, Markdown or CSV."""

from .model import audit_to_dict, citation_entry
from .render import FORMATS, render

__all__ = ["audit_to_dict", "citation_entry", "render", "FORMATS"]
