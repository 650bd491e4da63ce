"""Rebuild on change: the designer's loop of edit, save and look.

`watch_issue` builds once, then waits for changes anywhere in the workspace
except `out/` (copy, photos, layouts, fonts) and builds again. The process stays
up, so fonts loaded for the first build serve every later one. A failed build
reports its error and keeps the last good PDF; the next save tries again.

`workspace_changes` is the loop itself, shared with the preview server
(`kmyreport.preview`), which rebuilds the same way and shows the pages instead.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

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
    interrupt = _Interrupt(stop)

    def build() -> None:
        try:
            on_build(compile_issue(manifest.path, workspace_root=workspace.root, **compile_options))
        except KmyError as exc:
            on_error(exc)
        interrupt.check()

    with _noting_interrupts(interrupt):
        # The first build runs once the watcher is up: a save made while it runs is then seen (and built).
        for _changes in workspace_changes(workspace, interrupt, started=build):
            build()
        interrupt.check()  # the watcher stopped for an interrupt that was noted but lost


class _Stop(Protocol):
    def is_set(self) -> bool: ...


class _Interrupt:
    """Ctrl-C, noted as well as raised.

    Python drops an exception raised while a finalizer runs (a `__del__`, a generator's cleanup):
    a Ctrl-C landing there during a build would be lost and the watch would go on. Noted, it ends
    the watch after that build, or within a step of the watcher (this is also its stop event).
    """

    def __init__(self, stop: _Stop | None) -> None:
        self.noted = False
        self.stop = stop

    def is_set(self) -> bool:
        return self.noted or (self.stop is not None and self.stop.is_set())

    def handler(self, _signum: int, _frame: Any) -> None:
        self.noted = True
        raise KeyboardInterrupt

    def check(self) -> None:
        if self.noted:
            raise KeyboardInterrupt


@contextmanager
def _noting_interrupts(interrupt: _Interrupt) -> Iterator[None]:
    """`interrupt` handles SIGINT meanwhile, when this is the main thread and Python's own handler
    is in place (not when Ctrl-C is ignored or someone else handles it)."""
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    signal.signal(signal.SIGINT, interrupt.handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def workspace_changes(workspace: Workspace, stop: _Stop | None = None, *,
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
