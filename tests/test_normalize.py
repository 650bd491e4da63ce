"""Tests for kmyreport.normalize: punctuation in Chinese context, every change recorded."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kmyreport.normalize import IDEOGRAPHIC_SPACE, normalize_text


def norm(text: str) -> str:
    return normalize_text(text, 1)[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("近年来,克拉玛依市", "近年来，克拉玛依市"),
        ("实现全覆盖;组织队伍", "实现全覆盖；组织队伍"),
        ("他说:好", "他说：好"),
        ("真好!再见?", "真好！再见？"),
        ("构建区、街道(乡)、社区(村)三级", "构建区、街道（乡）、社区（村）三级"),
        ("各党委(党组)理论学习", "各党委（党组）理论学习"),
        ("中心(所、站)等载体", "中心（所、站）等载体"),
        ("钻井队(原“三八女子钻井队”)指导员", "钻井队（原“三八女子钻井队”）指导员"),
        ("国内生产总值(GDP)增长", "国内生产总值（GDP）增长"),
        ("动力。(本文原载于《新疆日报》)", "动力。（本文原载于《新疆日报》）"),
        ("混合（全角与半角)括号", "混合（全角与半角）括号"),
        ('他说"你好"', "他说“你好”"),
        ("打造'石榴籽'品牌", "打造‘石榴籽’品牌"),
        ("鸟类已达186种...", "鸟类已达186种……"),
        ("等等。。。", "等等……"),
        ("等等…", "等等……"),
        ("新征程--党的二十大", "新征程——党的二十大"),
        ("人头攒动.市民说", "人头攒动。市民说"),
        ("活动圆满结束.", "活动圆满结束。"),
        ("他说“好”.随后", "他说“好”。随后"),
        ("增长3.5个百分点", "增长3.5个百分点"),
        ("登录www.klmy.gov.cn查询", "登录www.klmy.gov.cn查询"),
        ("肉孜麦麦提・巴克", "肉孜麦麦提·巴克"),
        ("艾买提•吐尔逊", "艾买提·吐尔逊"),
        ("你好 , 世界 ！ 再见", "你好，世界！再见"),
        ("“铸牢中华民族共同体意识 凝心聚力奋进新征程”", f"“铸牢中华民族共同体意识{IDEOGRAPHIC_SPACE}凝心聚力奋进新征程”"),
        ("童心筑梦新时代   强国有我", f"童心筑梦新时代{IDEOGRAPHIC_SPACE}强国有我"),
        # Mixed Latin and Chinese copy
        ("引入AI,5G等技术", "引入AI，5G等技术"),
        ("使用5G,效果好", "使用5G，效果好"),      # a Latin run inside Chinese, then Chinese
        ("引入AI;好的", "引入AI；好的"),
        ("同比增长12.5%.", "同比增长12.5%。"),
        ("增长12.5%.同比", "增长12.5%。同比"),
        ("每天10:30开始.", "每天10:30开始。"),
        ("价格为5999.", "价格为5999。"),
        ("发邮件至news@kmy.example.cn.", "发邮件至news@kmy.example.cn。"),
        ("访问https://www.kmy.example/ai.html.了解更多", "访问https://www.kmy.example/ai.html。了解更多"),
        ("(详见https://x.cn/a)", "（详见https://x.cn/a）"),
        ("访问https://x.cn/a,了解详情", "访问https://x.cn/a，了解详情"),
        ('工程师说:"We made it!"随后', "工程师说：“We made it!”随后"),
        ('他说:"OK."', "他说：“OK.”"),
    ],
)
def test_rules(raw: str, expected: str) -> None:
    assert norm(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "实施“1+5+1”工程",
        "时间10:30开始",
        "阀门1,200个，增长3.5倍",
        "He said \"OK, let's go...\" and left.",
        "the f(x) value",
        "2024-07-16",
        "访问 https://www.example.cn/heat?id=1,2 查询",
        "发邮件至 news@kmy.example。",
        "AI 模型",
        "已经是全角：“好”（对）",
        "Python, Java and Go",
        "1.加强领导",
        "新款iPhone 15上市",
        "排名No.1的平台",
        "升级到v2.0版本",
        "每组3-5人",
        "CCUS项目",
        "Version 2.",
        "f(a,b)的值",
    ],
)
def test_left_alone(text: str) -> None:
    result, changes = normalize_text(text, 1)
    assert result == text
    assert changes == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # written by hand against mutmut's survivors (#14): each pins one neighbourhood rule
        ("OK...好", "OK……好"),                    # Chinese only on the right of the ellipsis
        ('说A"OK"', '说A"OK"'),                    # Latin right before a quote: not Chinese
        ('"OK" is fine', '"OK" is fine'),          # nothing before the quote at all
        ("好!Price 5999.", "好！Price 5999."),      # the clause since the last ! has no Han
        ("好!价格!Price 5999.", "好！价格！Price 5999."),
        ("好X Price 5999.", "好X Price 5999。"),    # no sentence mark: the whole line is the clause
        ("好!价5999.", "好！价5999。"),
        (".好%", ".好%"),                          # a stop at the start of the line ends nothing
        (".访问www.kmy.cn", ".访问www.kmy.cn"),
        ("访问www.x.cn).好", "访问www.x.cn).好"),  # the link ends before the bracket, not at the stop
        ("好12.5%.A", "好12.5%.A"),                # a percent then Latin: no Chinese sentence ends
        ("Hi。。。", "Hi……"),                       # three full stops are an ellipsis wherever they are
        ("(a）", "（a）"), ("（x)", "（x）"),          # one half of a pair full-width: both are
        ("(好)", "（好）"), ("好(x)", "好（x）"), ("(x)好", "（x）好"), ("(x)好a", "（x）好a"),
        ("#(x)好", "#（x）好"), ("f( x)好", "f( x)好"),  # only a letter or digit before ( makes f(x)
        ('("好")', "（“好”）"),                      # a quote just inside the bracket
        ("好,a b", "好，a b"),                      # the space after a changed mark's neighbour stays
        ("ab好 ,x", "ab好，x"), ("1, 好", "1，好"),  # neighbours found across a space
        (".好", ".好"),                            # nothing on the left: no full stop
        ("好.a", "好.a"), ("好.X", "好.X"), ("X.好", "X.好"),  # a stop needs Chinese before and a sentence after
        ("  好 好", "  好\u3000好"),               # spaces at the start stay; the next run still counts
        # name dots: only between two Han characters, anywhere in the line
        ("肉・巴克", "肉·巴克"), ("肉・巴", "肉·巴"), ("a肉・巴", "a肉·巴"), ("肉・巴a", "肉·巴a"),
        ("・巴克", "・巴克"), ("巴克・", "巴克・"), ("a・巴", "a・巴"), ("巴・a", "巴・a"),
        # apostrophes between two Latin letters are no quotes; the quotes around them pair up
        ("I'm在'家'", "I'm在‘家’"), ("'x'好x", "‘x’好x"), ("好'x'", "好‘x’"), ("好'x'y", "好'x'y"),
        ("说'OK'好", "说‘OK’好"), ("好 'OK' 好", "好‘OK’好"), ("说I'm'好'", "说I'm‘好’"),
        ("1I'm'好'", "1I'm‘好’"), ("好'OK'好", "好‘OK’好"), ("好'OK' 好", "好‘OK’好"),
        ('"好"', "“好”"), ('"OK"好', "“OK”好"), ('"OK"好a', "“OK”好a"),
    ],
)
def test_neighbourhood_rules(raw: str, expected: str) -> None:
    assert norm(raw) == expected


def test_changes_carry_line_excerpt_and_rule() -> None:
    _, changes = normalize_text("一二三四五六七增长12.5%.八九十一二三四五")  # line 0 unless given
    assert [(c.line, c.column, c.rule, c.excerpt) for c in changes] == [(0, 15, "full-stop", "长12.5%.八九十一二三")]


def test_every_rule_is_named() -> None:
    _, changes = normalize_text('他说:"好..."又--肉孜・巴克.', 1)
    assert [(c.column, c.before, c.after, c.rule) for c in changes] == [
        (3, ":", "：", "fullwidth"), (4, '"', "“", "quotes"), (6, "...", "……", "ellipsis"),
        (9, '"', "”", "quotes"), (11, "--", "——", "dash"), (15, "・", "·", "name-dot"),
        (18, ".", "。", "full-stop"),
    ]


def test_each_change_is_recorded_with_position_and_rule() -> None:
    text, changes = normalize_text("近年来,街道(乡) 新时代 强国", 7, column_offset=10)
    assert text == "近年来，街道（乡）新时代\u3000强国"
    described = [(c.line, c.column, c.before, c.after, c.rule) for c in changes]
    assert described == [
        (7, 14, ",", "，", "fullwidth"),
        (7, 17, "(", "（", "parens"),
        (7, 19, ")", "）", "parens"),
        (7, 20, " ", "", "space-punct"),
        (7, 24, " ", "\u3000", "space-phrase"),
    ]
    assert all(change.label for change in changes)
    assert "近年来,街道" in changes[0].excerpt


def test_changes_reproduce_the_result() -> None:
    raw = '他说:"这是 第一步...(真的)"--好 , 吗'
    result, changes = normalize_text(raw, 1)
    rebuilt = raw
    for change in sorted(changes, key=lambda c: c.column, reverse=True):
        start = change.column - 1
        assert rebuilt[start : start + len(change.before)] == change.before
        rebuilt = rebuilt[:start] + change.after + rebuilt[start + len(change.before) :]
    assert rebuilt == result
    assert result == "他说：“这是\u3000第一步……（真的）”——好，吗"  # written by hand
    assert [(c.column, c.before, c.after) for c in changes] == [
        (3, ":", "："), (4, '"', "“"), (7, " ", "\u3000"), (11, "...", "……"), (14, "(", "（"), (17, ")", "）"),
        (18, '"', "”"), (19, "--", "——"), (22, " ", ""), (23, ",", "，"), (24, " ", ""),
    ]


# ---------------------------------------------------------------------------
# Property: only punctuation and spaces change, and changes are listed.
# ---------------------------------------------------------------------------

FOLD_MAP = str.maketrans(
    {"，": ",", "；": ";", "：": ":", "！": "!", "？": "?", "（": "(", "）": ")", "。": ".",
     "“": '"', "”": '"', "‘": "'", "’": "'", "・": "·", "•": "·", "‧": "·"}
)


def fold(text: str) -> str:
    """Canonical form: no whitespace, half-width marks, one `…` per ellipsis, one `—` per dash."""
    text = re.sub(r"\s+", "", text).translate(FOLD_MAP)
    text = re.sub(r"\.{3,}|。{3,}", "…", text)
    text = re.sub(r"…+", "…", text)
    text = re.sub(r"-{2,}|―+", "—", text)
    return re.sub(r"—+", "—", text)


CJK = "克拉玛依油城石榴籽民族团结新疆日报你好"
ALPHABET = CJK + "abcXYZ019" + " \u3000" + ",;:!?()（）\"'.-—…“”。，、" + "/@#"
lines = st.text(alphabet=ALPHABET, max_size=40)


@settings(max_examples=300, deadline=None)
@given(lines)
def test_normalisation_keeps_every_letter_and_lists_every_change(raw: str) -> None:
    result, changes = normalize_text(raw, 1)
    assert fold(result) == fold(raw)
    rebuilt = raw
    for change in sorted(changes, key=lambda c: c.column, reverse=True):
        start = change.column - 1
        rebuilt = rebuilt[:start] + change.after + rebuilt[start + len(change.before) :]
    assert rebuilt == result
