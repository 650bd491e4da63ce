"""Many issues at once: one build per manifest, here, in local worker processes, or on a Dask cluster.

`run_batch` builds each manifest's edition and answers one `Outcome` per manifest,
in the order given: built, up to date (the build cache found nothing changed, so
an interrupted batch resumes where it stopped), or failed with the one-line error.
A failure never stops the others.

- `jobs=1`: one issue after another in this process (fonts loaded once serve all);
- `jobs=N`: N local worker processes (`concurrent.futures`, spawned);
- `scheduler="tcp://HOST:8786"`: the tasks go to a Dask distributed scheduler. Its
  workers must see the workspace at the same path (shared storage) and have
  kmyreport installed; they write the outputs and the build cache there themselves.
  Dask (the `cluster` extra) is imported only then.

Each task is `build_one`, a module-level function of plain arguments (paths as
strings), so it pickles to any worker. Every worker keeps its loaded fonts from one
issue to the next.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .i18n import N_, _

BUILT, UP_TO_DATE, FAILED = "built", "up to date", "FAILED"
#: The statuses as the batch's table shows them (the status itself stays English: it is data).
STATUS_TEXT = {BUILT: N_("built"), UP_TO_DATE: N_("up to date"), FAILED: N_("FAILED")}


@dataclass
class Outcome:
    """What became of one manifest in a batch."""

    manifest: str
    edition: str
    status: str                       # built, up to date, FAILED
    seconds: float = 0.0
    pages: int | None = None
    output: str | None = None
    size_bytes: int | None = None
    warnings: list[str] = field(default_factory=list)
    error: str | None = None          # the one-line error of a failed build
    detail: str | None = None         # its traceback, for an internal fault (--debug shows it)

    @property
    def issue(self) -> str:
        """The issue's folder name (sources/<id>/issue.yaml → <id>)."""
        path = Path(self.manifest)
        return path.parent.name if path.name == "issue.yaml" else path.stem

    @property
    def failed(self) -> bool:
        return self.status == FAILED


def build_one(manifest: str, edition: str = "print", level: str | None = None, workspace_root: str | None = None,
              cache: bool = True, validate: bool = True, env: dict[str, str | None] | None = None) -> Outcome:
    """Build one issue and say how it went; never raises for a build that fails (a worker's task).

    `env` is set for the build and restored after (the client's SOURCE_DATE_EPOCH, so that a
    worker elsewhere builds the same bytes)."""
    from .build import compile_issue
    from .errors import KmyError

    started = time.perf_counter()
    saved = {name: os.environ.get(name) for name in (env or {})}
    _set_env(env or {})
    try:
        result = compile_issue(Path(manifest), edition=edition, level=level,
                               workspace_root=Path(workspace_root) if workspace_root else None,
                               cache=cache, validate=validate, jobs=1)  # the batch runs issues side by side
    except KmyError as exc:
        return Outcome(manifest, edition, FAILED, time.perf_counter() - started, error=str(exc))
    except Exception as exc:  # an internal fault: reported, and the batch goes on
        return Outcome(manifest, edition, FAILED, time.perf_counter() - started,
                       error=_("internal error: {problem} (a bug in kmyreport)").format(
                           problem=f"{type(exc).__name__}: {exc}"),
                       detail=traceback.format_exc())
    finally:
        _set_env(saved)
    return Outcome(manifest, edition, UP_TO_DATE if result.cached else BUILT, time.perf_counter() - started,
                   pages=result.pages, output=str(result.output), size_bytes=result.size_bytes,
                   warnings=list(result.warnings))


def _set_env(values: dict[str, str | None]) -> None:
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def run_batch(manifests: Iterable[Path], *, edition: str = "print", level: str | None = None,
              workspace_root: Path | None = None, jobs: int = 1, scheduler: Any = None, cache: bool = True,
              validate: bool = True, on_done: Callable[[Outcome], Any] | None = None) -> list[Outcome]:
    """Build every manifest; one `Outcome` each, in the order given. `on_done` is called as each
    finishes (in the order they finish). `scheduler`: a Dask scheduler address (or a
    `distributed.Client`); else `jobs` local processes (1: in this process)."""
    paths = [str(Path(m).resolve()) for m in manifests]
    options = {"edition": edition, "level": level, "cache": cache, "validate": validate,
               "workspace_root": str(Path(workspace_root).resolve()) if workspace_root else None,
               "env": {"SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH")}}
    done = on_done or (lambda outcome: None)
    if scheduler is not None:
        return _on_dask(paths, options, scheduler, done)
    if jobs <= 1 or len(paths) <= 1:
        outcomes = []
        for path in paths:
            outcomes.append(build_one(path, **options))
            done(outcomes[-1])
        return outcomes
    import multiprocessing

    with ProcessPoolExecutor(max_workers=min(jobs, len(paths)),
                             mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(build_one, path, **options): index for index, path in enumerate(paths)}
        return _collect(paths, edition, futures, as_completed(futures), done)


def _on_dask(paths: list[str], options: dict[str, Any], scheduler: Any,
             done: Callable[[Outcome], Any]) -> list[Outcome]:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        from .errors import KmyError
        raise KmyError(_("--scheduler needs Dask: install kmyreport with the cluster extra "
                         "(pip install 'kmyreport[cluster]')")) from None
    client = scheduler if isinstance(scheduler, Client) else None
    own = client is None
    if own:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError) as exc:
            from .errors import KmyError
            raise KmyError(_("cannot reach the Dask scheduler at {scheduler} ({problem}); start it "
                             "(dask scheduler) and its workers, or check the address").format(
                scheduler=scheduler, problem=exc)) from None
    try:
        # pure=False: the same manifest twice is two tasks; each task is one issue
        futures = {client.submit(build_one, path, pure=False, key=f"kmyreport-{index}-{Path(path).parent.name}",
                                 **options): index
                   for index, path in enumerate(paths)}
        return _collect(paths, options["edition"], futures, dask_completed(list(futures)), done)
    finally:
        if own:
            client.close()


def _collect(paths: list[str], edition: str, futures: dict[Any, int], finished: Iterable[Any],
             done: Callable[[Outcome], Any]) -> list[Outcome]:
    """Outcomes in the given order from futures as they finish; a task that died (its worker
    was lost) is a failure of its issue."""
    outcomes: list[Outcome | None] = [None] * len(paths)
    for future in finished:
        index = futures[future]
        try:
            outcome = future.result()
        except Exception as exc:  # the worker died or the task could not run
            outcome = Outcome(paths[index], edition, FAILED, error=_("the worker failed: {problem}").format(
                problem=f"{type(exc).__name__}: {exc}"))
        outcomes[index] = outcome
        done(outcome)
    return [o for o in outcomes if o is not None]
