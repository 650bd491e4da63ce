"""The screen edition: a light copy to read on screens and send by mail."""

from __future__ import annotations

from . import Edition, PhotoPolicy

EDITIONS = [
    Edition("screen", "light copy for screens: photos at 150 ppi", file_suffix="-screen",
            photos=PhotoPolicy(ppi=150)),
]
