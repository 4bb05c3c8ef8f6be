"""Stage 4: matching and every verdict. Pure functions: no I/O, no import of resolve/."""
