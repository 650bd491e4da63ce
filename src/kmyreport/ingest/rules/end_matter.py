"""End matter: closing marks (`（完）`, `—END—`) and account footers (`点击阅读原文`)."""

from __future__ import annotations

import re

from ..model import SPACES

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
