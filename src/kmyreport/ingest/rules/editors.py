"""Credit lines: editors (`责任编辑:陈丽 本期编辑:王若惟`, `编辑 | 陈丽`) and source notes (`来源：新疆日报`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...articles import Origin
from ..model import SPACES
from .bylines import NAME_RE
from .frame import FIELD_SEPARATORS, VALUE_TRIM, strip_frame
from .origin import parse_source_value

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
CREDIT_LABEL_RE = re.compile(
    rf"({'|'.join(sorted(EDITOR_ROLES + SOURCE_LABELS, key=len, reverse=True))})"
    rf"([{SPACES}]*[{FIELD_SEPARATORS}]?)"
)


@dataclass
class CreditLine:
    """A line of labelled fields at the end (or head) of the copy: editors and source notes."""

    editors: dict[str, str]
    origin: Origin | None = None
    house: str = ""  # an own-outlet source note as written (`来源：克拉玛依融媒`)
    house_column: int = 0  # 1-based column of `house` in the line


def parse_credit_line(text: str) -> CreditLine | None:
    """`责任编辑:陈丽 本期编辑:王若惟`, `编辑 | 陈丽`, `来源：新疆日报`, `来源：克拉玛依融媒 编辑：陈丽`."""
    body = strip_frame(text)
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
