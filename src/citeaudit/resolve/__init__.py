"""Stage 3: ask the services (sources/) about the extracted citations. All network I/O of
an audit happens here and in ingest/."""
