"""The call into WeasyPrint: a `RenderJob` in, a `RenderResult` out.

One `FontConfiguration` per process, so fonts loaded for one build serve every
later one. WeasyPrint's own warnings are collected for the caller; resources
the fetcher refused fail the render with one message listing them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import html
import logging
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from ..errors import KmyError
from ..i18n import _
from . import RenderJob, RenderResult
from .fetcher import WorkspaceURLFetcher
from .finish import finisher
from .justify import OPT_IN_STYLESHEET, install
from .measure import measure_document
from .pagination import PartSettings, Repaginate, active
from .pagination import install as install_pagination

install()  # Chinese justification, once per process; fails clearly on another WeasyPrint
install_pagination()  # parts of a longer document (pagination.py); a whole document is WeasyPrint's own

_FONT_CONFIG: FontConfiguration | None = None

#: The faces of the Pango fonts this process has written to a PDF, by address, each held (so that
#: its address is never another face's) until the fonts are forgotten; and the bytes of their files.
_PANGO_FACES: dict[int, object] = {}
_FACE_BYTES: dict[int, bytes] = {}


def _install_face_bytes() -> None:
    """WeasyPrint copies a face's whole file out of HarfBuzz for every document that uses it (some
    16 to 25 MB for a CJK face, about 7 ms); the copy is kept for the process instead. Only the faces
    of Pango fonts are kept, not the subsets WeasyPrint makes, which live for one document."""
    from weasyprint.pdf import fonts
    from weasyprint.text.ffi import ffi

    if getattr(fonts.get_hb_object_data, "kmy_kept", False):
        return
    face_of, data_of = fonts.get_pango_font_hb_face, fonts.get_hb_object_data

    def pango_face(pango_font):
        face = face_of(pango_font)
        _PANGO_FACES.setdefault(int(ffi.cast("uintptr_t", face)), face)
        return face

    def face_bytes(hb_object, ot_color=None, glyph=None):
        address = int(ffi.cast("uintptr_t", hb_object))
        if ot_color is not None or address not in _PANGO_FACES:
            return data_of(hb_object, ot_color, glyph)
        if address not in _FACE_BYTES:
            _FACE_BYTES[address] = data_of(hb_object)
        return _FACE_BYTES[address]

    face_bytes.kmy_kept = True  # type: ignore[attr-defined]
    fonts.get_pango_font_hb_face, fonts.get_hb_object_data = pango_face, face_bytes


_install_face_bytes()


def font_configuration() -> FontConfiguration:
    """One FontConfiguration per process: fonts loaded once serve every later build."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def forget_fonts() -> None:
    global _FONT_CONFIG
    _FONT_CONFIG = None
    _LOADED.clear()
    _FACE_BYTES.clear()
    _PANGO_FACES.clear()


class _RecordingFetcher(WorkspaceURLFetcher):
    """The workspace fetcher, also noting every file it served (what the build cache checks)."""

    def __init__(self, workspace) -> None:
        super().__init__(workspace)
        self.served: set[str] = set()

    def fetch(self, url: str, headers: dict | None = None):
        response = super().fetch(url, headers)
        if urlsplit(url).scheme.lower() == "file":
            path = self.workspace.path_of(url) or Path(unquote(urlsplit(url).path))
            self.served.add(str(path.resolve()))
        return response


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


_LOADED: set[str] = set()  # the stylesheets (with their @font-face rules) this process has loaded


_FONT_FACE = re.compile(r"@font-face\s*{([^}]*)}")
_DESCRIPTOR = re.compile(r"(font-family|font-weight|font-style)\s*:\s*([^;]+);")
#: What each face sets when the process warms up: Han, full-width marks, Latin letters and digits.
_SAMPLE = "克拉玛依融媒，“新闻”。Karamay 2024"


def load_fonts(job: RenderJob) -> None:
    """Load and use the fonts of `job`'s document in this process, once per document head: processes
    forked afterwards start with each face open and shaped (a face is read when it first sets text,
    which costs a new process a few tenths of a second per face). `job.html` is the document's head
    and tail: a line in each `@font-face` face is laid out between them."""
    key = hashlib.sha256(job.html.encode()).hexdigest()
    if key in _LOADED:
        return
    lines = []
    for rule in _FONT_FACE.findall(job.html):
        face = dict(_DESCRIPTOR.findall(rule))
        style = "; ".join(f"{name}: {value.strip()}" for name, value in face.items())
        lines.append(f'<p style="{html.escape(style, quote=True)}">{_SAMPLE}</p>')
    head, _, tail = job.html.rpartition("</body>")
    sample = head + "".join(lines) + "</body>" + tail if head else job.html
    font_config = font_configuration()
    stylesheets = [weasyprint.CSS(string=OPT_IN_STYLESHEET, font_config=font_config)] if job.cjk_justify else None
    weasyprint.HTML(string=sample, base_url=job.base_url, url_fetcher=WorkspaceURLFetcher(job.workspace)).render(
        font_config=font_config, pdf_variant=job.pdf_variant, stylesheets=stylesheets)
    _LOADED.add(key)


def render(job: RenderJob, settle=None) -> RenderResult:
    """Render one job; a part laid out on the wrong side for the folio `settle` answered is laid out
    again from that folio."""
    try:
        return _render(job, settle)
    except Repaginate as again:
        return _render(dataclasses.replace(job, first_page=again.first_page), None)


def _render(job: RenderJob, settle) -> RenderResult:
    part = None
    if job.first_page != 1 or job.external_anchors or settle is not None:
        part = PartSettings(first_page=job.first_page, external_anchors=dict(job.external_anchors), settle=settle)
    fetcher = _RecordingFetcher(job.workspace)
    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    font_config = font_configuration()
    stylesheets = [weasyprint.CSS(string=OPT_IN_STYLESHEET, font_config=font_config)] if job.cjk_justify else None
    options: dict = {"pdf_variant": job.pdf_variant, "uncompressed_pdf": False,
                     "finisher": finisher(job.xmp_transform, job.output_intent)}
    if job.identifier is not None:
        options["pdf_identifier"] = job.identifier
    if job.attachments:
        options["attachments"] = [
            weasyprint.Attachment(string=item.data, name=item.name, relationship=item.relationship,
                                  description=item.description, created=item.created, modified=item.modified)
            for item in job.attachments]
    try:
        with active(part):
            # The variant is given to layout too: tagged variants (PDF/A-a, PDF/UA) need it there.
            document = weasyprint.HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher).render(
                font_config=font_config, pdf_variant=job.pdf_variant, stylesheets=stylesheets)
            pdf = document.write_pdf(**options)
    finally:
        logger.removeHandler(collector)
    if fetcher.refused:
        listed = ", ".join(dict.fromkeys(fetcher.refused))
        raise KmyError(_("the layout or copy asks for resources outside the workspace: {resources}; put the "
                         "files inside the workspace and use relative paths").format(resources=listed),
                       job.source_name)
    measures = measure_document(document) if job.measure else None
    first = job.first_page + (part.shift if part else 0)
    anchors: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for name in page.anchors:
            anchors.setdefault(name, number)
    return RenderResult(pdf=pdf, pages=len(document.pages), warnings=collector.messages, measures=measures,
                        resources=sorted(fetcher.served), anchors=anchors, first_page=first,
                        flipped=part.flipped if part else 0)
