"""`kmyreport fit`: the fit report of a newspaper issue alone, without photos or a PDF.

It loads the issue as a build does, lays the pages out (photos as boxes of their placed
size, read from the files' headers) and reports for every story and continuation how
many 字 and lines it is over or under its area.
"""

from __future__ import annotations

from pathlib import Path

from ..editions import get_edition
from ..errors import KmyError
from ..i18n import _
from ..manifest import load_manifest
from ..workspace import find_workspace
from .compose import FitReport, compose_pages


def fit_issue(manifest_path: Path, workspace_root: Path | None = None, *, overflow: str = "report") -> FitReport:
    """The fit report; with `overflow="error"` a story that does not fit raises, as in a build."""
    from ..build import _layout_for, _load_articles  # the loading half of the pipeline, shared with compile

    manifest = load_manifest(Path(manifest_path))
    if not manifest.model.pages:
        raise KmyError(_("the fit report is for newspapers: this manifest lists no pages"), manifest.path)
    workspace = find_workspace(manifest.path, workspace_root)
    layout = _layout_for(manifest, workspace)
    articles = _load_articles(manifest, workspace)
    composition = compose_pages(manifest, layout, get_edition("screen"), articles, None, workspace,
                                overflow=overflow, final=False)
    return composition.report
