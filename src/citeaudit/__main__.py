"""`python -m citeaudit` is the `citeaudit` command."""

from citeaudit.cli import main

main()
