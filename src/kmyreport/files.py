"""Small file helpers shared by the pipeline: atomic writes and checksums."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import KmyError


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `path`, then rename it into place.

    Whatever stops the write (a full disk, Ctrl-C) removes the temporary file and leaves
    `path` as it was. A full disk is a `KmyError` naming `path`; other `OSError`s are the
    caller's to explain.
    """
    try:
        _write_atomic(path, data)
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise KmyError(f"cannot write this file: the disk is full ({exc.strerror or exc}); free some space "
                           "(or write somewhere else) and run again: nothing was replaced, the previous copy "
                           "is intact", path) from None
        raise


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def checksum_list(entries: Iterable[tuple[str, str]]) -> str:
    """`sha256sum`-style lines (`<sha256>  <path>`) for (digest, path) pairs, sorted by path."""
    return "".join(f"{digest}  {path}\n" for digest, path in sorted(entries, key=lambda entry: entry[1]))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def link_or_copy(src: str | Path, dst: str | Path) -> None:
    """Hard-link `src` to `dst`, or copy it where links cannot be made (another file system).
    A `copy_function` for `shutil.copytree`: scratch workspaces share the repo's font files."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
