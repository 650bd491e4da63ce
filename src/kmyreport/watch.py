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

    # The first build runs once the watcher is up: a save made while it runs is then seen (and built).
    for _changes in workspace_changes(workspace, stop, started=build):
        build()


def workspace_changes(workspace: Workspace, stop: threading.Event | None = None, *,
                      step_ms: int = 100, started: Callable[[], Any] | None = None) -> Iterator[set[Path]]:
    """The paths that changed, each time files of the workspace change, until `stop` is set.

    Everything counts (sources, photos, manifest, layouts, fonts) except `out/`, where builds
    write, and hidden files (editors' swap files). Changes are gathered until `step_ms` pass
    without another, so one save (or a save-all) gives one batch.

    `started` (the first build) is called once the watcher is up, before any batch: what changes
    while it runs comes in the first batch. Called before watching instead, it would miss them.
    """
    out_dir = workspace.out_dir.resolve()

    def relevant(_change: watchfiles.Change, path: str) -> bool:
        resolved = Path(path)
        return out_dir not in resolved.parents and resolved != out_dir and not resolved.name.startswith(".")

    # With `started`, the watcher yields (an empty batch) as soon as it has watched for a step.
    for changes in watchfiles.watch(workspace.root, watch_filter=relevant, stop_event=stop, debounce=300,
                                    step=step_ms, rust_timeout=step_ms if started else 500,
                                    yield_on_timeout=started is not None):
        if started is not None:
            first, started = started, None
            first()  # what changed before it is in it: this batch needs no build of its own
            continue
        if changes:
            yield {Path(path) for _change, path in changes}
