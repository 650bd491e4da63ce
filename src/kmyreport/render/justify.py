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

import functools
import logging
import re
import threading
from collections.abc import Iterator, Sequence
from importlib.metadata import version

from weasyprint.draw import text as draw_text
from weasyprint.formatting_structure import boxes
from weasyprint.layout import block, inline, preferred
from weasyprint.text import line_break
from weasyprint.text.ffi import TO_UNITS, ffi, pango

from ..cjk import IDEOGRAPH_CLASS, JUSTIFIABLE_CLASS, is_justifiable, is_opening
from ..errors import KmyError
from ..i18n import _
from . import autospace, lastline, punctuation

#: What the render layer adds to every kmyreport document to turn the extension on.
OPT_IN_STYLESHEET = (f":root {{ --kmy-justify: inter-character; {punctuation.OPT_IN_DECLARATION}; "
                     f"{autospace.OPT_IN_DECLARATION}; {lastline.OPT_IN_DECLARATION} }}")
_PROPERTY = "__kmy_justify"  # how WeasyPrint names the custom property in a computed style

MAX_GAP_EM = 0.5  # a line that would need wider gaps than this is left unjustified


def justifiable_gaps(text: str) -> float:
    """How many justification gaps a text box of `text` opens, matching how Pango draws them."""
    count = float(len(_JUSTIFIABLE.findall(text)))
    if count:
        if _justifiable(text[0]):
            count -= 0.5
        if _justifiable(text[-1]):
            count -= 0.5
    return count


def opted_in(style: object) -> bool:
    """True where the document asks for inter-character justification (`--kmy-justify`)."""
    tokens = style[_PROPERTY]  # type: ignore[index]
    return bool(tokens) and getattr(tokens[0], "lower_value", None) == "inter-character"


class _WeasyPrint:
    """The WeasyPrint functions the extension wraps, as they were before `install`."""

    count_expandable_spaces = staticmethod(inline.count_expandable_spaces)
    justify_line = staticmethod(inline.justify_line)
    set_text = staticmethod(line_break.Layout.set_text)
    draw_first_line = staticmethod(draw_text.draw_first_line)
    split_text_box = staticmethod(inline.split_text_box)
    text_align = staticmethod(inline.text_align)
    iter_line_boxes = staticmethod(inline.iter_line_boxes)
    split_first_line = staticmethod(inline.split_first_line)


def _justify_line(context: object, line: boxes.LineBox, extra_width: float) -> None:
    """WeasyPrint's `justify_line` (count the gaps, spread the extra width over them), except that,
    in Chinese text, a line whose gaps would become so wide that it reads as spaced-out letters
    (a short line before an unbreakable word, say) stays ragged."""
    if not opted_in(line.style):
        _WeasyPrint.justify_line(context, line, extra_width)
        return
    spaces, gaps = _count_parts(line)
    em = line.style["font_size"]
    # clreq's order: Latin word spaces take the extra width first (each up to WORD_SPACE_FIRST_EM), then the
    # gaps between characters; the Han–Latin spaces stay a quarter em.
    word = min(extra_width / spaces, WORD_SPACE_FIRST_EM * em) if spaces and extra_width > 0 else 0.0
    if not gaps:
        word = extra_width / spaces if spaces else 0.0  # no gap between characters: the spaces take it all
    spacing = (extra_width - word * spaces) / gaps if gaps else 0.0
    if (gaps or spaces) and spacing <= MAX_GAP_EM * em:
        _add_word_spacing(line, spacing, 0, word)
    elif extra_width > MAX_GAP_EM * em:
        _report_ragged(context, line, spacing / em if gaps else None)


_KEPT = ("_kmy_edges", "ascent", "underline_position", "underline_thickness", "strikethrough_position",
         "strikethrough_thickness")

#: In a justified line, each Latin word space takes up to this much (em) of the extra width before the
#: gaps between characters take any.
WORD_SPACE_FIRST_EM = 0.25


def _count_parts(box: boxes.Box) -> tuple[int, float]:
    """(word spaces, justification gaps between characters) in a line or inline box."""
    if isinstance(box, boxes.TextBox):
        return (_WeasyPrint.count_expandable_spaces(box),
                justifiable_gaps(box.text) if opted_in(box.style) else 0.0)
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        spaces, gaps = 0, 0.0
        for child in box.children:
            child_spaces, child_gaps = _count_parts(child)
            spaces, gaps = spaces + child_spaces, gaps + child_gaps
        return spaces, gaps
    return 0, 0.0


#: Where a line that cannot be justified is reported: the render collects WeasyPrint's warnings.
REPORT = logging.getLogger("weasyprint.kmyreport")


def _report_ragged(context: object, line: boxes.LineBox, gap_em: float | None) -> None:
    """Say which line is left ragged, with its paragraph's source line (`data-src`), once per render."""
    text = "".join(_line_text(line)).strip()
    element = line.element
    source = element.get("data-src") if element is not None and hasattr(element, "get") else None
    key = (source, text)
    reported = context.__dict__.setdefault("_kmy_ragged", set())
    if key in reported:
        return
    reported.add(key)
    need = (_("gaps of {gap} em between its characters (at most {most} em)").format(gap=f"{gap_em:.2f}",
                                                                                      most=MAX_GAP_EM)
            if gap_em is not None else _("space where it has no gap to spread it over"))
    REPORT.warning("%s", _("{source}: a line would need {need} to end flush and is left ragged; rewrite it or let "
                           "the word after it break: {text}").format(source=source or _("(no source line)"),
                                                                     need=need, text=text))


def _line_text(box: boxes.Box) -> Iterator[str]:
    if isinstance(box, boxes.TextBox):
        yield box.text
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            yield from _line_text(child)


def _add_word_spacing(box: boxes.Box, spacing: float, x_advance: float, word: float) -> float:
    """WeasyPrint's `add_word_spacing`, except that word spaces get `word` and the gaps between characters
    `spacing`, and that a text box gets a layout that is set up only when it is drawn (WeasyPrint lays the
    text out once more here, only to throw the layout away)."""
    if isinstance(box, boxes.TextBox):
        box.justification_spacing = spacing
        box.position_x += x_advance
        spaces, gaps = _count_parts(box)
        if spaces or gaps:
            layout = line_break.Layout.__new__(line_break.Layout)  # as `Layout(...)` then `deactivate()`
            layout.justification_spacing, layout.max_width, layout.text = spacing, None, box.text
            layout.first_line_direction = 0
            for name in _KEPT:  # the font metrics WeasyPrint reads before it sets the layout up again
                if hasattr(box.pango_layout, name):
                    setattr(layout, name, getattr(box.pango_layout, name))
            layout._kmy_word = word
            added = word * spaces + spacing * gaps
            x_advance += added
            box.width += added
            box.pango_layout = layout
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in box.children[::-1] if box.style["direction"] == "rtl" else box.children:
            if child.is_in_normal_flow():
                x_advance = _add_word_spacing(child, spacing, x_advance, word)
        box.width += x_advance - before
    else:
        box.translate(x_advance, 0)  # an atomic inline-level box
    return x_advance


def _count_expandable(box: boxes.Box) -> float:
    if isinstance(box, boxes.TextBox):
        spaces = _WeasyPrint.count_expandable_spaces(box)
        return spaces + justifiable_gaps(box.text) if opted_in(box.style) else spaces
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return sum(_count_expandable(child) for child in box.children)
    return 0


def _set_text(self: line_break.Layout, text: str, justify: bool = False) -> None:
    if getattr(self, "_kmy_attributes", False):
        # WeasyPrint sets a new text on a layout that keeps its attributes: drop those the rules set for
        # the previous text (a mark halved beside a mark now gone, spacing at offsets that moved).
        if _has_font_features(self.style):  # the attributes WeasyPrint starts a layout with
            fresh = line_break.Layout(self.style)
            pango.pango_layout_set_attributes(self.layout, pango.pango_layout_get_attributes(fresh.layout))
        else:
            pango.pango_layout_set_attributes(self.layout, ffi.NULL)
        self._kmy_attributes = False
    word = getattr(self, "_kmy_word", None) if justify else None
    if word is None:
        _WeasyPrint.set_text(self, text, justify)
    else:  # WeasyPrint gives word spaces the justification spacing; here they have their own (`_justify_line`)
        spacing, self.justification_spacing = self.justification_spacing, word
        try:
            _WeasyPrint.set_text(self, text, justify)
        finally:
            self.justification_spacing = spacing
    # While WeasyPrint breaks a line, only the characters that could reach the first line matter
    # (Pango lays out the rest of the paragraph too): the rules look no further.
    reach = self.text if justify or self.max_width is None else _first_line_reach(self.text, self.max_width,
                                                                                  self.style["font_size"])
    # The characters across an element's edge (`**重点**AI`, `**“重点”**，`), where the text is a box's start or end.
    before, after, line_start = getattr(self, "_kmy_edges", None) or _edges_while_splitting(self.text)
    if reach is not self.text:
        after = ""
    if len(reach) < 2:  # Pango drops both outer halves of one character's spacing: nothing could be measured
        before = after = ""
    joined = before + reach + after if before or after else reach
    half_width: Sequence[int] = ()
    if punctuation.opted_in(self.style):
        half_width = punctuation.half_width_marks(joined)
        if before or after:
            half_width = [index - len(before) for index in half_width if 0 <= index - len(before) < len(reach)]
        if line_start and reach and is_opening(reach[0]) and (not half_width or half_width[0] != 0):
            half_width = [0, *half_width]  # an opening mark at a line start: flush with the margin
    spaced_gaps: Sequence[int] = ()
    if autospace.opted_in(self.style):
        spaced_gaps = autospace.boundaries(joined)
        if before:  # gap -1 lies between `before` and the text, gap len(reach) - 1 between the text and `after`
            spaced_gaps = [gap - 1 for gap in spaced_gaps]
    spacing = self.justification_spacing if justify else 0
    spaced = bool(spacing) and opted_in(self.style) and _JUSTIFIABLE.search(self.text) is not None
    self._kmy_moves = None
    if not half_width and not spaced and not spaced_gaps:
        return
    self._kmy_attributes = True
    attributes = pango.pango_layout_get_attributes(self.layout)
    if attributes == ffi.NULL:
        attributes = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    if half_width:
        _set_half_width(self.text, half_width, attributes)
    if spaced or spaced_gaps:
        _set_spacing(self, reach, spacing if spaced else 0, spaced_gaps, justify, attributes, before, after)
    pango.pango_layout_set_attributes(self.layout, attributes)


class _Splitting(threading.local):
    """While a text box is split into lines (`_split_text_box`), for the layouts made meanwhile, in this thread:
    `edges`, (the character before the box, the one after it, the box's text from where the line starts, whether
    that is a line start inside a paragraph); `line_width`, the width of the paragraph's lines (a box may start
    mid-line)."""

    edges: tuple[str, str, str, bool] | None = None
    line_width: float | None = None


_SPLITTING = _Splitting()


def _edges_while_splitting(text: str) -> tuple[str, str, bool]:
    if _SPLITTING.edges is None:
        return "", "", False
    before, after, rest, line_start = _SPLITTING.edges
    return before, after if text == rest else "", line_start


def _split_text_box(context: object, box: boxes.TextBox, available_width: float | None, skip: int | None,
                    is_line_start: bool = True) -> tuple:
    """WeasyPrint's `split_text_box`, telling the layouts it makes which characters lie across the box's
    edges (`_mark_edges`), and keeping that on the layout of the line made, for when it is drawn."""
    before = "" if skip else getattr(box, "_kmy_before", "")
    after = getattr(box, "_kmy_after", "")
    # A line that starts inside a paragraph (not its first line): an opening mark there is set half-width.
    line_start = bool(is_line_start and (skip or getattr(box, "_kmy_before", "")))
    _SPLITTING.line_width = getattr(box, "_kmy_line_width", None)
    if not before and not after and not line_start:
        try:
            return _WeasyPrint.split_text_box(context, box, available_width, skip, is_line_start)
        finally:
            _SPLITTING.line_width = None
    _SPLITTING.edges = (before, after, box.text.encode()[skip or 0:].decode(), line_start)
    try:
        result = _WeasyPrint.split_text_box(context, box, available_width, skip, is_line_start)
    finally:
        _SPLITTING.edges = _SPLITTING.line_width = None
    new_box, resume, _ = result
    if new_box is not None:
        new_box.pango_layout._kmy_edges = (before, after if resume is None else "", line_start)
    return result


def _text_align(context: object, line: boxes.LineBox, available_width: float, last: bool) -> float:
    """WeasyPrint's `text_align`, after taking back the Han–Latin opening measured at an element's edge that
    turned out to be a line's end or start (`**重点**` at a line's end, `AI` on the next line)."""
    if autospace.opted_in(line.style):
        flow = [box for box in _inline_flow(line) if box is not None]
        if flow:
            _drop_edge(line, flow[-1], at_end=True)
            _drop_edge(line, flow[0], at_end=False)
    return _WeasyPrint.text_align(context, line, available_width, last)


def _drop_edge(line: boxes.LineBox, box: boxes.TextBox, at_end: bool) -> None:
    layout = box.pango_layout
    edges = getattr(layout, "_kmy_edges", None)
    if not edges or len(box.text) < 2 or not edges[1 if at_end else 0] or not autospace.opted_in(box.style):
        return
    before, after, line_start = edges
    pair = box.text[-1] + after if at_end else before + box.text[0]
    layout._kmy_edges = (before, "", line_start) if at_end else ("", after, line_start)
    han = pair[0] if at_end else pair[1]
    if not autospace.has_boundary(pair) or not _IS_HAN_CHAR(han):
        return  # no boundary, or its opening was measured in the box on the other side
    opening = 2 * int(round(autospace.SPACE_EM * box.style["font_size"] * TO_UNITS / 2)) / TO_UNITS
    box.width -= opening
    _shrink_ancestors(line, box, opening)
    if not at_end:  # what follows the box on the line moves back
        moving = False
        for other in _inline_flow_all(line):
            if moving:
                other.position_x -= opening
            moving = moving or other is box


def _shrink_ancestors(box: boxes.Box, target: boxes.Box, amount: float) -> bool:
    """Make `box` and each inline box between it and `target` narrower by `amount`."""
    if box is target:
        return True
    for child in getattr(box, "children", ()):
        if _shrink_ancestors(child, target, amount):
            box.width -= amount
            return True
    return False


def _inline_flow_all(box: boxes.Box) -> Iterator[boxes.Box]:
    """Every box inside a line, in order (inline boxes before their children)."""
    for child in box.children:
        yield child
        if isinstance(child, boxes.InlineBox):
            yield from _inline_flow_all(child)


def _iter_line_boxes(context: object, box: boxes.LineBox, *args: object, **kwargs: object) -> object:
    """WeasyPrint's `iter_line_boxes`, after marking the text boxes of the paragraph with the characters
    that meet them across an inline element's edge."""
    if not getattr(box, "_kmy_marked", False):
        box._kmy_marked = True
        previous = None
        containing_block = args[3] if len(args) > 3 else kwargs.get("containing_block")
        line_width = getattr(containing_block, "width", None)
        for text_box in _inline_flow(box):
            if text_box is not None and isinstance(line_width, (int, float)):
                text_box._kmy_line_width = line_width
            if text_box is not None and previous is not None and text_box.text and previous.text:
                previous._kmy_after, text_box._kmy_before = text_box.text[0], previous.text[-1]
            previous = text_box
    return _WeasyPrint.iter_line_boxes(context, box, *args, **kwargs)


def _inline_flow(box: boxes.Box) -> Iterator[boxes.TextBox | None]:
    """The text boxes of an inline formatting context in order; None for anything else that sits between."""
    for child in box.children:
        if isinstance(child, boxes.TextBox):
            yield child
        elif isinstance(child, boxes.InlineBox):
            yield from _inline_flow(child)
        else:
            yield None


def _draw_first_line(stream: object, textbox: boxes.TextBox, *args: object) -> object:
    """WeasyPrint's `draw_first_line`, with the glyphs beside Han–Latin boundaries first moved and widened
    as `autospace.drawn_moves` says (Pango keeps the changed glyphs of its laid-out line)."""
    layout = textbox.pango_layout
    moves = getattr(layout, "_kmy_moves", None)
    if moves:
        layout._kmy_moves = None
        pango.pango_layout_set_single_paragraph_mode(layout.layout, True)  # as WeasyPrint will: no new layout
        run = layout.get_first_line()[0].runs
        while run != ffi.NULL:
            item = run.data.item
            start = item.offset
            if any(start <= offset < start + item.length for offset in moves):
                glyphs = run.data.glyphs
                clusters = glyphs.log_clusters
                for glyph in range(glyphs.num_glyphs):
                    move = moves.get(start + clusters[glyph])
                    if move:
                        geometry = glyphs.glyphs[glyph].geometry
                        geometry.x_offset += move[0]
                        geometry.width += move[1]
            run = run.next
    return _WeasyPrint.draw_first_line(stream, textbox, *args)


_justifiable = functools.cache(is_justifiable)


def _has_font_features(style: object) -> bool:
    """Whether WeasyPrint starts a layout in this style with a font-features attribute."""
    return bool(line_break.font_features(*(style[name] for name in (  # type: ignore[index]
        "font_kerning", "font_variant_ligatures", "font_variant_position", "font_variant_caps",
        "font_variant_numeric", "font_variant_alternates", "font_variant_east_asian", "font_feature_settings"))))


def _first_line_reach(text: str, max_width: float, font_size: float) -> str:
    """The start of `text` that holds every character that could fit on a line `max_width` wide (an
    ideograph is an em wide, a full-width mark at least half an em, anything else a fifth)."""
    limit = (max_width + 2 * font_size) / font_size  # in em
    end = int(limit) + 1  # as if every character were an ideograph
    while end < len(text):
        start = text[:end]
        ideographs = len(_IDEOGRAPHS.findall(start))
        marks = len(_JUSTIFIABLE.findall(start)) - ideographs
        width = ideographs + 0.5 * marks + 0.2 * (end - ideographs - marks)
        if width > limit:
            return start
        end += int((limit - width) / 0.2) + 1
    return text


_IDEOGRAPHS = re.compile(f"[{IDEOGRAPH_CLASS}]")


def _letter_spacing(attributes: object, start: int, end: int, units: int) -> None:
    attribute = pango.pango_attr_letter_spacing_new(units)
    attribute.start_index, attribute.end_index = start, end
    pango.pango_attr_list_change(attributes, attribute)


def _set_half_width(text: str, indices: Sequence[int], attributes: object) -> None:
    """The font's `halt` feature on the characters at `indices` (punctuation compression)."""
    offset, position = 0, 0
    for index in indices:
        offset += len(text[position:index].encode())
        end = offset + len(text[index].encode())
        attribute = pango.pango_attr_font_features_new(punctuation.FEATURE)
        attribute.start_index, attribute.end_index = offset, end
        pango.pango_attr_list_insert(attributes, attribute)
        offset, position = end, index + 1


def _set_spacing(self: line_break.Layout, text: str, spacing: float, spaced_gaps: Sequence[int],
                 justify: bool, attributes: object, before: str = "", after: str = "") -> None:
    """Letter-spacing on the start `text` of the layout's text: the justification `spacing` on each run of
    justifiable characters, and the Han–Latin opening on the Han character beside each boundary
    (`autospace.han_side_spacing`), or, where the text is drawn, the glyph moves for `_draw_first_line`."""
    letter_spacing = self.style["letter_spacing"]
    base = 0 if letter_spacing == "normal" else letter_spacing
    units = int(round((base + spacing) * TO_UNITS)) if spacing else 0
    extra: dict[int, int] = {}
    if spaced_gaps:
        opening = 2 * int(round(autospace.SPACE_EM * self.style["font_size"] * TO_UNITS / 2))
        if justify:  # drawn: the glyphs beside the boundaries are moved, no spacing is set for them
            self._kmy_moves = {_byte_offset(text, index): move
                               for index, move in autospace.drawn_moves(text, spaced_gaps, opening, before,
                                                                                     after).items()}
        else:
            extra = autospace.han_side_spacing(text, spaced_gaps, opening, before, after)
    base_units = int(round(base * TO_UNITS))
    # (start, end, value) in characters: the runs of justifiable characters, cut around the spaced ones
    spans: list[tuple[int, int, int]] = []
    if units:
        for match in _JUSTIFIABLE_RUN.finditer(text):
            start, end = match.span()
            for index in sorted(i for i in extra if start <= i < end):
                if start < index:
                    spans.append((start, index, units))
                spans.append((index, index + 1, units + extra.pop(index)))
                start = index + 1
            if start < end:
                spans.append((start, end, units))
    spans += [(index, index + 1, base_units + value) for index, value in extra.items()]
    spans.sort()
    offset, position = 0, 0
    for start, end, value in spans:
        offset += _utf8_bytes(text, position, start)
        stop = offset + _utf8_bytes(text, start, end)
        if value % TO_UNITS == 0:
            value += 2  # Pango splits whole-pixel spacing unevenly; keep it even on both sides
        _letter_spacing(attributes, offset, stop, value)
        offset, position = stop, end


def _utf8_bytes(text: str, start: int, end: int) -> int:
    return len(text[start:end].encode())


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode())


_JUSTIFIABLE_RUN = re.compile(f"[{JUSTIFIABLE_CLASS}]+")
_JUSTIFIABLE = re.compile(f"[{JUSTIFIABLE_CLASS}]")
_IS_HAN_CHAR = re.compile(f"[{IDEOGRAPH_CLASS}\u3040-\u30ff\uac00-\ud7af\u3007]").match  # as cjk.is_han


def _split_first_line(text: str, style: object, context: object, max_width: float | None,
                      justification_spacing: float, is_line_start: bool = True, minimum: bool = False) -> tuple:
    """WeasyPrint's `split_first_line`, except that a line that comes out wider than `max_width` (Han–Latin
    spacing, punctuation compression) is broken again a little earlier, and a short last piece pushed to the next
    line by the spacing's outer half is taken back when it fits (see `autospace`); and a line is broken
    earlier when the rest would leave a lone character on the last line (see `lastline`)."""
    result = _WeasyPrint.split_first_line(text, style, context, max_width, justification_spacing,
                                          is_line_start, minimum)
    if not max_width or result[2] is None:  # unbounded, or a min-content measure (0): nothing to fit
        return result
    spaced = autospace.opted_in(style) and autospace.has_boundary(text)
    if spaced or punctuation.opted_in(style):
        result = _fit_line(result, text, style, context, max_width, justification_spacing, is_line_start,
                           minimum, spaced)
    if lastline.opted_in(style) and result[2] is not None:
        result = _keep_two_on_last_line(result, text, style, context, justification_spacing, is_line_start,
                                        minimum, _SPLITTING.line_width or max_width)
    return result


def _keep_two_on_last_line(result: tuple, text: str, style: object, context: object,
                           justification_spacing: float, is_line_start: bool, minimum: bool,
                           line_width: float) -> tuple:
    """Break a line earlier when the rest of the text would leave one character alone (`lastline`), unless
    the paragraph's lines are so short (`line_width`) that the line would be spaced out."""
    encoded = text.encode()
    if line_width < lastline.MIN_LINE_CHARACTERS * style["font_size"] or \
            not lastline.is_lone(encoded[result[2]:].decode()):
        return result
    earlier = _WeasyPrint.split_first_line(text, style, context, result[3] - style["font_size"] / 2,
                                           justification_spacing, is_line_start, minimum)
    if earlier[2] is None or earlier[2] >= result[2]:
        return result
    if not encoded[:earlier[2]].strip() or lastline.is_lone(encoded[earlier[2]:].decode()):
        return result
    return earlier


def _fit_line(result: tuple, text: str, style: object, context: object, max_width: float,
              justification_spacing: float, is_line_start: bool, minimum: bool, spaced: bool) -> tuple:
    """Break again a line that came out too wide: Pango counts the outer half of the line's last
    character until the line is made (Han–Latin spacing), and a mark halved beside the next line's
    first mark is full width once the line is made (punctuation compression). With Han–Latin spacing,
    also take back a short rest that fits."""
    tolerance = 0.01
    narrower = max_width
    for _attempt in range(3):
        overflow = result[3] - max_width
        if overflow <= tolerance or result[2] is None:
            break
        narrower -= overflow
        earlier = _WeasyPrint.split_first_line(text, style, context, narrower, justification_spacing,
                                               is_line_start, minimum)
        if earlier[2] is not None and earlier[2] >= result[2]:
            break  # nothing to break earlier (a word alone, or a min-content measure): keep the line
        result = earlier
    if spaced and result[2] is not None and len(text.encode()) - result[2] <= _SHORT_REST_BYTES:
        wider = _WeasyPrint.split_first_line(text, style, context, max_width + autospace.SPACE_EM * 2
                                             * style["font_size"], justification_spacing, is_line_start, minimum)
        if wider[3] <= max_width + tolerance:
            result = wider
    return result


_SHORT_REST_BYTES = 12  # about four Chinese characters


def check_engine(found: str, written_for: str) -> None:
    """Refuse to extend a WeasyPrint other than the one the extension was written against."""
    if found != written_for:
        raise KmyError(_("kmyreport's Chinese justification was written for WeasyPrint {written_for}, but "
                         "WeasyPrint {found} is installed; install the version it was written for "
                         "(pip install 'weasyprint=={written_for}')").format(written_for=written_for, found=found))


def install() -> None:
    """Extend WeasyPrint's justification, once per process (later calls do nothing)."""
    from . import ENGINE, ENGINE_VERSION

    if inline.justify_line is _justify_line:
        return
    check_engine(version(ENGINE), ENGINE_VERSION)
    inline.count_expandable_spaces = _count_expandable
    inline.justify_line = _justify_line
    line_break.Layout.set_text = _set_text
    draw_text.draw_first_line = _draw_first_line
    inline.split_text_box = _split_text_box
    inline.text_align = _text_align
    block.iter_line_boxes = _iter_line_boxes
    inline.split_first_line = _split_first_line
    preferred.split_first_line = _split_first_line
