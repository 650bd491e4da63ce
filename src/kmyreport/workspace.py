"""The workspace: the folder that holds `layouts/`, `fonts/`, `sources/` and `out/`.

Compiling reads nothing outside it. The workspace of a manifest is the nearest
folder above it that has a `layouts/` folder, unless one is given explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from .errors import KmyError

# Documents refer to workspace files by URLs under this virtual root, never by their real
# location, so that the PDF (whose image names are hashes of URLs) does not depend on where
# the workspace sits. The renderer's URL fetcher maps it back to the real folder.
VIRTUAL_ROOT = "file:///kmyreport-workspace/"


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def layouts_dir(self) -> Path:
        return self.root / "layouts"

    @property
    def fonts_dir(self) -> Path:
        return self.root / "fonts"

    @property
    def out_dir(self) -> Path:
        return self.root / "out"

    @property
    def cache_dir(self) -> Path:
        return self.out_dir / ".cache"

    def url(self, path: Path) -> str:
        """The location-independent URL of a file (or folder, with a trailing slash) in the workspace."""
        rel = Path(path).resolve().relative_to(self.root).as_posix()
        suffix = "/" if Path(path).is_dir() else ""
        return VIRTUAL_ROOT + quote(rel) + suffix

    def path_of(self, url: str) -> Path | None:
        """The real path behind a URL made by `url`, or None for any other URL."""
        if not url.startswith(VIRTUAL_ROOT):
            return None
        return self.root / unquote(url[len(VIRTUAL_ROOT):].split("?")[0].split("#")[0])

    def contains(self, path: Path) -> bool:
        """True when `path`, with links followed, lies inside the workspace."""
        try:
            path.resolve().relative_to(self.root)
        except ValueError:
            return False
        return True


def find_workspace(manifest_path: Path, explicit: Path | None = None) -> Workspace:
    """The workspace for a manifest: `explicit`, or the nearest ancestor with `layouts/`."""
    if explicit is not None:
        root = explicit.resolve()
        if not (root / "layouts").is_dir():
            raise KmyError(f"workspace {root} has no layouts/ folder; point --workspace at the "
                           "folder that holds layouts/, fonts/ and sources/")
        return Workspace(root)
    for folder in manifest_path.resolve().parents:
        if (folder / "layouts").is_dir():
            return Workspace(folder)
    raise KmyError("no workspace found: no folder above this manifest has a layouts/ folder; "
                   "keep issues under a workspace (layouts/, fonts/, sources/) or pass --workspace",
                   manifest_path)
