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
FOOTER_RE = re.compile(
    r"阅读原文|关注我们|关注.{0,8}公众号|识别.{0,4}二维码|扫码关注|点个?在看|点赞.{0,3}在看|点击蓝字|蓝字关注"
    r"|设为?星标|分享.{0,3}点赞|长按.{0,6}关注"
)
# The list of other articles a WeChat account puts under a repost: everything after it goes.
RECOMMEND_RE = re.compile(r"^[^\w]*(?:往期推荐|推荐阅读|往期回顾|往期精彩|精彩推荐|精彩回顾|相关阅读|延伸阅读)[^\w]*$")


def is_recommendations(text: str) -> bool:
    """`👇 往期推荐 👇`, `▼ 推荐阅读`: the head of the account's list of other articles."""
    return bool(RECOMMEND_RE.match(text))


def end_matter_kind(text: str) -> str | None:
    """What kind of end remark the line is (`（完）`, `—END—`, `点击阅读原文`), else None."""
    if END_MARK_RE.match(text):
        return "结束标记"
    if len(text) <= 30 and FOOTER_RE.search(text):
        return "公众号引导语"
    return None
