"""`kmyreport preview`: the issue's pages in a browser, rebuilt and updated on every save.

`pages` turns a PDF into page images (with a content key per page, so that only the
pages that changed are rendered again); `server` builds on change and serves the
page (`page.html`), its state, its events and its images on 127.0.0.1.
"""

from __future__ import annotations

from .server import PreviewServer, PreviewSession, serve_preview

__all__ = ["PreviewServer", "PreviewSession", "serve_preview"]
