"""`python -m kmyreport` runs the command-line interface."""

from .cli import main

main()
