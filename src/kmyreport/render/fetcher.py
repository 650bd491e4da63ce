"""The URL fetcher of every render: workspace files and `data:` URLs, nothing else."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse

from ..workspace import Workspace


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
