"""Section heads: short lines without sentence punctuation, maybe numbered, bulleted or bold."""

from __future__ import annotations

import re

from ...cjk import is_han
from ..model import SPACES
from .end_matter import end_matter_kind
from .frame import MARKERS

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
