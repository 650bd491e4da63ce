"""Step 3: decide what every cleaned line is.

A state machine over the lines: the head (kicker, title, subtitle, bylines), then
the end matter, found from the end, then each body line as editor or source line,
photo caption with credit, byline, section head or paragraph (with origin notes and
bylines in the text parsed out). What a single line looks like is asked of the
rules in `rules/`; this module decides in which order, and what follows from it.
Text meant for print goes through `normalize.normalize_text`.
"""

from __future__ import annotations

import re

from ..articles import Author, Origin
from ..i18n import N_, _
from ..normalize import Change, normalize_text
from .model import SPACES, Block, RawLine, Recognised
from .report import ImportReport, LineRecord, name_list
from .rules.bylines import describe_author, parse_byline, parse_dateline, parse_trailing_byline
from .rules.captions import CaptionSplit, split_caption
from .rules.editors import CreditLine, parse_credit_line
from .rules.end_matter import INLINE_END_MARK_RE, end_matter_kind, is_recommendations
from .rules.frame import is_framed
from .rules.heads import looks_like_heading, split_head_decoration
from .rules.notes import Note, parse_note
from .rules.origin import describe_origin, parse_origin
from .rules.title import KICKER_RE, SUBTITLE_DASH_RE, SUBTITLE_LABEL_RE, TITLE_LABEL_RE, looks_like_title


class _Recogniser:
    def __init__(self, lines: list[RawLine], report: ImportReport) -> None:
        self.lines = lines
        self.report = report
        self.found = Recognised()
        self.tail_start = len(lines)
        self.origin_index = _first_origin_index(lines)
        self.recommend_index = _recommendations_index(lines, report)
        self.note_open: str | None = None  # "next": the next paragraph is a note; "rest": all up to the end

    def run(self) -> Recognised:
        body_start = self._head()
        self.tail_start = self._tail_start(body_start)
        for index in range(body_start, len(self.lines)):
            self._body_line(index, self.lines[index])
        return self.found

    # -- head ----------------------------------------------------------------
    def _head(self) -> int:
        found = self.found
        for index, raw in enumerate(self.lines):
            text = raw.text
            kicker = KICKER_RE.match(text)
            title_label = TITLE_LABEL_RE.match(text)
            subtitle_label = SUBTITLE_LABEL_RE.match(text)
            subtitle_dash = SUBTITLE_DASH_RE.match(text)
            if found.title is None and not found.bylines and end_matter_kind(text) == "公众号引导语":
                self._drop(raw, "boilerplate", _("account boilerplate (at the start, dropped)"))
            elif kicker and found.kicker is None and found.title is None:
                found.kicker = self._normalised(raw, kicker.group("text"), kicker.start("text"))
                self._record(raw, "kicker", found.kicker)
            elif title_label and found.title is None and not found.bylines:
                found.title = self._normalised(raw, title_label.group("text"), title_label.start("text"))
                self._record(raw, "title", found.title)
            elif found.subtitle is None and not found.bylines and (
                subtitle_label or (subtitle_dash and found.title is not None)
            ):
                part = subtitle_label or subtitle_dash
                if not subtitle_label:
                    self.report.changes.append(
                        Change(raw.line, 1, text[: part.start("text")], "", "subtitle-dash", excerpt=text[:12])
                    )
                found.subtitle = self._normalised(raw, part.group("text"), part.start("text"))
                self._record(raw, "subtitle", found.subtitle)
            elif (authors := parse_byline(text)) is not None:
                found.bylines.append(text)
                found.authors.extend(authors)
                self._record(raw, "byline", _authors_detail(authors))
            elif (credit := parse_credit_line(text)) is not None and not self._origin_taken(index, credit):
                self._add_credit(raw, credit)
            elif found.title is None and not found.bylines and self._is_title_at(index):
                found.title = self._normalised(raw, text, 0)
                self._record(raw, "title", found.title)
            else:
                return index
        return len(self.lines)

    def _is_title_at(self, index: int) -> bool:
        text = self.lines[index].text
        if not looks_like_title(text) or split_caption(text) or end_matter_kind(text):
            return False
        following = self.lines[index + 1].text if index + 1 < len(self.lines) else ""
        announces_more = bool(
            SUBTITLE_DASH_RE.match(following)
            or SUBTITLE_LABEL_RE.match(following)
            or parse_byline(following) is not None
        )
        return announces_more or (len(text) <= 30 and not any(ch in "，,；;" for ch in text))

    # -- tail ------------------------------------------------------------------
    def _tail_start(self, body_start: int) -> int:
        """Index of the first line of the end matter: bylines, editors, source notes, `（完）`, footers."""
        index = len(self.lines)
        if self.recommend_index is not None and self.recommend_index >= body_start:
            index = self.recommend_index  # `👇 往期推荐 👇` and the account's list of articles after it
        while index > body_start and self._is_end_matter(index - 1):
            index -= 1
        return index

    def _is_end_matter(self, index: int) -> bool:
        text = self.lines[index].text
        credit = parse_credit_line(text)
        if credit is not None:
            return not (credit.origin and index != self.origin_index)
        return bool(end_matter_kind(text)) or (split_caption(text) is None and parse_byline(text) is not None)

    # -- body ----------------------------------------------------------------
    def _body_line(self, index: int, raw: RawLine) -> None:
        text = raw.text
        in_tail = index >= self.tail_start
        end_kind = end_matter_kind(text) if in_tail else None
        if end_kind:
            self._drop_end_matter(raw, end_kind)
            return
        credit = parse_credit_line(text)
        # After the account's list starts, everything but the article's own credit lines is the list's
        # (a second source note there would otherwise be kept as text after dropped end matter).
        in_list = self.recommend_index is not None and index >= self.recommend_index
        if in_list and (credit is None or self._origin_taken(index, credit)):
            self._drop_end_matter(raw, "recommendations" if index > self.recommend_index else "recommendations-mark")
            return
        if credit is not None and self._origin_taken(index, credit):
            self.report.warnings.append(_("line {line} has another source note; only the first one is used, and "
                                          "this line is kept as text").format(line=raw.line))
            self._add_paragraph(raw, is_last=False)
            return
        if credit is not None:
            self._add_credit(raw, credit)
            return
        note = parse_note(text) if not in_tail else None
        if note is not None:
            self._add_note(raw, note)
            return
        if AUTHOR_LINE_RE.match(text) and (authors := parse_byline(text)) is not None:
            self._add_body_byline(raw, authors)  # `文/ X  图/ Y`, `文丨X`: no photo credit
            return
        caption = split_caption(text)
        if caption is not None:
            self._add_photo(raw, caption)
            return
        authors = parse_byline(text) if in_tail or is_framed(text) else None
        if authors is not None:
            self._add_body_byline(raw, authors)
            return
        if self.note_open and not in_tail:
            self._add_note_paragraph(raw, is_last=index == self.tail_start - 1)
            return
        if not self._add_heading(raw):
            self._add_paragraph(raw, is_last=index == self.tail_start - 1)

    def _origin_taken(self, index: int, credit: CreditLine) -> bool:
        """The line names a source but the article has one already (it is then kept as text)."""
        return credit.origin is not None and (self.found.origin is not None or index != self.origin_index)

    def _add_heading(self, raw: RawLine) -> bool:
        prefix, core, suffix = split_head_decoration(raw.text)
        if not looks_like_heading(core, marked=bool(prefix or suffix)):
            return False
        for removed, column in ((prefix, 1), (suffix, len(raw.text) - len(suffix) + 1)):
            if removed:
                self.report.changes.append(
                    Change(raw.line, column, removed, "", "head-marker", excerpt=raw.text[:12])
                )
        heading = self._normalised(raw, core, len(prefix))
        self.found.blocks.append(Block("heading", heading, raw.line))
        self._record(raw, "heading", "" if heading == raw.text else heading)
        return True

    def _add_note(self, raw: RawLine, note: Note) -> None:
        """`【编者按】…`, `编后：…`: a note block; a label alone opens the note that follows it."""
        self.note_open = ("rest" if note.after_the_story else "next") if not note.text else None
        text = self._normalised(raw, raw.text, 0)
        self.found.blocks.append(Block("note", text, raw.line))
        self._record(raw, "note", _("{note} (a block of its own; the layout may set it apart)").format(
            note=note.name))

    def _add_note_paragraph(self, raw: RawLine, is_last: bool) -> None:
        if self.note_open == "next":
            self.note_open = None
        text = self._without_end_mark(raw) if is_last else raw.text
        self.found.blocks.append(Block("note", self._normalised(raw, text, 0), raw.line))
        self._record(raw, "note", _("text of the editor's note"))

    def _add_paragraph(self, raw: RawLine, is_last: bool) -> None:
        text = self._without_end_mark(raw) if is_last else raw.text
        paragraph = self._normalised(raw, text, 0)
        is_lede = not any(block.kind == "paragraph" for block in self.found.blocks)
        self.found.blocks.append(Block("paragraph", paragraph, raw.line))
        details, kind = [], "paragraph"
        dateline = parse_dateline(text) if is_lede else None
        for authors, where in ((dateline, N_("byline in the dateline: {authors}")),
                               (parse_trailing_byline(text), N_("byline at the end of the paragraph: {authors}"))):
            if authors is not None:
                kind = "byline-in-text"
                details.append(_(where).format(authors=_("; ").join(describe_author(a) for a in authors)))
                self._add_authors(authors, raw, in_text=True)
                self.found.authors_in_text = True
        origin = parse_origin(paragraph)
        if origin is not None:
            kind = "origin"
            details.append(self._take_origin(raw, origin))
        if end_matter_kind(text):
            self.report.warnings.append(_("line {line} “{text}” is not at the end; kept as text, please check").format(
                line=raw.line, text=text))
        self._record(raw, kind, _("; ").join(details))

    def _without_end_mark(self, raw: RawLine) -> str:
        """The last paragraph without a closing `（完）` / `—END—`, which is recorded as a change."""
        mark = INLINE_END_MARK_RE.search(raw.text)
        if not mark or not mark.start():
            return raw.text
        self.report.changes.append(
            Change(raw.line, mark.start() + 1, mark.group(), "", "end-mark", excerpt=raw.text[-12:])
        )
        return raw.text[: mark.start()]

    def _take_origin(self, raw: RawLine, origin: Origin) -> str:
        if self.found.origin is None:
            self.found.origin = origin
            return _("origin: {origin}").format(origin=describe_origin(origin))
        self.report.warnings.append(_("line {line} has another origin or source note; only the first one is "
                                      "used").format(line=raw.line))
        return _("origin (not used): {origin}").format(origin=describe_origin(origin))

    def _add_authors(self, authors: list[Author], raw: RawLine, in_text: bool = False) -> bool:
        """Add the authors not known yet; False when all of them were."""
        known = {(a.name, a.role, a.org) for a in self.found.authors}
        new = [a for a in authors if (a.name, a.role, a.org) not in known]
        self.found.authors.extend(new)
        if in_text and new:
            self.report.warnings.append(_(
                "line {line}: the byline in the text is recorded in authors and the text is left as it is; with no "
                "byline line of its own the article says byline: false, so the byline is not printed again under "
                "the title; please check").format(line=raw.line))
        return bool(new)

    def _add_body_byline(self, raw: RawLine, authors: list[Author]) -> None:
        text = raw.text
        if is_framed(text):
            self.report.changes.append(
                Change(raw.line, 1, text[0] + text[-1], "", "byline-brackets", excerpt=text[:12])
            )
            text = text[1:-1].strip(SPACES)
        if not self._add_authors(authors, raw):
            self.report.warnings.append(_("line {line}: the byline repeats one above; please check").format(
                line=raw.line))
        if text not in self.found.bylines:
            self.found.bylines.append(text)
        self._record(raw, "byline", _authors_detail(authors))

    def _add_credit(self, raw: RawLine, credit: CreditLine) -> None:
        details = []
        if credit.editors:
            details.append(self._merge_editors(raw, credit.editors))
        if credit.origin:
            details.append(self._take_origin(raw, credit.origin))
        if credit.house:
            details.append(_("own source note “{note}” is no origin; removed").format(note=credit.house))
        if not credit.editors and not credit.origin:
            self._drop_end_matter(raw, "house-source")
            return
        if credit.house:
            self.report.changes.append(
                Change(raw.line, credit.house_column, credit.house, "", "house-source", excerpt=raw.text[:16])
            )
        self._record(raw, "editors" if credit.editors else "source", _("; ").join(details))

    def _merge_editors(self, raw: RawLine, editors: dict[str, str]) -> str:
        for role, value in editors.items():
            if role in self.found.editors:
                self.report.warnings.append(_("line {line}: {role} appears more than once; merged").format(
                    line=raw.line, role=role))
                value = f"{self.found.editors[role]}、{value}"
            self.found.editors[role] = value
        return _("; ").join(_("{role}: {names}").format(role=role, names=name) for role, name in editors.items())

    def _drop_end_matter(self, raw: RawLine, what: str) -> None:
        """Drop an end-matter line; `what` is an `end_matter_kind` or a key of END_MATTER_NAMES."""
        name = _(END_MATTER_NAMES[what]) if what in END_MATTER_NAMES else what
        record = LineRecord(raw.line, "end-matter", raw.text, _("{what} (at the end, dropped)").format(what=name))
        self.report.dropped.append(record)
        self.report.lines.append(record)

    def _add_photo(self, raw: RawLine, split: CaptionSplit) -> None:
        caption = self._normalised(raw, split.caption, 0) if split.caption else ""
        if not caption and self._caption_above(raw):
            above = self.found.blocks.pop()
            caption = above.text
            for record in self.report.lines:
                if record.line == above.line:
                    record.kind, record.detail = "photo", _("photo caption (its credit on the next line)")
        if split.brackets:
            self.report.changes.append(
                Change(raw.line, split.credit_start, split.brackets, "", "credit-brackets",
                       excerpt=raw.text[max(0, split.credit_start - 7) :])
            )
        if not caption:
            self.report.warnings.append(_("line {line} has a photo credit but no caption").format(line=raw.line))
        if not split.credit:
            self.report.warnings.append(_("line {line}: the photo has no credit (photographer); please "
                                          "check").format(line=raw.line))
        self.found.blocks.append(
            Block("photo", caption, raw.line, credit=split.credit, credit_names=split.names)
        )
        self._record(raw, "photo", _("caption: {caption} | credit: {credit} | photographer/supplier: {names}").format(
            caption=caption or _("(none)"), credit=split.credit, names=name_list(split.names)))

    def _caption_above(self, raw: RawLine) -> bool:
        """The paragraph just above is a caption (`图为…`) waiting for this credit line."""
        blocks = self.found.blocks
        return bool(blocks) and blocks[-1].kind == "paragraph" and blocks[-1].line == self._line_before(raw) \
            and CAPTION_LEAD_RE.match(blocks[-1].text) is not None

    def _line_before(self, raw: RawLine) -> int | None:
        index = next((i for i, line in enumerate(self.lines) if line is raw), 0)
        return self.lines[index - 1].line if index else None

    def _drop(self, raw: RawLine, kind: str, detail: str) -> None:
        record = LineRecord(raw.line, kind, raw.text, detail)
        self.report.dropped.append(record)
        self.report.lines.append(record)

    # -- helpers -------------------------------------------------------------
    def _normalised(self, raw: RawLine, text: str, offset: int) -> str:
        result, changes = normalize_text(text.strip(SPACES), raw.line, offset)
        self.report.changes.extend(changes)
        return result

    def _record(self, raw: RawLine, kind: str, detail: str = "") -> None:
        detail = "" if detail == raw.text else detail
        self.report.lines.append(LineRecord(raw.line, kind, raw.text, detail))


# What the report calls the end matter it drops: the kinds `end_matter_kind` tells (its Chinese names are
# data it returns) and the recogniser's own.
END_MATTER_NAMES = {
    "结束标记": N_("end mark"),
    "公众号引导语": N_("account boilerplate"),
    "recommendations": N_("recommended articles"),
    "recommendations-mark": N_("recommended-articles mark"),
    "house-source": N_("own source note"),
}


def _authors_detail(authors: list[Author]) -> str:
    """`authors: 张纪东 (通讯员, 克拉玛依融媒); …`, as the report shows a byline."""
    return _("authors: {authors}").format(authors=_("; ").join(describe_author(a) for a in authors))


# `文/ X  图/ Y`, `文丨X`: an author line, never a photo credit.
AUTHOR_LINE_RE = re.compile(r"^(?:文|图|文图|图文|摄影|撰文)[/／丨|｜:：]")
# A caption on its own line, its credit on the next: `图为园区数据中心机房。` + `中新网记者 X 摄`.
CAPTION_LEAD_RE = re.compile(r"^(?:图为|上图|下图|左图|右图|图[:：])")


def _recommendations_index(lines: list[RawLine], report: ImportReport) -> int | None:
    """Where a WeChat account's list of other articles (`👇 往期推荐 👇`) starts, if it is one.

    Only a list counts: every line after the marker a credit line or a short headline (no
    full stop). Otherwise the text after the marker is kept, with a warning.
    """
    for index, raw in enumerate(lines):
        if not is_recommendations(raw.text):
            continue
        rest = lines[index + 1:]
        if all(parse_credit_line(r.text) is not None or end_matter_kind(r.text)
               or (len(r.text) <= 40 and "。" not in r.text) for r in rest):
            return index
        report.warnings.append(_("line {line} “{text}” is followed by more text; not dropped as a list of "
                                 "recommended articles, please check").format(line=raw.line, text=raw.text))
    return None


def _first_origin_index(lines: list[RawLine]) -> int | None:
    """The line whose origin or source note is the article's: the first one (later ones stay text)."""
    for index, raw in enumerate(lines):
        credit = parse_credit_line(raw.text)
        if (credit is not None and credit.origin) or parse_origin(raw.text):
            return index
    return None


def recognise(lines: list[RawLine], report: ImportReport) -> Recognised:
    """Decide what every cleaned line is; record it in the report."""
    found = _Recogniser(lines, report).run()
    report.lines.sort(key=lambda record: record.line)
    report.dropped.sort(key=lambda record: record.line)
    report.changes.sort(key=lambda change: (change.line, change.column))
    return found
