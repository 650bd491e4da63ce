"""Chinese text rules WeasyPrint lacks, applied while kmyreport renders.

Justification: WeasyPrint 70 stretches only spaces (U+0020, U+00A0) when it
justifies a line, so `text-align: justify` leaves Chinese text ragged. Chinese
is justified by spreading the space between characters instead. While
`cjk_justification()` is active:

- `count_expandable_spaces` also counts the gaps between justifiable
  characters (CJK ideographs, kana, full-width punctuation), so WeasyPrint
  works out the spacing per gap for each justified line;
- `Layout.set_text(..., justify=True)`, which WeasyPrint calls when it draws a
  justified line, gives each justifiable character that spacing as Pango
  letter-spacing.

Pango puts half of a character's letter-spacing before it and half after, and
drops the outer halves at the ends of a text box, so a box whose first (last)
character is justifiable gains half a gap less at that end; the count follows
the same rule, which keeps the drawn width and the computed width equal. The
two halves of `——` and `……` are never pulled apart, and a line that would need gaps
wider than half an em stays ragged rather than spaced out. Line breaking is not
touched: the same characters end each line, only their spacing changes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.ffi import TO_UNITS, ffi, pango

NEVER_SPLIT = {"\u2014", "\u2026", "\u2e3a", "\u2e3b"}  # — … ⸺ ⸻: drawn as joined pairs


def justifiable(char: str) -> bool:
    """CJK ideographs, kana, hangul and full-width punctuation get spacing between them."""
    if char in NEVER_SPLIT:
        return False
    code = ord(char)
    return (
        0x3000 < code <= 0x30FF          # CJK punctuation, kana
        or 0x3400 <= code <= 0x4DBF      # Extension A
        or 0x4E00 <= code <= 0x9FFF      # unified ideographs
        or 0xAC00 <= code <= 0xD7AF      # hangul
        or 0xF900 <= code <= 0xFAFF      # compatibility ideographs
        or 0xFF01 <= code <= 0xFF60      # full-width forms
        or 0x20000 <= code <= 0x3FFFF    # supplementary ideographs
        or char in "“”‘’·"
    )


def justifiable_gaps(text: str) -> float:
    """How many justification gaps a text box of `text` opens, matching how Pango draws them."""
    count = float(sum(1 for char in text if justifiable(char)))
    if count:
        if justifiable(text[0]):
            count -= 0.5
        if justifiable(text[-1]):
            count -= 0.5
    return count


MAX_GAP_EM = 0.5  # a line that would need wider gaps than this is left unjustified

_original_count = inline.count_expandable_spaces
_original_set_text = line_break.Layout.set_text
_original_justify_line = inline.justify_line


def _justify_line(context: object, line: boxes.LineBox, extra_width: float) -> None:
    """WeasyPrint's `justify_line` (count the gaps, spread the extra width over them), except that
    a line whose gaps would become so wide that it reads as spaced-out letters (a short line
    before an unbreakable word, say) stays ragged."""
    gaps = _count_expandable(line)
    if gaps and extra_width / gaps <= MAX_GAP_EM * line.style["font_size"]:
        inline.add_word_spacing(context, line, extra_width / gaps, 0)


def _count_expandable(box: boxes.Box) -> float:
    if isinstance(box, boxes.TextBox):
        return _original_count(box) + justifiable_gaps(box.text)
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return sum(_count_expandable(child) for child in box.children)
    return 0


def _set_text(self: line_break.Layout, text: str, justify: bool = False) -> None:
    _original_set_text(self, text, justify)
    spacing = self.justification_spacing if justify else 0
    if not spacing or not any(justifiable(char) for char in self.text):
        return
    attributes = pango.pango_layout_get_attributes(self.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    letter_spacing = self.style["letter_spacing"]
    base = 0 if letter_spacing == "normal" else letter_spacing
    units = int(round((base + spacing) * TO_UNITS))
    for start, end in _justifiable_runs(self.text):
        attribute = pango.pango_attr_letter_spacing_new(units)
        attribute.start_index, attribute.end_index = start, end
        pango.pango_attr_list_change(attributes, attribute)
    pango.pango_layout_set_attributes(self.layout, attributes)


def _justifiable_runs(text: str) -> Iterator[tuple[int, int]]:
    """UTF-8 byte ranges of the runs of justifiable characters (one Pango attribute per run)."""
    offset, run_start = 0, None
    for char in text:
        if justifiable(char):
            if run_start is None:
                run_start = offset
        elif run_start is not None:
            yield run_start, offset
            run_start = None
        offset += len(char.encode())
    if run_start is not None:
        yield run_start, offset


@contextlib.contextmanager
def cjk_justification() -> Iterator[None]:
    """Justify Chinese text by inter-character spacing while the block runs."""
    inline.count_expandable_spaces = _count_expandable
    inline.justify_line = _justify_line
    line_break.Layout.set_text = _set_text
    try:
        yield
    finally:
        inline.count_expandable_spaces = _original_count
        inline.justify_line = _original_justify_line
        line_break.Layout.set_text = _original_set_text
