"""WeasyPrint behind one function: HTML in, PDF bytes out, nothing fetched from outside.

`render_pdf` is the only place that calls WeasyPrint. It uses a URL fetcher
that serves files inside the workspace (and `data:` URLs) and refuses
everything else, records WeasyPrint's own warnings, and keeps one
`FontConfiguration` per process so repeated builds reuse loaded fonts.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .errors import KmyError
from .typography import cjk_justification
from .workspace import Workspace


class WorkspaceURLFetcher(URLFetcher):
    """Serves `file:` URLs inside the workspace and `data:` URLs; refuses and records the rest."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(allowed_protocols=("file", "data"))
        self.workspace = workspace
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "file":
            path = self.workspace.path_of(url) or Path(unquote(urlsplit(url).path))
            if self.workspace.contains(path) and path.is_file():
                mime, _ = mimetypes.guess_type(path.name)
                return URLFetcherResponse(url, body=path.read_bytes(),
                                          headers={"Content-Type": mime or "application/octet-stream"})
            self.refused.append(url)
            raise ValueError(f"refused: {url} is not a file inside the workspace")
        self.refused.append(url)
        raise ValueError(f"refused: {url} (compiling never uses the network)")


@dataclass
class RenderResult:
    pdf: bytes
    pages: int
    warnings: list[str] = field(default_factory=list)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


_FONT_CONFIG: FontConfiguration | None = None


def font_configuration() -> FontConfiguration:
    """One FontConfiguration per process: fonts loaded once serve every later build."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def render_pdf(html: str, *, base_url: str, workspace: Workspace, source_name: str,
               pdf_variant: str | None = None, pdf_identifier: bytes | None = None,
               attachments: list[weasyprint.Attachment] | None = None,
               finisher: Callable[[Any, Any], None] | None = None) -> RenderResult:
    """Lay out `html` and write a PDF. Refused fetches make the build fail with a clear error."""
    fetcher = WorkspaceURLFetcher(workspace)
    collector = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    options: dict = {"pdf_variant": pdf_variant, "uncompressed_pdf": False, "finisher": finisher}
    if pdf_identifier is not None:
        options["pdf_identifier"] = pdf_identifier
    if attachments:
        options["attachments"] = attachments
    try:
        with cjk_justification():  # layout counts the gaps, drawing spreads them
            # The variant is given to layout too: tagged variants (PDF/A-a, PDF/UA) need it there.
            document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
                font_config=font_configuration(), pdf_variant=pdf_variant)
            pdf = document.write_pdf(**options)
    finally:
        logger.removeHandler(collector)
    if fetcher.refused:
        listed = ", ".join(dict.fromkeys(fetcher.refused))
        raise KmyError(f"the layout or copy asks for resources outside the workspace: {listed}; "
                       "put the files inside the workspace and use relative paths", source_name)
    return RenderResult(pdf=pdf, pages=len(document.pages), warnings=collector.messages)
