"""Rebuild on change: the designer's loop of edit, save and look.

`watch_issue` builds once, then waits for changes anywhere in the workspace
except `out/` (copy, photos, layouts, fonts) and builds again. The process stays
up, so fonts loaded for the first build serve every later one. A failed build
reports its error and keeps the last good PDF; the next save tries again.

`workspace_changes` is the loop itself, shared with the preview server
(`kmyreport.preview`), which rebuilds the same way and shows the pages instead.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import watchfiles

from .build import BuildResult, compile_issue
from .errors import KmyError
from .manifest import load_manifest
from .workspace import Workspace, find_workspace


def watch_issue(manifest_path: Path, *, on_build: Callable[[BuildResult], Any],
                on_error: Callable[[KmyError], Any], stop: threading.Event | None = None,
                workspace_root: Path | None = None, **compile_options: Any) -> None:
    """Compile now and after every change, until `stop` is set (or Ctrl-C)."""
    manifest = load_manifest(Path(manifest_path))
    workspace = find_workspace(manifest.path, workspace_root)

    def build() -> None:
        try:
            on_build(compile_issue(manifest.path, workspace_root=workspace.root, **compile_options))
        except KmyError as exc:
            on_error(exc)

    build()
    for _changes in workspace_changes(workspace, stop):
        build()


def workspace_changes(workspace: Workspace, stop: threading.Event | None = None, *,
                      step_ms: int = 100) -> Iterator[set[Path]]:
    """The paths that changed, each time files of the workspace change, until `stop` is set.

    Everything counts (sources, photos, manifest, layouts, fonts) except `out/`, where builds
    write, and hidden files (editors' swap files). Changes are gathered until `step_ms` pass
    without another, so one save (or a save-all) gives one batch.
    """
    out_dir = workspace.out_dir.resolve()

    def relevant(_change: watchfiles.Change, path: str) -> bool:
        resolved = Path(path)
        return out_dir not in resolved.parents and resolved != out_dir and not resolved.name.startswith(".")

    for changes in watchfiles.watch(workspace.root, watch_filter=relevant, stop_event=stop, debounce=300,
                                    step=step_ms, rust_timeout=500, yield_on_timeout=False):
        yield {Path(path) for _change, path in changes}
