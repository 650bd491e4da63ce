"""The article head: kicker (引题), title and subtitle (副题), labelled or not."""

from __future__ import annotations

import re

from ...cjk import is_han
from ..model import SPACES
from .heads import NUMBERED_HEAD_RE

KICKER_RE = re.compile(rf"^(?:引题|肩题)[{SPACES}]*[:：][{SPACES}]*(?P<text>.+)$")
TITLE_LABEL_RE = re.compile(rf"^(?:主标题|标题|主题|题目)[{SPACES}]*[:：][{SPACES}]*(?P<text>.+)$")
SUBTITLE_LABEL_RE = re.compile(rf"^(?:副标题|副题)[{SPACES}]*[:：][{SPACES}]*(?P<text>.+)$")
SUBTITLE_DASH_RE = re.compile(rf"^(?:——|—|--+|－－|――)[{SPACES}]*(?P<text>.+)$")


def looks_like_title(text: str) -> bool:
    """A headline: short, Chinese, no full stop, not a numbered section head."""
    return (
        2 <= len(text) <= 40
        and any(is_han(ch) for ch in text)
        and "。" not in text
        and text[-1] not in "，,、；;：:…"
        and not NUMBERED_HEAD_RE.match(text)
    )
