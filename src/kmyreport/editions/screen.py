"""The screen edition: a light copy to read on screens and send by mail."""

from __future__ import annotations

from ..i18n import N_
from . import Edition, PhotoPolicy

EDITIONS = [
    Edition("screen", N_("light copy for screens: photos at 150 ppi"), file_suffix="-screen",
            photos=PhotoPolicy(ppi=150)),
]
