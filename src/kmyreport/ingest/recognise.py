"""Step 3: decide what every cleaned line is.

The head (kicker, title, subtitle, bylines), the end matter, and each body
line as editor or source line, photo caption with credit, byline, section
head or paragraph (with origin notes and bylines in the text parsed out).
Text meant for print goes through `normalize.normalize_text`.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from ..cjk import IDEOGRAPH_CLASS, is_han
from ..normalize import MIDDLE_DOT, NAME_DOTS, Change, normalize_text
from .model import SPACES, Author, Block, RawLine, Recognised
from .report import ImportReport, LineRecord

DOTS = "·" + NAME_DOTS  # U+00B7 and its look-alikes U+30FB, U+2022, U+2027
NAME = rf"(?:[{IDEOGRAPH_CLASS}]{{1,10}}(?:[{DOTS}][{IDEOGRAPH_CLASS}]{{1,10}})+|[{IDEOGRAPH_CLASS}]{{2,6}})"
NAME_RE = re.compile(rf"^{NAME}$")
MARKERS = "■□●○◆◇▲△★☆▪▫◎※►▶◼◾•·"


BYLINE_ROLES = sorted(
    [
        "特约通讯员", "全媒体记者", "融媒体记者", "首席记者", "特约记者", "见习记者",
        "摄影记者", "融媒记者", "实习记者", "通讯员", "实习生", "记者", "摄影", "撰稿", "作者",
    ],
    key=len,
    reverse=True,
)
SHORT_ROLES = {"文", "图", "文图", "图文", "文/图", "摄"}  # only as a whole token
BYLINE_ROLE_RE = re.compile("|".join(BYLINE_ROLES))
ORG_RE = re.compile(rf"^[{IDEOGRAPH_CLASS}A-Za-z]{{1,15}}$")


def _strip_frame(text: str) -> str:
    """Remove bullet markers at the start and one pair of brackets around the line."""
    text = text.lstrip(MARKERS + SPACES)
    pairs = {"（": "）", "(": ")", "【": "】", "[": "]", "〔": "〕"}
    if text and text[0] in pairs and text.endswith(pairs[text[0]]):
        text = text[1:-1].strip(SPACES)
    return text


def _split_role(token: str) -> tuple[str | None, str, str] | None:
    """`克拉玛依融媒通讯员` → (克拉玛依融媒, 通讯员, ''); `本报记者张三` → (本报, 记者, 张三)."""
    if token in SHORT_ROLES:
        return None, token, ""
    match = BYLINE_ROLE_RE.search(token)
    if not match:
        return None
    org, role, rest = token[: match.start()], match.group(), token[match.end() :]
    for media in ("融媒体", "融媒"):
        if org and role.startswith(media) and role != media:
            org, role = org + media, role[len(media) :]
    if org and not ORG_RE.match(org):
        return None
    return org or None, role, rest


def parse_byline(text: str) -> list[Author] | None:
    """Authors from a byline line, or None when the line is not a byline."""
    body = _strip_frame(text)
    tokens = re.findall(rf"文[/／]图|[^{SPACES}、，,/／:：]+", body)
    groups: list[tuple[str | None, str, list[str]]] = []
    for token in tokens:
        split = _split_role(token.replace("／", "/"))
        if split:
            org, role, rest = split
            if groups and not groups[-1][2]:
                groups.pop()  # `文/图 克拉玛依融媒记者 陈晓东`: the role that follows says it
            groups.append((org, role, []))
            token = rest
            if not token:
                continue
        if not groups or not NAME_RE.match(token):
            return None
        groups[-1][2].append(_normal_name(token))
    if not groups or any(not names for _, _, names in groups):
        return None
    return [Author(name, role, org) for org, role, names in groups for name in names]


def _normal_name(name: str) -> str:
    """Names keep their middle dot, written as U+00B7."""
    return re.sub(f"[{NAME_DOTS}]", MIDDLE_DOT, name)


EDITOR_ROLES = sorted(
    [
        "责任编辑", "本期编辑", "值班编辑", "执行编辑", "美术编辑", "文字编辑", "图片编辑",
        "视频编辑", "新媒体编辑", "副总编辑", "总编辑", "编辑", "责编", "美编", "编审", "校对",
        "审校", "审核", "审稿", "初审", "复审", "终审", "一审", "二审", "三审", "监制", "统筹",
        "策划", "主编", "签发",
    ],
    key=len,
    reverse=True,
)
# Labels of a source note on a line of its own: `来源：新疆日报`, `转自《克拉玛依日报》…`.
SOURCE_LABELS = ["稿件来源", "信息来源", "文章来源", "新闻来源", "来源", "本文转自", "转载自", "转自", "摘自", "选自"]
# Our own outlet: `来源：克拉玛依融媒` is no reprint note and is not printed.
HOUSE_SOURCES = ("克拉玛依融媒", "本报", "本台", "本网")
FIELD_SEPARATORS = ":：|｜丨"
CREDIT_LABEL_RE = re.compile(
    rf"({'|'.join(sorted(EDITOR_ROLES + SOURCE_LABELS, key=len, reverse=True))})"
    rf"([{SPACES}]*[{FIELD_SEPARATORS}]?)"
)
VALUE_TRIM = SPACES + "，,；;" + FIELD_SEPARATORS


@dataclass
class CreditLine:
    """A line of labelled fields at the end (or head) of the copy: editors and source notes."""

    editors: dict[str, str]
    origin: dict | None = None
    house: str = ""  # an own-outlet source note as written (`来源：克拉玛依融媒`)
    house_column: int = 0  # 1-based column of `house` in the line


def parse_credit_line(text: str) -> CreditLine | None:
    """`责任编辑:陈丽 本期编辑:王若惟`, `编辑 | 陈丽`, `来源：新疆日报`, `来源：克拉玛依融媒 编辑：陈丽`."""
    body = _strip_frame(text)
    matches = list(CREDIT_LABEL_RE.finditer(body))
    if not matches or matches[0].start() != 0:
        return None
    found = CreditLine(editors={})
    for match, following in zip(matches, matches[1:] + [None]):
        end = following.start() if following else len(body)
        label, separator, value = match.group(1), match.group(2), body[match.end() : end].strip(VALUE_TRIM)
        if label not in SOURCE_LABELS:
            if not _add_editor_field(found.editors, label, value):
                return None
        elif not separator.strip(SPACES) and not value.startswith("《"):
            return None  # `来源于…`, `选自全市…`: running text, not a note
        elif value.startswith(HOUSE_SOURCES) and not found.house:
            found.house = body[match.start() : end].rstrip(SPACES)
            found.house_column = text.find(body) + match.start() + 1
        elif found.origin is None and (origin := parse_source_value(value)) is not None:
            found.origin = origin
        else:
            return None
    return found


def _add_editor_field(editors: dict[str, str], role: str, value: str) -> bool:
    names = [n for n in re.split(rf"[{SPACES}、，,]+", value) if n]
    if not names or not all(NAME_RE.match(n) for n in names):
        return False
    editors[role] = f"{editors[role]}、{value}" if role in editors else value
    return True


def parse_editors(text: str) -> dict[str, str] | None:
    """`责任编辑:陈丽 本期编辑:王若惟` → {责任编辑: 陈丽, 本期编辑: 王若惟}, else None."""
    found = parse_credit_line(text)
    if found is None or not found.editors or found.origin or found.house:
        return None
    return found.editors


def parse_source_value(value: str) -> dict | None:
    """`新疆日报`, `《克拉玛依日报》2024年7月18日第3版` → {publication, date, page}; None for prose.

    Nothing else may be on the line: whatever is not the publication, a date or a page
    would be lost in the front matter.
    """
    rest = value
    for pattern in [re.compile(r"《[^》]+》")] + DATE_RES + [PAGE_RE]:
        rest = pattern.sub(" ", rest, count=1)
    rest = rest.strip(VALUE_TRIM)
    book = re.search(r"《([^》]+)》", value)
    if book:
        publication = book.group(1).strip(SPACES)
        if rest or not publication:
            return None
    else:
        publication = rest
        if not 2 <= len(publication) <= 20 or re.search(r"[。，,；;！？!?：:（）()《》\s\u3000]", publication):
            return None
    return {"publication": publication, "date": _origin_date(value), "page": _origin_page(value)}


@dataclass
class CaptionSplit:
    caption: str  # text before the credit, trimmed
    credit: str  # credit as printed
    names: list[str]  # the people (or organisation) credited
    credit_start: int  # column (0-based) where the credit starts in the line
    brackets: str = ""  # brackets that framed the credit and were taken off


CLAUSE_BOUNDARY = "。！？!?；;…”’）)》】"


def split_caption(text: str) -> CaptionSplit | None:
    """Cut a photo caption line into caption and credit, or None if no credit ends it."""
    bracketed = re.search(r"[（(]([^（）()]{1,60})[）)]$", text)
    if bracketed:
        inner = bracketed.group(1).strip(SPACES)
        credit = _credit_only(inner)
        if credit is not None:
            return CaptionSplit(
                text[: bracketed.start()].rstrip(SPACES), inner, credit, bracketed.start() + 1,
                brackets=text[bracketed.start()] + text[-1],
            )
    for finder in CREDIT_FINDERS:
        found = finder(text)
        if found:
            start, names = found
            return CaptionSplit(text[:start].rstrip(SPACES), text[start:], names, start)
    return None


def _credit_only(text: str) -> list[str] | None:
    """The names when the whole of `text` is a credit (used inside brackets)."""
    for finder in CREDIT_FINDERS:
        found = finder(text)
        if found and found[0] == 0:
            return found[1]
    return None


_SUPPLIED_RE = re.compile(
    rf"(?:^|(?<=[{CLAUSE_BOUNDARY}])|[{SPACES}]+)"
    rf"(?:(?:图片|照片|图)由(?P<org>[^{SPACES}，,。]{{2,20}}?)提供|资料(?:图片|照片|图))$"
)


def _credit_supplied(text: str) -> tuple[int, list[str]] | None:
    """`（图片由克拉玛依市文旅局提供）`, `…。资料图`: supplied or archive photos."""
    match = _SUPPLIED_RE.search(text)
    if not match:
        return None
    start = match.start() + len(match.group()) - len(match.group().lstrip(SPACES))
    return start, [match.group("org")] if match.group("org") else []


_LEADING_MARKER_RE = re.compile(
    rf"(?:(?<![{IDEOGRAPH_CLASS}])图|图片|摄影|摄)[{SPACES}]*[/／:：][{SPACES}]*"
    rf"(?P<names>{NAME}(?:[{SPACES}、，,]+{NAME})*)[{SPACES}]*$"
)


def _credit_with_leading_marker(text: str) -> tuple[int, list[str]] | None:
    """`图/张三`, `摄影：李四` at the end of the line."""
    match = _LEADING_MARKER_RE.search(text)
    if not match:
        return None
    return match.start(), _names_in(match.group("names"))


_TRAILING_MARKER_RE = re.compile(rf"[{SPACES}]*[/／]?[{SPACES}]*(?P<marker>摄|供图)$")


def _credit_with_trailing_marker(text: str) -> tuple[int, list[str]] | None:
    """`… 克拉玛依融媒通讯员 田治民 摄`, `… 张三/摄`, `… 区委宣传部 供图` at the end."""
    match = _TRAILING_MARKER_RE.search(text)
    if not match:
        return None
    before = text[: match.start()]
    found = _role_subject(before) or _name_subject(before)
    if not found and match.group("marker") == "供图":
        found = _organisation_subject(before)
    return found


def _role_subject(before: str) -> tuple[int, list[str]] | None:
    """`…。克拉玛依融媒通讯员 田治民` → start of `克拉玛依融媒`, [田治民]; several roles chain."""
    start, names, end = None, [], len(before)
    for role in reversed(list(BYLINE_ROLE_RE.finditer(before))):
        if role.end() > end:
            continue
        group_names = _names_in(before[role.end() : end].strip(SPACES + ":：/／"))
        if not group_names:
            break
        start, names = _organisation_start(before, role.start()), group_names + names
        end = start
    return (start, names) if start is not None else None


def _organisation_start(text: str, role_start: int) -> int:
    """Where the organisation glued before a role word begins (at most 15 characters back)."""
    start = role_start
    while start > 0 and _is_word_char(text[start - 1]):
        start -= 1
    return start if role_start - start <= 15 else role_start


def _is_word_char(ch: str) -> bool:
    return is_han(ch) or (ch.isascii() and ch.isalpha())


def _name_subject(before: str) -> tuple[int, list[str]] | None:
    """Names after the last sentence end (`…举行。张三 李四`), else one name after a space."""
    cut = max(before.rfind(ch) for ch in CLAUSE_BOUNDARY)
    if cut >= 0:
        tail = before[cut + 1 :]
        names = _names_in(tail.strip(SPACES))
        if names:
            return cut + 1 + len(tail) - len(tail.lstrip(SPACES)), names
        return None
    last = re.search(rf"(?:^|[{SPACES}])({NAME})[{SPACES}]*$", before)
    if last:
        return last.start(1), [_normal_name(last.group(1))]
    return None


def _organisation_subject(before: str) -> tuple[int, list[str]] | None:
    """`…。克拉玛依区委宣传部` before 供图: the last clause, if short."""
    cut = max(before.rfind(ch) for ch in CLAUSE_BOUNDARY + SPACES)
    tail = before[cut + 1 :].strip(SPACES)
    if 2 <= len(tail) <= 20 and any(is_han(ch) for ch in tail):
        return cut + 1, [tail]
    return None


def _names_in(text: str) -> list[str]:
    """All names in `text` when it is nothing but names, else []."""
    names = [n for n in re.split(rf"[{SPACES}、，,]+", text) if n]
    if names and all(NAME_RE.match(n) and not BYLINE_ROLE_RE.search(n) for n in names):
        return [_normal_name(n) for n in names]
    return []


CREDIT_FINDERS = (_credit_with_leading_marker, _credit_with_trailing_marker, _credit_supplied)

ORIGIN_RE = re.compile(r"[（(]?[^（(]{0,6}(?:原载|原刊|刊载于|刊发于)[^（）()]*《[^》]+》[^（）()]*[）)]?$")
DATE_RES = [
    re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})"),
]
PAGE_RE = re.compile(r"第\s*([A-Za-z]?\d{1,3}|[一二三四五六七八九十]{1,3})\s*版|\b([A-Z]\d{1,2})\s*版")


def parse_origin(text: str) -> dict | None:
    """`…。（本文原载于2024年7月16日《新疆日报》第5版）` → {publication, date, page}."""
    match = ORIGIN_RE.search(text)
    if not match:
        return None
    note = match.group()
    publication = re.search(r"《([^》]+)》", note).group(1)
    return {"publication": publication, "date": _origin_date(note), "page": _origin_page(note)}


def _origin_date(note: str) -> str | None:
    for date_re in DATE_RES:
        found = date_re.search(note)
        if found:
            try:
                return _dt.date(*map(int, found.groups())).isoformat()
            except ValueError:
                return None
    return None


def _origin_page(note: str) -> str | None:
    page_match = PAGE_RE.search(note)
    return re.sub(r"\s+", "", page_match.group()) if page_match else None


NUMBERED_HEAD_RE = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|[（(][一二三四五六七八九十百\d]+[）)]|\d{1,2}[.．、](?!\d)"
    r"|第[一二三四五六七八九十百\d]+[部分章节篇])"
)
SENTENCE_PUNCT = "。！？；!?;"


def looks_like_heading(text: str, marked: bool = False) -> bool:
    """Short, no sentence punctuation, not ending like a sentence; numbered or marked heads may be longer.

    `marked`: the line had a bullet (■ ◆) or bold `**…**` around it, or starts with a `【…】` label.
    A line that is only a quotation (`“加油”`) or an end or footer remark is never a head.
    """
    if len(text) < 2 or not any(is_han(ch) for ch in text):
        return False
    if any(ch in SENTENCE_PUNCT for ch in text) or text[-1] in "，,、：:…—":
        return False
    if is_quotation(text) or end_matter_kind(text):
        return False
    if marked or text.startswith("【") or NUMBERED_HEAD_RE.match(text):
        return len(text) <= 30
    return len(text) <= 20 and not any(ch in "，," for ch in text)


def is_quotation(text: str) -> bool:
    """The whole line is one quotation: `“加油”`, `"好"`, `「…」`."""
    return len(text) >= 2 and text[0] in "“\"「『‘'" and text[-1] in "”\"」』’'"


HEAD_BOLD_RE = re.compile(r"^(\*\*|__)(?=\S)(.+?)(?<=\S)\1$")


def split_head_decoration(text: str) -> tuple[str, str, str]:
    """`■ 牢牢把握主线` → ('■ ', '牢牢把握主线', ''); `**（一）xx**` → ('**', '（一）xx', '**')."""
    bold = HEAD_BOLD_RE.match(text)
    wrap = bold.group(1) if bold else ""
    inner = text[len(wrap) : len(text) - len(wrap)]
    core = inner.lstrip(MARKERS + SPACES).rstrip(SPACES)
    prefix = text[: len(text) - len(wrap) - len(inner.lstrip(MARKERS + SPACES))]
    return prefix, core, text[len(prefix) + len(core) :]


END_MARK_RE = re.compile(
    rf"^[{SPACES}\-—－–_=~*·]*[（(【\[〔]?(?:全文完|完|END|End|end)[）)】\]〕]?[{SPACES}\-—－–_=~*·]*$"
)
INLINE_END_MARK_RE = re.compile(
    rf"[{SPACES}]*(?:[（(](?:全文)?完[）)]|[—\-－]+[{SPACES}]*END[{SPACES}]*[—\-－]+)$"
)
FOOTER_RE = re.compile(r"阅读原文|关注我们|关注.{0,8}公众号|识别.{0,4}二维码|扫码关注|点个?在看|点赞.{0,3}在看")


def end_matter_kind(text: str) -> str | None:
    """What kind of end remark the line is (`（完）`, `—END—`, `点击阅读原文`), else None."""
    if END_MARK_RE.match(text):
        return "结束标记"
    if len(text) <= 30 and FOOTER_RE.search(text):
        return "公众号引导语"
    return None


DATELINE_RE = re.compile(
    rf"^(?P<agency>[^（(，,。：:{SPACES}]{{2,24}}?(?:讯|电))[{SPACES}]*[（(](?P<byline>[^（）()]{{2,60}})[）)]"
)
TRAILING_BYLINE_RE = re.compile(r"(?<=.)[（(](?P<byline>[^（）()]{2,60})[）)]$")


def parse_dateline(text: str) -> list[Author] | None:
    """`本报讯（记者 王某）7月20日，…` → the authors in the brackets after the dateline."""
    match = DATELINE_RE.match(text)
    return parse_byline(match.group("byline")) if match else None


def parse_trailing_byline(text: str) -> list[Author] | None:
    """`…发展。（记者 张三 通讯员 李四）` → the authors in the closing brackets of a paragraph."""
    match = TRAILING_BYLINE_RE.search(text)
    return parse_byline(match.group("byline")) if match else None


def is_framed(text: str) -> bool:
    """The line is wrapped in one pair of brackets: `（记者 张三）`."""
    return len(text) >= 2 and text[0] in "（(【[〔" and text[-1] in "）)】]〕"


def looks_like_title(text: str) -> bool:
    """A headline: short, Chinese, no full stop, not a numbered section head."""
    return (
        2 <= len(text) <= 40
        and any(is_han(ch) for ch in text)
        and "。" not in text
        and text[-1] not in "，,、；;：:…"
        and not NUMBERED_HEAD_RE.match(text)
    )


KICKER_RE = re.compile(rf"^(?:引题|肩题)[{SPACES}]*[:：][{SPACES}]*(?P<text>.+)$")
TITLE_LABEL_RE = re.compile(rf"^(?:主标题|标题|主题|题目)[{SPACES}]*[:：][{SPACES}]*(?P<text>.+)$")
SUBTITLE_LABEL_RE = re.compile(rf"^(?:副标题|副题)[{SPACES}]*[:：][{SPACES}]*(?P<text>.+)$")
SUBTITLE_DASH_RE = re.compile(rf"^(?:——|—|--+|－－|――)[{SPACES}]*(?P<text>.+)$")


# ---------------------------------------------------------------------------
# 3b. Putting the recognisers together
# ---------------------------------------------------------------------------


class _Recogniser:
    def __init__(self, lines: list[RawLine], report: ImportReport) -> None:
        self.lines = lines
        self.report = report
        self.found = Recognised()
        self.tail_start = len(lines)
        self.origin_index = _first_origin_index(lines)

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
            if kicker and found.kicker is None and found.title is None:
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
                self._record(raw, "byline", "作者：" + "；".join(_describe_author(a) for a in authors))
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
        if credit is not None and self._origin_taken(index, credit):
            self.report.warnings.append(f"第{raw.line}行又有一条来源说明，只采用了第一条；这一行按正文保留")
            self._add_paragraph(raw, is_last=False)
            return
        if credit is not None:
            self._add_credit(raw, credit)
            return
        caption = split_caption(text)
        if caption is not None:
            self._add_photo(raw, caption)
            return
        authors = parse_byline(text) if in_tail or is_framed(text) else None
        if authors is not None:
            self._add_body_byline(raw, authors)
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

    def _add_paragraph(self, raw: RawLine, is_last: bool) -> None:
        text = self._without_end_mark(raw) if is_last else raw.text
        paragraph = self._normalised(raw, text, 0)
        is_lede = not any(block.kind == "paragraph" for block in self.found.blocks)
        self.found.blocks.append(Block("paragraph", paragraph, raw.line))
        details, kind = [], "paragraph"
        dateline = parse_dateline(text) if is_lede else None
        for authors, where in ((dateline, "电头"), (parse_trailing_byline(text), "段末")):
            if authors is not None:
                kind = "byline-in-text"
                details.append(f"{where}署名：" + "；".join(_describe_author(a) for a in authors))
                self._add_authors(authors, raw, in_text=True)
                self.found.authors_in_text = True
        origin = parse_origin(paragraph)
        if origin is not None:
            kind = "origin"
            details.append(self._take_origin(raw, origin))
        if end_matter_kind(text):
            self.report.warnings.append(f"第{raw.line}行“{text}”不在文末，已按正文保留，请核对")
        self._record(raw, kind, "；".join(details))

    def _without_end_mark(self, raw: RawLine) -> str:
        """The last paragraph without a closing `（完）` / `—END—`, which is recorded as a change."""
        mark = INLINE_END_MARK_RE.search(raw.text)
        if not mark or not mark.start():
            return raw.text
        self.report.changes.append(
            Change(raw.line, mark.start() + 1, mark.group(), "", "end-mark", excerpt=raw.text[-12:])
        )
        return raw.text[: mark.start()]

    def _take_origin(self, raw: RawLine, origin: dict) -> str:
        if self.found.origin is None:
            self.found.origin = origin
            return "原载：" + _describe_origin(origin)
        self.report.warnings.append(f"第{raw.line}行又有一条原载或来源说明，只采用了第一条")
        return "原载（未采用）：" + _describe_origin(origin)

    def _add_authors(self, authors: list[Author], raw: RawLine, in_text: bool = False) -> bool:
        """Add the authors not known yet; False when all of them were."""
        known = {(a.name, a.role, a.org) for a in self.found.authors}
        new = [a for a in authors if (a.name, a.role, a.org) not in known]
        self.found.authors.extend(new)
        if in_text and new:
            self.report.warnings.append(
                f"第{raw.line}行正文中的署名已记入 authors，正文保持原样；"
                "没有单独的署名行时写 byline: false，标题下不再重复印出署名，请核对"
            )
        return bool(new)

    def _add_body_byline(self, raw: RawLine, authors: list[Author]) -> None:
        text = raw.text
        if is_framed(text):
            self.report.changes.append(
                Change(raw.line, 1, text[0] + text[-1], "", "byline-brackets", excerpt=text[:12])
            )
            text = text[1:-1].strip(SPACES)
        if not self._add_authors(authors, raw):
            self.report.warnings.append(f"第{raw.line}行的署名与前面的署名重复，请核对")
        if text not in self.found.bylines:
            self.found.bylines.append(text)
        self._record(raw, "byline", "作者：" + "；".join(_describe_author(a) for a in authors))

    def _add_credit(self, raw: RawLine, credit: CreditLine) -> None:
        details = []
        if credit.editors:
            details.append(self._merge_editors(raw, credit.editors))
        if credit.origin:
            details.append(self._take_origin(raw, credit.origin))
        if credit.house:
            details.append(f"本台来源“{credit.house}”不作原载说明，已删除")
        if not credit.editors and not credit.origin:
            self._drop_end_matter(raw, "本台来源说明")
            return
        if credit.house:
            self.report.changes.append(
                Change(raw.line, credit.house_column, credit.house, "", "house-source", excerpt=raw.text[:16])
            )
        self._record(raw, "editors" if credit.editors else "source", "；".join(details))

    def _merge_editors(self, raw: RawLine, editors: dict[str, str]) -> str:
        for role, value in editors.items():
            if role in self.found.editors:
                self.report.warnings.append(f"第{raw.line}行：{role}出现不止一次，已合并")
                value = f"{self.found.editors[role]}、{value}"
            self.found.editors[role] = value
        return "；".join(f"{role}：{name}" for role, name in editors.items())

    def _drop_end_matter(self, raw: RawLine, what: str) -> None:
        record = LineRecord(raw.line, "end-matter", raw.text, f"{what}（文末，已删除）")
        self.report.dropped.append(record)
        self.report.lines.append(record)

    def _add_photo(self, raw: RawLine, split: CaptionSplit) -> None:
        caption = self._normalised(raw, split.caption, 0) if split.caption else ""
        if split.brackets:
            self.report.changes.append(
                Change(raw.line, split.credit_start, split.brackets, "", "credit-brackets",
                       excerpt=raw.text[max(0, split.credit_start - 7) :])
            )
        if not caption:
            self.report.warnings.append(f"第{raw.line}行只有图片署名，没有说明文字")
        self.found.blocks.append(
            Block("photo", caption, raw.line, credit=split.credit, credit_names=split.names)
        )
        self._record(
            raw, "photo", f"说明：{caption or '（无）'} ｜ 署名：{split.credit} ｜ 摄影/供图：{'、'.join(split.names)}"
        )

    # -- helpers -------------------------------------------------------------
    def _normalised(self, raw: RawLine, text: str, offset: int) -> str:
        result, changes = normalize_text(text.strip(SPACES), raw.line, offset)
        self.report.changes.extend(changes)
        return result

    def _record(self, raw: RawLine, kind: str, detail: str = "") -> None:
        detail = "" if detail == raw.text else detail
        self.report.lines.append(LineRecord(raw.line, kind, raw.text, detail))


def _first_origin_index(lines: list[RawLine]) -> int | None:
    """The line whose origin or source note is the article's: the first one (later ones stay text)."""
    for index, raw in enumerate(lines):
        credit = parse_credit_line(raw.text)
        if (credit is not None and credit.origin) or parse_origin(raw.text):
            return index
    return None


def _describe_author(author: Author) -> str:
    extra = "，".join(x for x in (author.role, author.org) if x)
    return f"{author.name}（{extra}）"


def _describe_origin(origin: dict) -> str:
    return "，".join(
        f"{label}{origin[key]}"
        for key, label in (("publication", "报刊："), ("date", "日期："), ("page", "版次："))
        if origin.get(key)
    )


def recognise(lines: list[RawLine], report: ImportReport) -> Recognised:
    """Decide what every cleaned line is; record it in the report."""
    found = _Recogniser(lines, report).run()
    report.lines.sort(key=lambda record: record.line)
    report.dropped.sort(key=lambda record: record.line)
    report.changes.sort(key=lambda change: (change.line, change.column))
    return found
