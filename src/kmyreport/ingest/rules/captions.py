"""Photo captions and their credits (`… 克拉玛依融媒通讯员 田治民 摄`, `图/赵磊`, `（图片由…提供）`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...cjk import IDEOGRAPH_CLASS, is_han
from ..model import SPACES
from .bylines import BYLINE_ROLE_RE, NAME, names_in, normal_name


@dataclass
class CaptionSplit:
    caption: str  # text before the credit, trimmed
    credit: str  # credit as printed
    names: list[str]  # the people (or organisation) credited
    credit_start: int  # column (0-based) where the credit starts in the line
    brackets: str = ""  # brackets that framed the credit and were taken off


CLAUSE_BOUNDARY = "。！？!?；;…”’）)》】"


SHOT_ON_RE = re.compile(rf"[{SPACES}]*[（(]摄于[^（）()]{{1,40}}[）)]$")
# `新华社发（王晨阳 摄）`: an agency's photo, credited as a whole (the agency is no caption).
ISSUED_RE = re.compile(rf"(?:^|(?<=[{CLAUSE_BOUNDARY}])|[{SPACES}]+)(?P<agency>[^{SPACES}，,。、；;：:]{{2,12}}发)$")
# `本报记者 马晓宇 摄 2023年4月20日，…`: the credit first, the caption after it (photo essays).
CREDIT_FIRST_RE = re.compile(
    rf"^(?P<credit>[{IDEOGRAPH_CLASS}]{{0,12}}?(?:{BYLINE_ROLE_RE.pattern})[{SPACES}]*"
    rf"(?P<names>{NAME}(?:[{SPACES}、]+{NAME})*)[{SPACES}]*[/／]?摄)[{SPACES}]+(?P<caption>\S.*)$"
)


def split_caption(text: str) -> CaptionSplit | None:
    """Cut a photo caption line into caption and credit, or None if it is no caption.

    The credit ends the line (`… 田治民 摄`, `（X 摄）`, `图/X`, `新华社发（X 摄）`) or, in
    photo essays, starts it (`本报记者 X 摄 2023年4月20日，…`). A `（摄于…）` note at the end
    stays with the caption, and marks a caption even without a credit.
    """
    shot_on = SHOT_ON_RE.search(text)
    if shot_on:
        split = split_caption(text[: shot_on.start()]) if shot_on.start() else None
        note = text[shot_on.start():].strip(SPACES)
        if split is None:
            return CaptionSplit(text, "", [], len(text))
        split.caption += note
        return split
    first = CREDIT_FIRST_RE.match(text)
    if first and not names_in(first.group("caption")):
        return CaptionSplit(first.group("caption"), first.group("credit"), names_in(first.group("names")), 0)
    bracketed = re.search(r"[（(]([^（）()]{1,60})[）)]$", text)
    if bracketed:
        inner = bracketed.group(1).strip(SPACES)
        credit = _credit_only(inner)
        if credit is not None:
            issued = ISSUED_RE.search(text[: bracketed.start()].rstrip(SPACES))
            if issued:
                start = issued.start("agency")
                return CaptionSplit(text[:start].rstrip(SPACES), text[start:], credit, start)
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
    return match.start(), names_in(match.group("names"))


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
        group_names = names_in(before[role.end() : end].strip(SPACES + ":：/／"))
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
        names = names_in(tail.strip(SPACES))
        if names:
            return cut + 1 + len(tail) - len(tail.lstrip(SPACES)), names
        return None
    last = re.search(rf"(?:^|[{SPACES}])({NAME})[{SPACES}]*$", before)
    if last:
        return last.start(1), [normal_name(last.group(1))]
    return None


def _organisation_subject(before: str) -> tuple[int, list[str]] | None:
    """`…。克拉玛依区委宣传部` before 供图: the last clause, if short."""
    cut = max(before.rfind(ch) for ch in CLAUSE_BOUNDARY + SPACES)
    tail = before[cut + 1 :].strip(SPACES)
    if 2 <= len(tail) <= 20 and any(is_han(ch) for ch in tail):
        return cut + 1, [tail]
    return None


CREDIT_FINDERS = (_credit_with_leading_marker, _credit_with_trailing_marker, _credit_supplied)
