"""What frames a line or a field: bullet markers, one pair of brackets, field separators."""

from __future__ import annotations

from ..model import SPACES

MARKERS = "■□●○◆◇▲△★☆▪▫◎※►▶◼◾•·"  # bullets before a head, byline or credit line
FIELD_SEPARATORS = ":：|｜丨"  # between a label and its value: `编辑：陈丽`, `编辑 | 陈丽`
# Taken off both ends of a value: spaces, clause punctuation and separators.
VALUE_TRIM = SPACES + "，,；;" + FIELD_SEPARATORS


def strip_frame(text: str) -> str:
    """Remove bullet markers at the start and one pair of brackets around the line."""
    text = text.lstrip(MARKERS + SPACES)
    pairs = {"（": "）", "(": ")", "【": "】", "[": "]", "〔": "〕"}
    if text and text[0] in pairs and text.endswith(pairs[text[0]]):
        text = text[1:-1].strip(SPACES)
    return text


def is_framed(text: str) -> bool:
    """The line is wrapped in one pair of brackets: `（记者 张三）`."""
    return len(text) >= 2 and text[0] in "（(【[〔" and text[-1] in "）)】]〕"
