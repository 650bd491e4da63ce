"""The build cache: an unchanged rebuild renders nothing.

A build that succeeds leaves a record under `out/.cache/builds/`, one per output
slot (the manifest, the edition and level, where the PDF goes and how it was
asked for). The record holds

- the key of everything a build depends on that is not a file: the edition and
  level, the output path, the options, the versions of kmyreport (and a signature
  of its code), of the engine and of the libraries that shape the bytes, and
  `SOURCE_DATE_EPOCH`;
- every input file with its size, modification time and SHA-256: the manifest,
  the articles, the photos, the layout files (of the layouts it extends too), the
  fonts, and whatever else the render fetched from the workspace;
- the listing of the layout folders, so a template added to one counts as a change;
- every output file (the PDF, a newspaper's single pages, an archive's sidecar) with
  its size, time and SHA-256;
- the build's result: pages, size, counts, warnings.

`lookup` answers the record's result when the key is the same, every input is
unchanged and every output is still there with the bytes it had. Checking is
cheap: a file whose size and modification time are the recorded ones is taken
as unchanged; only a file whose time moved is hashed, and it is unchanged when
its SHA-256 is. Nothing here reads a photo's pixels or imports the renderer.

The record is kept per slot so that a later cache of parts of a build (each
article rendered apart) can keep its own slots beside it with the same helpers
(`FileSig`, `signatures`, `unchanged`, `Record`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from . import __version__
from .files import sha256_file, write_bytes_atomic

FORMAT = "1"  # bump when the record's shape or meaning changes
#: Distributions whose version can change the bytes of a build.
TOOLS = ("weasyprint", "pydyf", "tinycss2", "cssselect2", "fonttools", "pillow", "pikepdf", "jinja2",
         "markdown-it-py")


@dataclass(frozen=True)
class FileSig:
    """One file as a build saw it."""

    path: str
    size: int
    mtime_ns: int
    sha256: str

    def still(self) -> bool:
        """True when the file has the recorded content (by its stat, else by its hash)."""
        try:
            stat = os.stat(self.path)
        except OSError:
            return False
        if stat.st_size != self.size:
            return False
        if stat.st_mtime_ns == self.mtime_ns:
            return True
        try:
            return sha256_file(Path(self.path)) == self.sha256
        except OSError:
            return False


def signatures(paths: Iterable[Path], known: Mapping[str, FileSig] | None = None) -> list[FileSig]:
    """The signatures of files (in order, without repeats); a file whose size and time match one in
    `known` keeps its hash without being read again."""
    known = known or {}
    found: list[FileSig] = []
    for path in dict.fromkeys(str(Path(p).resolve()) for p in paths):
        stat = os.stat(path)
        before = known.get(path)
        if before is not None and (before.size, before.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            found.append(before)
            continue
        digest = _hash_memo(path, stat.st_size, stat.st_mtime_ns)
        found.append(FileSig(path, stat.st_size, stat.st_mtime_ns, digest))
    return found


@functools.lru_cache(maxsize=4096)
def _hash_memo(path: str, size: int, mtime_ns: int) -> str:
    """SHA-256 of a file, remembered for the process while its size and time stay (the fonts are
    hashed once, not at every build)."""
    return sha256_file(Path(path))


def unchanged(files: Iterable[FileSig]) -> bool:
    return all(sig.still() for sig in files)


def listing(folders: Iterable[Path]) -> dict[str, list[str]]:
    """Every file under each folder (sorted, relative): a file added to a layout is a change."""
    return {str(Path(folder).resolve()): sorted(p.relative_to(folder).as_posix()
                                                 for p in Path(folder).rglob("*") if p.is_file())
            for folder in folders}


#: kmyreport's files that never change what a build writes (commands and tools around the build):
#: editing them is no reason to build again.
NOT_IN_OUTPUT = ("cli.py", "__main__.py", "batch.py", "check.py", "verify.py", "watch.py", "page_images.py",
                 "preview/", "ingest/")
#: Set to pin the code's part of the key (tests in a checkout others are editing; a deployment).
CODE_SIGNATURE_ENV = "KMYREPORT_CODE_SIGNATURE"


def code_signature() -> str:
    """kmyreport's version and the content of each of its files that can change a build's output, so
    that changed code is a change (an installed release and a developer's checkout alike). Each file
    is read again only when its size or time moved (a millisecond or two per build otherwise)."""
    pinned = os.environ.get(CODE_SIGNATURE_ENV)
    if pinned:
        return pinned
    root = _package_root()
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.suffix in (".py", ".html") and not rel.startswith(NOT_IN_OUTPUT):
            try:
                stat = path.stat()
                digest.update(f"{rel}\0{_hash_memo(str(path), stat.st_size, stat.st_mtime_ns)}".encode())
            except OSError:
                continue
    return digest.hexdigest()


@functools.cache
def _package_root() -> Path:
    return Path(__file__).resolve().parent


@functools.cache
def tool_versions() -> dict[str, str]:
    versions = {}
    for name in TOOLS:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "-"
    return versions


def environment_key(parts: Mapping[str, Any]) -> str:
    """The key of a build's non-file dependencies: `parts` (edition, output, options) with the code,
    tool versions and SOURCE_DATE_EPOCH added."""
    everything = {"format": FORMAT, "code": code_signature(), "tools": tool_versions(),
                  "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"), **parts}
    return hashlib.sha256(json.dumps(everything, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Record:
    """What one slot's last successful build depended on and produced."""

    key: str
    inputs: list[FileSig]
    folders: dict[str, list[str]]
    outputs: list[FileSig]
    result: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Record:
        raw = json.loads(data)
        return cls(key=raw["key"], inputs=[FileSig(**item) for item in raw["inputs"]], folders=raw["folders"],
                   outputs=[FileSig(**item) for item in raw["outputs"]], result=raw["result"])

    def fresh(self, key: str) -> bool:
        """True when nothing the build depended on changed and its outputs are as it left them."""
        return (key == self.key and unchanged(self.inputs) and unchanged(self.outputs)
                and listing(Path(f) for f in self.folders) == self.folders)


def slot_path(cache_dir: Path, *parts: Any) -> Path:
    """The record file of a slot, named by its parts (e.g. the manifest, the edition, the output)."""
    name = hashlib.sha256("\0".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return cache_dir / "builds" / f"{name}.json"


def load(path: Path) -> Record | None:
    """The slot's record, or None when there is none or it cannot be read (a miss, never an error)."""
    try:
        return Record.from_json(path.read_bytes())
    except (OSError, ValueError, KeyError, TypeError):
        return None


#: The most records kept in one workspace; the least recently written go first (`kmyreport check`
#: builds into a new scratch folder every time, and each output path is a slot of its own).
MAX_RECORDS = 256


def save(path: Path, record: Record) -> None:
    """Write the record; a cache that cannot be written is only a slower next build."""
    try:
        write_bytes_atomic(path, record.to_json())
        records = list(path.parent.glob("*.json"))
        if len(records) > MAX_RECORDS:
            records.sort(key=lambda p: p.stat().st_mtime_ns)
            for old in records[:len(records) - MAX_RECORDS]:
                old.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - a full disk here must not fail a build that succeeded
        pass


def forget(path: Path) -> None:
    path.unlink(missing_ok=True)
