"""Checks before rendering: every character of the copy must be in the layout's fonts.

A character the fonts lack would be drawn from whatever system font happens to
have it, or as an empty box: wrong in print and different from machine to
machine. The check reads each font's character map once and caches it under
`out/.cache/fonts/`, so it costs milliseconds on later builds.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from fontTools.ttLib import TTFont

from .errors import KmyError
from .files import write_bytes_atomic

IGNORED_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp"}  # controls, format characters, spaces


# Coverage already read in this process (--watch, the preview server, a batch), by file identity.
_READ: dict[tuple[int, int, int, int], frozenset[int]] = {}
_SHARED: dict[tuple[int, ...], frozenset[int]] = {}  # what every font of a layout has


def font_coverage(font: Path, cache_dir: Path) -> frozenset[int]:
    """The code points a font maps, cached by file name, size and modification time."""
    stat = font.stat()
    identity = (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
    if identity in _READ:
        return _READ[identity]
    key = hashlib.sha256(f"{font.name}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:24]
    cached = cache_dir / "fonts" / f"{key}.json"
    if cached.is_file():
        ranges = json.loads(cached.read_text(encoding="utf-8"))
        codes = frozenset(code for start, end in ranges for code in range(start, end + 1))
        _READ[identity] = codes
        return codes
    codes = frozenset(read_font(font, lambda f: f.getBestCmap() or {}))
    if not codes:
        raise KmyError("cannot read the font: it maps no characters (no usable cmap table); the file is "
                       "damaged or not a text font: replace it with a good copy", font)
    write_bytes_atomic(cached, json.dumps(_ranges(codes)).encode())
    _READ[identity] = codes
    return codes


T = TypeVar("T")


def read_font(font: Path, read: Callable[[TTFont], T]) -> T:
    """`read(TTFont(font))`; a font file that cannot be read is a `KmyError` naming it.

    Everything fontTools raises on a damaged file (its own TTLibError, struct and
    decompression errors, assertions, …) counts: the file is the user's, not a bug here.
    """
    try:
        with TTFont(font, lazy=True, fontNumber=0) as opened:
            return read(opened)
    except Exception as exc:  # noqa: BLE001 - any failure to parse a user's font file
        raise KmyError(f"cannot read the font ({type(exc).__name__}: {exc}); the file is damaged or not an "
                       "OpenType font: replace it with a good copy (the bulletin's fonts come from Debian's "
                       "fonts-noto-cjk)", font) from None


def _ranges(codes: frozenset[int]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for code in sorted(codes):
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    return ranges


def printable_everywhere(fonts: list[Path], cache_dir: Path) -> frozenset[int]:
    """Characters every font of the layout has (body, heads and captions may use any of them)."""
    each = [font_coverage(font, cache_dir) for font in fonts]
    key = tuple(id(codes) for codes in each)  # the sets stay alive in _READ, so their ids are stable
    if key not in _SHARED:
        _SHARED[key] = frozenset.intersection(*each) if each else frozenset()
    return _SHARED[key]


@dataclass(frozen=True)
class MissingGlyph:
    """A character of the copy that the layout's fonts cannot print, and where it is."""

    path: Path
    line: int
    column: int
    char: str
    lacking: str          # the fonts that lack it, by file name

    @property
    def label(self) -> str:
        return f"'{self.char}' (U+{ord(self.char):04X} {unicodedata.name(self.char, 'unnamed character')})"


def missing_glyphs(files: Iterable[Path], fonts: list[Path], cache_dir: Path) -> Iterator[MissingGlyph]:
    """Every character of `files` that the fonts cannot print, in file order."""
    coverage = printable_everywhere(fonts, cache_dir)
    for path in files:
        text = path.read_text(encoding="utf-8-sig")
        for line_number, line in enumerate(text.splitlines(), start=1):
            for column, char in enumerate(line, start=1):
                if ord(char) in coverage or unicodedata.category(char) in IGNORED_CATEGORIES \
                        or 0xFE00 <= ord(char) <= 0xFE0F:
                    continue
                lacking = ", ".join(f.name for f in fonts if ord(char) not in font_coverage(f, cache_dir))
                yield MissingGlyph(path, line_number, column, char, lacking)


def check_glyphs(files: list[Path], fonts: list[Path], cache_dir: Path) -> None:
    """Raise `KmyError` at the first character of `files` that the fonts cannot print."""
    for missing in missing_glyphs(files, fonts, cache_dir):
        raise KmyError(f"character {missing.label} is not in the layout's fonts ({missing.lacking}) and would "
                       "print as a box or in a stray system font; replace it (e.g. with a common variant) or "
                       "add a font that has it to the layout", missing.path, missing.line, missing.column)
