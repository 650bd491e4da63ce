"""Editions as data: what differs between the PDFs made from one issue.

An edition names its output file and the options that change how the same
issue is rendered (photo resolution, PDF variant). New editions (archive,
PDF/X print) are new entries here, not new code paths.
"""

from __future__ import annotations

from dataclasses import dataclass

from .archive import DEFAULT_LEVEL, get_level
from .errors import KmyError


@dataclass(frozen=True)
class Edition:
    name: str
    description: str
    file_suffix: str = ""             # out/<issue>/<issue><suffix>.pdf
    photo_ppi: int | None = None      # None: the layout's target resolution
    pdf_variant: str | None = None    # a WeasyPrint pdf_variant, e.g. "pdf/a-3a"
    archive_level: str | None = None  # archival copies: the PDF/A level (see archive.LEVELS)

    def file_name(self, issue_id: str) -> str:
        return f"{issue_id}{self.file_suffix}.pdf"


EDITIONS: dict[str, Edition] = {
    "print": Edition("print", "for the press: photos at the layout's resolution (300 ppi by default)"),
    "screen": Edition("screen", "light copy for screens: photos at 150 ppi", file_suffix="-screen",
                      photo_ppi=150),
}


def archive_edition(level: str = DEFAULT_LEVEL) -> Edition:
    """The archival copy at one PDF/A level: out/<issue>/<issue>-pdfa-3a.pdf and its sidecar."""
    chosen = get_level(level)
    ua = " + PDF/UA-1" if chosen.also_pdf_ua else ""
    return Edition("archive", f"archival copy, {chosen.label}{ua}, sources embedded",
                   file_suffix=f"-pdfa-{chosen.name}", pdf_variant=chosen.pdf_variant, archive_level=chosen.name)


def get_edition(name: str, level: str | None = None) -> Edition:
    if name == "archive":
        return archive_edition(level or DEFAULT_LEVEL)
    if level is not None:
        raise KmyError(f"--level applies to the archive edition only, not '{name}'")
    try:
        return EDITIONS[name]
    except KeyError:
        choices = ", ".join([*EDITIONS, "archive"])
        raise KmyError(f"unknown edition '{name}'; choose one of: {choices}") from None
