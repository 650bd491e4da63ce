"""Chinese justification: spacing between characters, as WeasyPrint's extension.

WeasyPrint 70 stretches only spaces (U+0020, U+00A0) when it justifies a line,
so `text-align: justify` leaves Chinese text ragged. Chinese is justified by
spreading the space between characters instead. `install()` extends WeasyPrint
once per process:

- `count_expandable_spaces` also counts the gaps between justifiable
  characters (`cjk.is_justifiable`: ideographs, kana, full-width punctuation),
  so WeasyPrint works out the spacing per gap for each justified line;
- `Layout.set_text(..., justify=True)`, which WeasyPrint calls when it draws a
  justified line, gives each justifiable character that spacing as Pango
  letter-spacing.

The extension applies only where the document asks for it: the custom property
`--kmy-justify: inter-character` (inherited; the render layer sets it on the
root of every kmyreport document, and a layout may turn it off for an element
with `--kmy-justify: none`). Any other document, rendered in the same process,
is justified exactly as WeasyPrint alone would. No state is kept between calls.

Pango puts half of a character's letter-spacing before it and half after, and
drops the outer halves at the ends of a text box, so a box whose first (last)
character is justifiable gains half a gap less at that end; the count follows
the same rule, which keeps the drawn width and the computed width equal. The
two halves of `——` and `……` are never pulled apart, and a line that would need gaps
wider than half an em stays ragged rather than spaced out. Line breaking is not
touched: the same characters end each line, only their spacing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from importlib.metadata import version

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text import line_break
from weasyprint.text.ffi import TO_UNITS, ffi, pango

from ..cjk import is_justifiable
from ..errors import KmyError

#: What the render layer adds to every kmyreport document to turn the extension on.
OPT_IN_STYLESHEET = ":root { --kmy-justify: inter-character }"
_PROPERTY = "__kmy_justify"  # how WeasyPrint names the custom property in a computed style

MAX_GAP_EM = 0.5  # a line that would need wider gaps than this is left unjustified


def justifiable_gaps(text: str) -> float:
    """How many justification gaps a text box of `text` opens, matching how Pango draws them."""
    count = float(sum(1 for char in text if is_justifiable(char)))
    if count:
        if is_justifiable(text[0]):
            count -= 0.5
        if is_justifiable(text[-1]):
            count -= 0.5
    return count


def opted_in(style: object) -> bool:
    """True where the document asks for inter-character justification (`--kmy-justify`)."""
    tokens = style[_PROPERTY]  # type: ignore[index]
    return bool(tokens) and getattr(tokens[0], "lower_value", None) == "inter-character"


class _WeasyPrint:
    """The three WeasyPrint functions the extension wraps, as they were before `install`."""

    count_expandable_spaces = staticmethod(inline.count_expandable_spaces)
    justify_line = staticmethod(inline.justify_line)
    set_text = staticmethod(line_break.Layout.set_text)


def _justify_line(context: object, line: boxes.LineBox, extra_width: float) -> None:
    """WeasyPrint's `justify_line` (count the gaps, spread the extra width over them), except that,
    in Chinese text, a line whose gaps would become so wide that it reads as spaced-out letters
    (a short line before an unbreakable word, say) stays ragged."""
    if not opted_in(line.style):
        _WeasyPrint.justify_line(context, line, extra_width)
        return
    gaps = _count_expandable(line)
    if gaps and extra_width / gaps <= MAX_GAP_EM * line.style["font_size"]:
        inline.add_word_spacing(context, line, extra_width / gaps, 0)


def _count_expandable(box: boxes.Box) -> float:
    if isinstance(box, boxes.TextBox):
        spaces = _WeasyPrint.count_expandable_spaces(box)
        return spaces + justifiable_gaps(box.text) if opted_in(box.style) else spaces
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return sum(_count_expandable(child) for child in box.children)
    return 0


def _set_text(self: line_break.Layout, text: str, justify: bool = False) -> None:
    _WeasyPrint.set_text(self, text, justify)
    spacing = self.justification_spacing if justify else 0
    if not spacing or not opted_in(self.style) or not any(is_justifiable(char) for char in self.text):
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
        if is_justifiable(char):
            if run_start is None:
                run_start = offset
        elif run_start is not None:
            yield run_start, offset
            run_start = None
        offset += len(char.encode())
    if run_start is not None:
        yield run_start, offset


def check_engine(found: str, written_for: str) -> None:
    """Refuse to extend a WeasyPrint other than the one the extension was written against."""
    if found != written_for:
        raise KmyError(f"kmyreport's Chinese justification was written for WeasyPrint {written_for}, but "
                       f"WeasyPrint {found} is installed; install the version it was written for "
                       f"(pip install 'weasyprint=={written_for}')")


def install() -> None:
    """Extend WeasyPrint's justification, once per process (later calls do nothing)."""
    from . import ENGINE, ENGINE_VERSION

    if inline.justify_line is _justify_line:
        return
    check_engine(version(ENGINE), ENGINE_VERSION)
    inline.count_expandable_spaces = _count_expandable
    inline.justify_line = _justify_line
    line_break.Layout.set_text = _set_text
