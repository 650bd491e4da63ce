"""One error type for everything a user can cause.

A `KmyError` carries the file, line and column it is about and a plain
message saying what is wrong and what to do. The CLI prints it as one line
(`file:line:column: message`) and exits non-zero; library code raises it and
never prints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class KmyError(Exception):
    """A problem with the user's input, reported as `file:line:column: message`."""

    message: str
    file: Path | str | None = None
    line: int | None = None
    column: int | None = None

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def location(self) -> str:
        if self.file is None:
            return ""
        parts = [display_path(self.file)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        where = self.location()
        return f"{where}: {self.message}" if where else self.message


def display_path(path: Path | str) -> str:
    """A path as the user should see it: relative to the working directory when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)
