"""Editions as data: what differs between the PDFs made from one issue.

An edition names its output file and the options that change how the same
issue is rendered (photo resolution, PDF variant). New editions (archive,
PDF/X print) are new entries here, not new code paths.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import KmyError


@dataclass(frozen=True)
class Edition:
    name: str
    description: str
    file_suffix: str = ""             # out/<issue>/<issue><suffix>.pdf
    photo_ppi: int | None = None      # None: the layout's target resolution
    pdf_variant: str | None = None    # a WeasyPrint pdf_variant, e.g. "pdf/a-3a"

    def file_name(self, issue_id: str) -> str:
        return f"{issue_id}{self.file_suffix}.pdf"


EDITIONS: dict[str, Edition] = {
    "print": Edition("print", "for the press: photos at the layout's resolution (300 ppi by default)"),
    "screen": Edition("screen", "light copy for screens: photos at 150 ppi", file_suffix="-screen",
                      photo_ppi=150),
}


def get_edition(name: str) -> Edition:
    try:
        return EDITIONS[name]
    except KeyError:
        raise KmyError(f"unknown edition '{name}'; choose one of: {', '.join(EDITIONS)}") from None
