"""Stage 1: a file or URL to a Document (text with offsets, links, metadata)."""
