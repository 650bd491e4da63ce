"""The print edition: for the press, photos at the layout's resolution (300 ppi by default)."""

from __future__ import annotations

from . import Edition

EDITIONS = [
    Edition("print", "for the press: photos at the layout's resolution (300 ppi by default)"),
]
