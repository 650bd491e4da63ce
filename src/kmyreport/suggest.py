"""Where a file that is not found probably is: a close name in its folder, or the same name elsewhere.

An editor who misspells `articles/02-neighbourhood.md` or `photos/pumpjak.jpg` is told the
name that exists ("did you mean …?"); one who refers to a photo that sits in another issue's
folder is told the path to write. The hint is the end of a sentence, added to a "not found"
message by the caller.
"""

from __future__ import annotations

import difflib
import os
import time
from pathlib import Path

from .workspace import Workspace

#: Folders never searched for a file of the same name: output, caches, tools' own folders.
SKIPPED = {"out", "node_modules", "__pycache__", "venv"}
_INDEX: dict[Path, tuple[float, dict[str, list[Path]]]] = {}  # workspace root → (when, name → files)
_FRESH_SECONDS = 2.0  # one run looks up many names; a later run (--watch) sees files moved meanwhile


def best_guess(missing: Path, base: Path, workspace: Workspace, suffix: str | None = None) -> tuple[str, str] | None:
    """What the editor probably meant by `missing`: `("close", path)` for a file of its folder whose
    name differs only in letter case, `("elsewhere", path)` for a file of the same name elsewhere in
    the workspace, `("close", path)` for a close name in its folder (difflib); paths relative to
    `base` (posix). None when nothing comes near."""
    exact = close_name(missing, base, suffix, fuzzy=False)
    if exact:
        return "close", exact
    elsewhere = same_name_elsewhere(missing, workspace, base)
    if elsewhere:
        return "elsewhere", elsewhere[0]
    close = close_name(missing, base, suffix)
    return ("close", close) if close else None


def close_name(missing: Path, base: Path, suffix: str | None = None, *, fuzzy: bool = True) -> str | None:
    """A file in `missing`'s folder whose name is close to its name, relative to `base` (posix), or None.

    A name that differs only in letter case wins; then (with `fuzzy`) the closest by `difflib`
    (same suffix when `suffix` is given)."""
    folder = missing.parent
    if not folder.is_dir():
        return None
    names = [p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~"))
             and (suffix is None or p.suffix.lower() == suffix)]
    found = next((n for n in names if n.lower() == missing.name.lower()), None)
    if found is None and fuzzy:
        close = difflib.get_close_matches(missing.name, names, n=1, cutoff=0.7)
        found = close[0] if close else None
    return _relative(folder / found, base) if found else None


def same_name_elsewhere(missing: Path, workspace: Workspace, base: Path, limit: int = 3) -> list[str]:
    """Files named like `missing` anywhere in the workspace (not under out/ or hidden folders),
    relative to `base` (posix), nearest first."""
    found = _index(workspace).get(missing.name, [])
    paths = sorted((p for p in found if p != missing), key=lambda p: (len(_relative(p, base)), str(p)))
    return [_relative(p, base) for p in paths[:limit]]


def _relative(path: Path, base: Path) -> str:
    return Path(os.path.relpath(path, base)).as_posix()


def _index(workspace: Workspace) -> dict[str, list[Path]]:
    root = workspace.root
    known = _INDEX.get(root)
    if known and time.monotonic() - known[0] < _FRESH_SECONDS:
        return known[1]
    index: dict[str, list[Path]] = {}
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(".") and not (
            d in SKIPPED or (Path(folder) == root and d in ("out", "fonts"))))
        for name in files:
            if not name.startswith("."):
                index.setdefault(name, []).append(Path(folder) / name)
    _INDEX[root] = (time.monotonic(), index)
    return index
