"""The rendering boundary: plain data in, PDF bytes and facts out.

This package is the only code that imports WeasyPrint or pydyf. The rest of
kmyreport describes a render as a `RenderJob` (the HTML, where its relative
URLs point, the PDF variant, attachments as bytes with their metadata, an XMP
transform) and gets back a `RenderResult` (the PDF bytes, the page count and
the engine's warnings). A job holds no engine objects and no open files, so it
can be sent to another process, and rendering keeps no state between calls
apart from the loaded fonts.

Modules:

- `engine`: the call into WeasyPrint, its warnings, the one font configuration
  per process;
- `fetcher`: the URL fetcher that serves workspace files only;
- `justify`: Chinese justification, an extension of WeasyPrint's line
  justification, installed once per process for the version it was written for;
  it also applies `punctuation` (compression of adjacent marks), `autospace`
  (a quarter em between Han and Latin) and `lastline` (no lone last-line
  character), each where its custom property asks for it;
- `pagination`: a part of a longer document paginated as its pages in the whole
  (first folio and side, folios settled after layout, anchors in other parts);
- `finish`: what is done to the PDF objects before they are written (XMP
  transform, associated-file list);
- `measure`: where marked boxes and lines fell, as plain data (a newspaper's
  fit and jumps);
- `parts`: an issue rendered in parts in worker processes, kept for the next
  build; `assemble`: the parts' PDFs joined into one (one font program per face,
  bookmarks, named destinations, structure trees).

WeasyPrint is imported when the first job is rendered, not when this package
is imported, so commands that do not render start fast.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version

from ..workspace import Workspace

#: What a layout's `{{ new_part }}` writes into its HTML: where the issue may be cut into parts (`parts`).
PART_BREAK = "<!--kmy:part-->"

#: The WeasyPrint release the justification extension and PDF finishing were written against.
ENGINE = "weasyprint"
ENGINE_VERSION = "70.0"


@dataclass(frozen=True)
class Attachment:
    """A file to embed in the PDF (an associated file for PDF/A-3 and 4)."""

    data: bytes
    name: str
    relationship: str              # AFRelationship: Source, Data, Alternative, Supplement, Unspecified
    description: str
    created: dt.datetime
    modified: dt.datetime


@dataclass(frozen=True)
class RenderJob:
    """Everything one render needs, as plain data."""

    html: str
    base_url: str                  # where the HTML's relative URLs point (a workspace URL)
    workspace: Workspace           # the only place files may be read from
    source_name: str               # what to name in messages about refused resources
    pdf_variant: str | None = None  # e.g. "pdf/a-3a"; None: plain PDF
    identifier: bytes | None = None  # the PDF /ID (content-derived, for reproducible bytes); b"": none at all
    attachments: tuple[Attachment, ...] = ()
    # A function from the XMP packet the engine wrote to the one to store (module-level or a
    # functools.partial of one, so that the job can be pickled).
    xmp_transform: Callable[[bytes], bytes] | None = None
    # Entries of the output intent to set (OutputConditionIdentifier, RegistryName, Info, …): the
    # engine names the intent after the CSS profile (`device-cmyk`), a press wants the condition.
    output_intent: tuple[tuple[str, str], ...] = ()
    cjk_justify: bool = True       # justify Chinese by spacing between characters
    measure: bool = False          # also return where the marked boxes and lines fell (`measure`)
    # A part of a longer document (`parts`): the folio of its first page (its side follows), and the
    # pages of the anchors in other parts that `target-counter()` and links refer to (`pagination`).
    first_page: int = 1
    external_anchors: tuple[tuple[str, int], ...] = ()


@dataclass
class RenderResult:
    pdf: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)
    measures: list | None = None   # per page, a `measure.PageMeasure` (when the job asked for it)
    resources: list[str] = field(default_factory=list)  # the workspace files the render read (the build cache)
    anchors: dict[str, int] = field(default_factory=dict)  # each id's page (0-based), where it first is
    first_page: int = 1            # the folio the first page got (a part's, when it was settled after layout)
    parts: dict[str, int] = field(default_factory=dict)  # rendered in parts: how many, rendered, reused, again
    flipped: int = 0               # pages moved to the other side after layout (a part's guessed folio)


def render_pdf(job: RenderJob, settle: Callable[[int], int] | None = None) -> RenderResult:
    """Lay out and write one PDF. Resources outside the workspace fail the render with a `KmyError`.

    `settle` (a part whose first folio was a guess): called with the number of pages once they are
    laid out, it answers the true first folio (`pagination`)."""
    from .engine import render

    return render(job, settle)


def forget_fonts() -> None:
    """Drop the fonts loaded so far: the next render loads them afresh (a cold start, for benchmarks)."""
    from . import engine

    engine.forget_fonts()


def engine_version() -> str:
    """The installed WeasyPrint's version, from its metadata (nothing is imported)."""
    return version("weasyprint")


def engine_versions() -> dict[str, str]:
    """The versions of the rendering engine's parts (for sidecars and `--version`)."""
    return {"weasyprint": version("weasyprint"), "pydyf": version("pydyf")}
