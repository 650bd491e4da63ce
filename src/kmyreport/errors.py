"""One error type for everything a user can cause.

A `KmyError` carries the file, line and column it is about and a plain
message saying what is wrong and what to do. The CLI prints it as one line
(`file:line:column: message`) and exits non-zero; library code raises it and
never prints.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .i18n import _, ngettext


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


MAX_ERRORS = 50  # a run reports at most this many errors; the rest are counted


class KmyErrors(KmyError):
    """Several user errors found in one run, in source order; raised once preparation is done.

    It is a `KmyError` itself (the first error's message, file, line and column), so code that
    catches `KmyError` keeps working; `errors` holds them all and `more` counts those left out
    beyond `MAX_ERRORS`.
    """

    def __init__(self, errors: list[KmyError], more: int = 0) -> None:
        flat = [e for error in errors for e in (error.errors if isinstance(error, KmyErrors) else [error])]
        if not flat:
            raise ValueError("KmyErrors needs at least one error")
        self.errors = flat
        self.more = more + sum(error.more for error in errors if isinstance(error, KmyErrors))
        first = flat[0]
        super().__init__(first.message, first.file, first.line, first.column)

    def __str__(self) -> str:
        return "\n".join(str(error) for error in self.errors)

    def __reduce__(self) -> tuple:  # pickles whole (to and from a worker process)
        return (type(self), (self.errors, self.more))

    def summary(self) -> str:
        """The closing line after the errors: how many there are, and what to do."""
        count = len(self.errors) + self.more
        if self.more:
            return _("{count} errors, the first {shown} shown; fix them and run again").format(
                count=count, shown=len(self.errors))
        return ngettext("{count} error; fix it and run again", "{count} errors; fix them and run again",
                        count).format(count=count)


class Problems:
    """Collects the errors (and warnings) a run finds, so that all of them are reported at once.

    `check()` raises them as one `KmyErrors`, sorted in source order: files in the order they
    were first met (the manifest, the layout, the articles in issue order), then line and column.
    """

    def __init__(self, limit: int = MAX_ERRORS) -> None:
        self.errors: list[KmyError] = []
        self.warnings: list[str] = []
        self.more = 0
        self._limit = limit
        self._files: dict[str, int] = {}

    def add(self, error: KmyError) -> None:
        for one in error.errors if isinstance(error, KmyErrors) else [error]:
            if one in self.errors:  # the same fault met twice (a broken font, once per file checked)
                continue
            self._files.setdefault(self._key(one.file), len(self._files))
            if len(self.errors) < self._limit:
                self.errors.append(one)
            else:
                self.more += 1
        if isinstance(error, KmyErrors):
            self.more += error.more

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    @contextmanager
    def collecting(self) -> Iterator[None]:
        """Run a block; a `KmyError` it raises is collected instead of stopping the run."""
        try:
            yield
        except KmyError as exc:
            self.add(exc)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def sorted(self) -> list[KmyError]:
        return sorted(self.errors, key=lambda e: (self._files.get(self._key(e.file), -1), e.line or 0,
                                                  e.column or 0))

    def check(self) -> None:
        """Raise what was collected (a lone error as itself), or do nothing when all is well."""
        if not self.errors:
            return
        errors = self.sorted()
        if len(errors) == 1 and not self.more:
            raise errors[0]
        raise KmyErrors(errors, self.more)

    @staticmethod
    def _key(file: Path | str | None) -> str:
        return "" if file is None else str(Path(file).resolve())
