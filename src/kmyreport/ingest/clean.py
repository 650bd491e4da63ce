"""Step 2: clean the decoded text, one paragraph per raw line.

Newlines unified; indents, NBSP, zero-width and control characters cleaned;
emoji removed (🔥 📷 👇: the fonts have none, and they are decoration, not text; a
keycap such as 1️⃣ becomes its digit; the `emoji` library knows which characters are
emoji); symbol-only junk lines at the start and end and separator lines dropped.
Everything removed is noted in the report, each emoji with its line and column.
"""

from __future__ import annotations

import re
import unicodedata

import emoji

from ..i18n import _, ngettext
from .model import SPACES, RawLine
from .report import ImportReport, LineRecord

ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u2060"), None)
ODD_SPACES = "\u00a0\u202f\u2007\u2002\u2003\u2009\u200a\u205f"


def clean_lines(text: str, report: ImportReport) -> list[RawLine]:
    """Split into lines and clean each one; blank lines vanish, junk at the ends is dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    lines: list[RawLine] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        cleaned = _clean_line(raw, number, report)
        if cleaned:
            lines.append(RawLine(number, cleaned))
    return _drop_junk_at_ends(lines, report)


# Emoji that are ordinary text symbols in print (©, ®, ™, ‼, ⁉ …) and stay.
TEXT_SYMBOLS_BELOW = 0x2190


def remove_emoji(text: str, number: int, report: ImportReport) -> str:
    """Take the emoji out of one raw line, noting each (line, column, emoji) in the report."""
    found = emoji.emoji_list(text)
    if not found:
        return text
    parts, last = [], 0
    for match in found:
        start, end, char = match["match_start"], match["match_end"], match["emoji"]
        if len(char) == 1 and ord(char) < TEXT_SYMBOLS_BELOW:
            continue
        keycap = char[0] if char.endswith("\u20e3") and char[0] in "0123456789#*" else ""
        parts.append(text[last:start] + keycap)
        last = end
        report.emoji.append((number, start + 1, char, keycap))
    parts.append(text[last:])
    return "".join(parts)


def _clean_line(raw: str, number: int, report: ImportReport) -> str:
    notes = []
    raw = remove_emoji(raw, number, report)
    zero_width = sum(1 for ch in raw if ord(ch) in ZERO_WIDTH)
    if zero_width:
        notes.append(ngettext("{count} zero-width character removed", "{count} zero-width characters removed",
                              zero_width).format(count=zero_width))
    text = raw.translate(ZERO_WIDTH)
    odd = sum(1 for ch in text if ch in ODD_SPACES)
    if odd:
        notes.append(ngettext("{count} no-break (or other odd) space made an ordinary space",
                              "{count} no-break (or other odd) spaces made ordinary spaces", odd).format(count=odd))
        text = "".join(" " if ch in ODD_SPACES else ch for ch in text)
    controls = [ch for ch in text if unicodedata.category(ch) == "Cc" and ch != "\t"]
    if controls:
        notes.append(ngettext("{count} control character removed", "{count} control characters removed",
                              len(controls)).format(count=len(controls)))
        text = "".join(ch for ch in text if ch == "\t" or unicodedata.category(ch) != "Cc")
    text = text.replace("\t", " ")
    stripped = text.strip(SPACES)
    if stripped and text[: len(text) - len(text.lstrip(SPACES))]:
        notes.append(_("indent at the start of the line removed"))
    if notes and stripped:
        report.cleaning.append(_("line {line}: {notes}").format(line=number, notes=_("; ").join(notes)))
    return stripped


def is_junk(text: str) -> bool:
    """A line with no letter or digit at all: only symbols and punctuation."""
    return not any(unicodedata.category(ch)[0] in "LN" for ch in text)


SEPARATOR_RE = re.compile(rf"^([=\-_~*#—－＝＊～·])(?:[{SPACES}]*\1){{2,}}$")


def is_separator(text: str) -> bool:
    """`=======`, `-----`, `＊＊＊`: one rule character repeated, a visual separator."""
    return bool(SEPARATOR_RE.match(text))


def _drop_junk_at_ends(lines: list[RawLine], report: ImportReport) -> list[RawLine]:
    """Drop symbol-only lines at the start and end, and separator lines anywhere."""
    start, end = 0, len(lines)
    while start < end and is_junk(lines[start].text):
        start += 1
    while end > start and is_junk(lines[end - 1].text):
        end -= 1
    kept = []
    for index, raw in enumerate(lines):
        if start <= index < end and not is_separator(raw.text):
            kept.append(raw)
            if is_junk(raw.text):
                report.warnings.append(_("line {line} is only symbols, “{text}”; kept as text, please check").format(
                    line=raw.line, text=raw.text))
            continue
        detail = (_("separator line") if start <= index < end
                  else _("a line of symbols without any text (junk at the start or the end)"))
        record = LineRecord(raw.line, "junk", raw.text, detail)
        report.dropped.append(record)
        report.lines.append(record)
    return kept
