"""Tests for kmyreport.ingest: raw correspondent copy → article source.

The raw fixtures in tests/raw/ are UTF-8 text with LF; the tests write them
to tmp_path in the encoding and line endings each one stands for (GBK,
UTF-16 with BOM, CRLF, CR …), so no binary fixture is committed; 19, plain
UTF-8 like the real seed it stands in for, is read where it is.
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from pydantic import ValidationError

import kmyreport.ingest
from kmyreport import i18n
from kmyreport.articles import FrontMatter
from kmyreport.errors import KmyError
from kmyreport.ingest import ImportResult, import_raw, write_article
from kmyreport.ingest.rules.end_matter import end_matter_kind

from .conftest import SEED, requires_seed

HERE = Path(__file__).resolve().parent
RAW = HERE / "raw"


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


@contextmanager
def in_language(language: str) -> Iterator[None]:
    """Messages in `language` inside the block; the language before it afterwards (the tests read English).

    An import's details and warnings are translated when it runs, the report's headings and labels when
    `to_text` writes it: both have to happen inside."""
    before = i18n.language()
    i18n.set_language(language)
    try:
        yield
    finally:
        i18n.set_language(before)


@pytest.fixture
def chinese() -> Iterator[None]:
    """The tests that read the Chinese report (its wording is the editors'): the import and the report
    in Chinese, English again after the test."""
    with in_language("zh"):
        yield


def split_article(source: str) -> tuple[dict, str, str]:
    """(front matter as loaded, front matter text, body) of an article source."""
    match = re.match(r"---\n(.*?\n)---\n(.*)", source, re.S)
    assert match, "article source must start with a YAML front matter block"
    return yaml.safe_load(match.group(1)), match.group(1), match.group(2)


def rendered_blocks(body: str) -> list[tuple[str, str, dict]]:
    """CommonMark-render the body (raw HTML off): (kind, plain text, attributes) per block."""
    tokens = MarkdownIt("commonmark", {"html": False}).parse(body)
    blocks = []
    for index, token in enumerate(tokens):
        if token.type not in ("paragraph_open", "heading_open"):
            continue
        inline = tokens[index + 1]
        children = inline.children or []
        if token.type == "paragraph_open" and len(children) == 1 and children[0].type == "image":
            image = children[0]
            blocks.append(("photo", plain_text(image.children or []), dict(image.attrs)))
        elif token.type == "heading_open":
            blocks.append((f"heading-{token.tag}", plain_text(children), {}))
        else:
            blocks.append(("paragraph", plain_text(children), {}))
    return blocks


def plain_text(children) -> str:
    parts = []
    for child in children:
        if child.children:
            parts.append(plain_text(child.children))
        elif child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
    return "".join(parts)


def write_raw(tmp_path: Path, name: str, text: str, encoding: str, newline: str = "\n") -> Path:
    data = text.replace("\n", newline)
    target = tmp_path / name
    if encoding == "utf-16-le-bom":
        target.write_bytes(b"\xff\xfe" + data.encode("utf-16-le"))
    elif encoding == "utf-16-be-bom":
        target.write_bytes(b"\xfe\xff" + data.encode("utf-16-be"))
    else:
        target.write_bytes(data.encode(encoding))
    return target


def photos_of(result: ImportResult) -> list[tuple[str, str, list[str]]]:
    return [(p.caption, p.credit, p.credit_names) for p in result.report.photos]


def headings_of(result: ImportResult) -> list[str]:
    return [block.text for block in result.blocks if block.kind == "heading"]


# ---------------------------------------------------------------------------
# Untitled copy in the correspondents' usual conventions: the real seed, when it is
# beside the repo (../shared), and our own copy in the same conventions, line for line —
# byline (organisation, role, two names) and no title, half-width punctuation, three
# short heads, six captions ending in `克拉玛依融媒通讯员 X 摄`, the 原载 note closing the
# last paragraph, `责任编辑:… 本期编辑:…`, and a junk character at the end.
# ---------------------------------------------------------------------------

UNTITLED = {
    "own": dict(
        path=RAW / "19_untitled_rongmei.txt",
        authors=["马春燕", "吴昊"],
        heads=["筑牢生态屏障", "推进污染治理", "倡导绿色生活"],
        credit_names=[["刘思源"], ["马春燕"], ["郑佳"], ["何文涛"], ["刘思源"], ["白雪"]],
        first_caption="独山子区城市公园一角。",
        slogan="“守护绿水青山\u3000共建美丽家园”",
        origin={"publication": "克拉玛依日报", "date": "2024-06-28", "page": None},
        origin_note="（本文原载于2024年6月28日《克拉玛依日报》）",
        editors={"责任编辑": "李晓梅", "本期编辑": "赵文博"},
        title="独山子区：绿水青山入画来",
    ),
    "seed": dict(
        path=SEED,
        authors=["张纪东", "许涛"],
        heads=["牢牢把握主线", "推动宣传教育", "挖掘文化内涵"],
        credit_names=[["田治民"], ["郭宁"], ["徐艺欣"], ["迟艺菲"], ["徐艺欣"], ["李源清"]],
        first_caption="克拉玛依市友谊大桥。",
        slogan="“铸牢中华民族共同体意识\u3000凝心聚力奋进新征程”",
        origin={"publication": "新疆日报", "date": "2024-07-16", "page": None},
        origin_note="（本文原载于2024年7月16日《新疆日报》）",
        editors={"责任编辑": "陈丽", "本期编辑": "王若惟"},
        title="克拉玛依区：民族团结之花绽放油城",
    ),
}
UNTITLED_PARAMS = [pytest.param("own"), pytest.param("seed", marks=requires_seed)]


@pytest.fixture(scope="module", params=UNTITLED_PARAMS)
def untitled(request) -> tuple[dict, ImportResult]:
    spec = UNTITLED[request.param]
    with in_language("zh"):  # its warnings are read in Chinese (shared by the module: made once)
        return spec, import_raw(spec["path"])


def test_untitled_authors_and_byline(untitled: tuple[dict, ImportResult]) -> None:
    spec, result = untitled
    first, second = spec["authors"]
    assert result.front_matter["authors"] == [
        {"name": first, "role": "通讯员", "org": "克拉玛依融媒"},
        {"name": second, "role": "通讯员", "org": "克拉玛依融媒"},
    ]
    assert result.front_matter["byline"] == f"克拉玛依融媒通讯员 {first} {second}"


def test_untitled_section_heads(untitled: tuple[dict, ImportResult]) -> None:
    spec, result = untitled
    assert headings_of(result) == spec["heads"]
    assert f"\n## {spec['heads'][0]}\n" in result.article_source


def test_untitled_photos(untitled: tuple[dict, ImportResult]) -> None:
    spec, result = untitled
    photos = result.report.photos
    assert [p.credit_names for p in photos] == spec["credit_names"]
    for photo in photos:
        assert photo.caption and not photo.caption.endswith(" ")
        assert photo.credit == f"克拉玛依融媒通讯员 {photo.credit_names[0]} 摄"
        assert photo.missing
    assert [p.path for p in photos] == [f"photos/MISSING-{n}.jpg" for n in range(1, 7)]
    first_caption, first_name = spec["first_caption"], spec["credit_names"][0][0]
    assert photos[0].caption == first_caption
    assert f'![{first_caption}](photos/MISSING-1.jpg "克拉玛依融媒通讯员 {first_name} 摄")' in result.article_source
    # The space inside the slogan is kept, as an ideographic space.
    assert spec["slogan"] in photos[1].caption


def test_untitled_origin_and_editors(untitled: tuple[dict, ImportResult]) -> None:
    spec, result = untitled
    assert result.front_matter["origin"] == spec["origin"]
    assert result.front_matter["editors"] == spec["editors"]
    _, _, body = split_article(result.article_source)
    assert spec["origin_note"] in body  # kept in the body too
    assert "责任编辑" not in body


@pytest.mark.usefixtures("chinese")
def test_untitled_junk_dropped_and_title_warned(untitled: tuple[dict, ImportResult]) -> None:
    _, result = untitled
    assert not any(line.strip() == "|" for line in result.article_source.splitlines())
    assert [(r.line, r.text) for r in result.report.dropped] == [(27, "|")]
    assert result.front_matter["title"] == ""
    assert any("标题" in warning for warning in result.report.warnings)


HALF_TO_FULL = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）"})


def by_hand(line: str) -> str:
    """The untitled copy's conventions put right without `normalize_text`: the half-width marks
    it uses become full-width, straight double quotes open and close in turn, and a space
    between two Han characters (the slogan's) becomes an ideographic space."""
    out, opening = [], True
    for char in line.translate(HALF_TO_FULL):
        if char == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(char)
    return re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "\u3000", "".join(out))


def test_by_hand_is_what_an_editor_would_type() -> None:
    assert by_hand('形成"党政同责、一岗双责"的格局,各部门(乡)说:好;“守护 共建”') == (
        "形成“党政同责、一岗双责”的格局，各部门（乡）说：好；“守护\u3000共建”")


def test_untitled_every_body_paragraph_in_order(untitled: tuple[dict, ImportResult]) -> None:
    """Each body line of the copy, put right by hand (not by the importer's `normalize_text`), is
    a body block, in the same order, and nothing else is."""
    spec, result = untitled
    raw_lines = [line for line in spec["path"].read_text(encoding="utf-8").splitlines() if line.strip()]
    body_lines = raw_lines[1:-2]  # after the byline, before the editors and the junk
    expected = []
    for line in body_lines:
        caption = re.match(r"(.*?)\s*克拉玛依融媒通讯员 \S+ 摄$", line)
        expected.append(by_hand(caption.group(1) if caption else line))
    assert [block.text for block in result.blocks] == expected
    assert expected[0].startswith("入夏后，独山子区") or spec["path"] == SEED
    rendered = rendered_blocks(split_article(result.article_source)[2])
    assert [text for _, text, _ in rendered] == expected


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize("name", UNTITLED_PARAMS)
def test_untitled_title_option(name: str) -> None:
    title = UNTITLED[name]["title"]
    result = import_raw(UNTITLED[name]["path"], title=title)
    assert result.front_matter["title"] == title
    assert not any("标题" in warning for warning in result.report.warnings)


def test_front_matter_round_trips(untitled: tuple[dict, ImportResult]) -> None:
    _, result = untitled
    loaded, _, _ = split_article(result.article_source)
    assert loaded == result.front_matter
    assert isinstance(loaded["origin"]["date"], str)
    assert list(loaded)[:1] == ["title"]


@pytest.mark.usefixtures("chinese")
def test_report_text_lists_recognition_and_every_change(untitled: tuple[dict, ImportResult]) -> None:
    spec, result = untitled
    text = result.report.to_text()
    assert "编码：UTF-8" in text
    assert "第1行  [署名]" in text and f"{spec['authors'][0]}（通讯员，克拉玛依融媒）" in text
    assert f"第4行  [小标题]  {spec['heads'][0]}" in text
    assert "第3行  [图片说明]" in text and f"署名：克拉玛依融媒通讯员 {spec['credit_names'][0][0]} 摄" in text
    assert "[正文（含原载说明）]" in text and f"日期：{spec['origin']['date']}" in text
    assert "第26行  [编辑人员]" in text
    assert "第27行  “|”" in text
    assert f"标点规范化（{len(result.report.changes)} 处）" in text
    for change in result.report.changes:
        assert f"第{change.line}行第{change.column}列" in text
    assert "第2行第4列  “,” → “，”  半角标点改全角" in text
    assert "［全角空格］" in text


# ---------------------------------------------------------------------------
# Own fixtures in other conventions, encodings and line endings
# ---------------------------------------------------------------------------

FIXTURES = {
    "01_gbk_benbao.txt": dict(
        encoding="gbk", newline="\r\n", codec="gb18030",
        title="油城冬季供暖保障有力",
        authors=[("王海燕", "记者", "本报"), ("李想", "实习生", None)],
        headings=["一、提前检修管网", "二、智慧调度上线"],
        photos=[("热力公司工作人员巡检换热站", "王海燕 摄", ["王海燕"])],
        origin=None,
        editors={"责任编辑": "马丽", "校对": "刘洋", "审核": "周强"},
        contains=["更换阀门1,200个", "10:30", "https://www.example.cn/heat?id=1,2"],
    ),
    "02_utf16le_quanmeiti.txt": dict(
        encoding="utf-16-le-bom", newline="\n", codec="utf-16-le",
        kicker="油城社区里的“石榴籽”故事",
        title="他们把家安在了克拉玛依",
        subtitle="记白碱滩区金龙镇的一户民族团结家庭",
        authors=[("阿依古丽·艾买提", "全媒体记者", None), ("赵磊", "通讯员", None)],
        headings=[],
        photos=[
            ("社区居民在“石榴籽之家”包饺子。", "图/赵磊", ["赵磊"]),
            ("孩子们在社区广场跳舞。", "摄影：阿依古丽·艾买提", ["阿依古丽·艾买提"]),
        ],
        origin={"publication": "克拉玛依日报", "date": "2023-12-05", "page": "第5版"},
        editors={"编辑": "孙倩"},
        contains=["艾买提·吐尔逊说：“我们几家人像亲戚一样来往。”"],
    ),
    "03_utf8bom_wentu.txt": dict(
        encoding="utf-8-sig", newline="\n", codec="utf-8-sig",
        title="克拉玛依河畔迎来观鸟季",
        authors=[("陈晓东", "记者", "克拉玛依融媒")],
        headings=[],
        photos=[
            ("灰鹤在湿地上空盘旋。", "陈晓东/摄", ["陈晓东"]),
            ("湿地保护区的监测点。", "克拉玛依市林业和草原局 供图", ["克拉玛依市林业和草原局"]),
        ],
        origin={"publication": "新疆日报", "date": "2024-05-03", "page": "第A3版"},
        editors=None,
        contains=["186种……", "“我每天都来拍。”摄影爱好者老张说，“今年的鸟比去年多！”"],
    ),
    "04_crlf_shixisheng.txt": dict(
        encoding="utf-8", newline="\r\n", codec="utf-8",
        title="克拉玛依职业技术学院举办技能大赛",
        authors=[("热娜古丽·吐尔洪", "见习记者", None), ("郑好", "实习生", None)],
        headings=["（一）赛项贴近岗位", "（二）企业深度参与"],
        photos=[("选手在化工仪表赛项中调试设备。", "郑好 摄", ["郑好"])],
        origin=None,
        editors={"编辑": "钱多多", "一审": "李强", "二审": "王磊", "三审": "张伟"},
        contains=["2\\.评委中有一半", "共有1,000余名学生"],
    ),
    "05_cr_tebie.txt": dict(
        encoding="utf-8", newline="\r", codec="utf-8",
        title="",
        authors=[("古丽娜尔", "特约记者", None), ("马腾飞", "记者", None), ("周云", "通讯员", None), ("刘畅", "通讯员", None)],
        headings=[],
        photos=[("夜间公交在世纪大道行驶。", "周云\u3000摄", ["周云"])],
        origin=None,
        editors=None,
        contains=["\\#夜班公交", "\\- 市民刘女士", "\\> 公交公司", "间隔——首班车", "夜间线路，运营时间延长至23:30。"],
    ),
    "06_utf16be_youcheng.txt": dict(
        encoding="utf-16-be-bom", newline="\n", codec="utf-16-be",
        title="油城，你好！",
        subtitle="第二届“你好，丝路”网络国际传播交流大会侧记",
        authors=[("张敏", "记者", "本报"), ("李建国", "通讯员", None)],
        headings=[],
        photos=[("嘉宾们参观黑油山。", "克拉玛依市委宣传部供图", ["克拉玛依市委宣传部"])],
        origin={"publication": "中国石油报", "date": "2024-09-13", "page": "第5版"},
        editors={"终审": "赵刚"},
        contains=["城市。（原载2024年9月13日《中国石油报》第5版）"],
    ),
    "07_utf8_latin.txt": dict(
        encoding="utf-8", newline="\n", codec="utf-8",
        title="克拉玛依数字油田建设提速",
        authors=[("高远", "融媒记者", None)],
        headings=[],
        photos=[],
        origin=None,
        editors=None,
        contains=["1,024个", "3.5倍", "AI 模型每天 10:30", 'He said "OK, let\'s go..." and left.'],
    ),
    "08_no_head.txt": dict(
        encoding="gb18030", newline="\n", codec="gb18030",
        title="",
        authors=[],
        headings=[],
        photos=[("志愿者为老人理发。", "通讯员 马丽娜 摄", ["马丽娜"])],
        origin=None,
        editors={"校对": "何静"},
        contains=["近日，克拉玛依区", "“这样的活动很暖心。”75岁"],
    ),
    # Bylines inside the lede (电头): authors recognised, the paragraph printed as written.
    "09_dateline_benbaoxun.txt": dict(
        encoding="gbk", newline="\r\n", codec="gb18030",
        title="油城夜市开市迎客",
        authors=[("王雪梅", "记者", None)],
        headings=[],
        photos=[],
        origin=None,
        editors={"编辑": "陈丽", "审核": "周强"},
        contains=["本报讯（记者\u3000王雪梅）7月20日晚，克拉玛依市", "\n\n活动将持续到9月底。\n\n",
                  "\n\n“太热闹了！”\n\n", "\n\n“方便”\n"],
        absent=["（完）", "阅读原文", "## "],
    ),
    "10_dateline_rongmeixun.txt": dict(
        encoding="utf-16-le-bom", newline="\r\n", codec="utf-16-le",
        kicker="首届油城马拉松鸣枪开跑",
        title="八千名跑者奔跑在克拉玛依河畔",
        authors=[("张小川", "记者", None), ("李娜", "通讯员", None)],
        headings=[],
        photos=[("跑者在克拉玛依河畔奔跑。", "克拉玛依融媒记者 张小川 摄", ["张小川"])],
        origin=None,
        editors={"责编": "陈丽"},
        contains=["克拉玛依融媒讯（记者\u3000张小川\u3000通讯员\u3000李娜）7月21日，",
                  "打造成油城的城市名片。\n"],
        absent=["完"],
    ),
    # A byline at the end of the copy, on a line of its own: it becomes the article's byline.
    "11_trailing_byline.txt": dict(
        encoding="utf-8", newline="\n", codec="utf-8",
        title="白碱滩区新建三座口袋公园",
        authors=[("张三", "记者", None), ("李四", "通讯员", None)],
        byline="记者 张三 通讯员 李四",
        headings=[],
        photos=[],
        origin=None,
        editors={"责任编辑": "陈丽"},
        contains=["赵大爷说：“每天早上来这里打打太极，心情特别好。”\n"],
        absent=["（记者", "## "],
    ),
    # … and in brackets at the end of the last paragraph: recognised, the paragraph kept whole.
    "12_trailing_inline.txt": dict(
        encoding="utf-16-be-bom", newline="\n", codec="utf-16-be",
        title="独山子区开展防汛应急演练",
        authors=[("王五", "记者", "克拉玛依融媒")],
        headings=[],
        photos=[],
        origin=None,
        editors={"统筹": "马骏", "监制": "李明"},
        contains=["打下了坚实基础。（克拉玛依融媒记者\u3000王五）\n"],
        absent=["END"],
    ),
    "13_photos_row.txt": dict(
        encoding="utf-8-sig", newline="\n", codec="utf-8-sig",
        title="克拉玛依：夏日旅游持续升温",
        authors=[("古丽米拉·吾斯曼", "融媒记者", None)],
        headings=[],
        photos=[
            ("世界魔鬼城景区迎来客流高峰。", "图片由克拉玛依市文旅局提供", ["克拉玛依市文旅局"]),
            ("黑油山景区游人如织。", "新华社记者 李响 摄", ["李响"]),
            ("克拉玛依河夜景。", "资料图", []),
            ("乌尔禾区的胡杨林。", "资料图", []),
        ],
        origin=None,
        editors=None,
        contains=["\n\n市摄影家协会会员在景区开展采风活动。\n\n",
                  "“这里的风景太美了，我拍了几百张照片。”来自上海的游客陈先生说。\n\n“一定还会再来”\n"],
        absent=["## "],
    ),
    "14_markers_heads.txt": dict(
        encoding="gb18030", newline="\r\n", codec="gb18030",
        title="克拉玛依区推进城市更新",
        authors=[],
        headings=["老旧小区改造提速", "完善配套设施，方便居民生活", "【聚焦】背街小巷焕新颜",
                  "（一）拓宽道路", "（二）增设路灯", "第一部分\u3000规划先行"],
        photos=[],
        origin=None,
        editors=None,
        contains=["\n\n工程进展顺利。\n"],
        absent=["■", "◆", "*"],
    ),
    "15_origin_transfer.txt": dict(
        encoding="utf-8", newline="\r", codec="utf-8",
        title="油城学子研学之旅启程",
        authors=[],
        headings=[],
        photos=[],
        origin={"publication": "新疆日报", "date": None, "page": None},
        editors=None,
        contains=["\n\n7月15日，克拉玛依市200名中小学生"],
        absent=["来源"],
    ),
    "16_source_footer.txt": dict(
        encoding="gbk", newline="\n", codec="gb18030",
        title="克拉玛依市开展消防安全大检查",
        authors=[],
        headings=[],
        photos=[],
        origin={"publication": "克拉玛依日报", "date": "2024-07-18", "page": "第3版"},
        editors={"编辑": "陈丽"},
        contains=["检查重点为人员密集场所和高层建筑。\n"],
        absent=["转自", "来源", "克拉玛依融媒", "=", "|"],
    ),
    "17_latin_mixed.txt": dict(
        encoding="utf-8", newline="\r\n", codec="utf-8",
        title="数字油田跑出“加速度”",
        authors=[("高远", "记者", None)],
        headings=[],
        photos=[],
        origin=None,
        editors=None,
        contains=[
            "5G基站1,200余个，引入AI，5G等技术，CCUS项目年封存二氧化碳10万吨。",
            "新款iPhone 15在市区各门店上市，价格为5999元起。",
            "工程师说：“We made it!”随后大家鼓起掌来。",
            "系统升级到v2.0版本，运行效率在全国同类平台中排名No.1，同比增长12.5%。",
            "每组3-5人，培训时长1.5小时，每天10:30开始。",
            "咨询可发邮件至news@kmy.example.cn。",
            "详情请访问https://www.kmy.example/ai.html。了解更多。",
        ],
        absent=[],
    ),
    "18_junk.txt": dict(
        encoding="utf-16-le-bom", newline="\r\n", codec="utf-16-le",
        title="社区食堂开进居民家门口",
        authors=[],
        headings=[],
        photos=[],
        origin=None,
        editors={"编辑": "陈丽"},
        contains=["每天供应早中晚三餐。\n\n食堂负责人说，老年人就餐可享受八折优惠。\n"],
        absent=["=", "完", "END", "阅读原文", "来源", "|"],
    ),
    # Wire copy: the agency's dateline names the reporters (after an editor's note), a credit line
    # with no caption (`新华社发（X 摄）`) is a photo credited as a whole.
    "20_wire_xinhua.txt": dict(
        encoding="gbk", newline="\r\n", codec="gb18030",
        title="戈壁深处的“绿色油田”",
        authors=[("艾力·买买提", "记者", "新华社"), ("王晨阳", "记者", "新华社")],
        headings=[],
        photos=[("", "新华社发（王晨阳 摄）", ["王晨阳"])],
        origin=None,
        editors=None,
        notes=["【编者按】油田是克拉玛依的根。即日起，本报转发新华社系列报道，讲述油城人守护绿色的故事。"],
        contains=["\n> 【编者按】油田是克拉玛依的根。", "\n\n新华社乌鲁木齐7月15日电（记者\u3000艾力·买买提\u3000王晨阳）7月"],
        absent=["（完）"],
    ),
    "21_wire_chinanews.txt": dict(
        encoding="utf-16-le-bom", newline="\n", codec="utf-16-le",
        kicker="丝路沿线看发展",
        title="克拉玛依：老油城跑出新速度",
        authors=[("孙萌萌", "记者", "中新网")],
        headings=[],
        photos=[("图为园区数据中心机房。", "中新网记者 孙萌萌 摄", ["孙萌萌"])],
        origin=None,
        editors={"编辑": "李想"},
        notes=["编后：一座城市的转型，离不开敢闯敢试的人。从“地下找油”到“云上算数”，油城的路越走越宽。"],
        contains=["中新网克拉玛依7月16日电", "\n\n> 编后：一座城市的转型"],
        absent=["（完）"],
    ),
    "22_benbaoxun_note.txt": dict(
        encoding="utf-8-sig", newline="\r\n", codec="utf-8-sig",
        title="社区“微更新”让老街巷变了样",
        authors=[("张小川", "记者", None), ("李娜", "通讯员", None)],
        byline="记者 张小川 通讯员 李娜",
        headings=[],
        photos=[],
        origin=None,
        editors=None,
        notes=["编后", "小巷虽小，连着民生。改造前先问需于民，改造后才能赢得民心。", "这样的“微更新”，值得更多社区借鉴。"],
        contains=["\n\n> 编后\n>\n> 小巷虽小，连着民生。", "\n>\n> 这样的“微更新”，值得更多社区借鉴。\n"],
        absent=["## "],
    ),
    # A WeChat repost: the follow prompt, the emoji, `文/ X  图/ Y`, the list of other articles and
    # `阅读原文` go; `编辑 | X 审核 | Y` gives the editors; the title stays the title.
    "23_wechat_repost.txt": dict(
        encoding="utf-8", newline="\n", codec="utf-8",
        title="重磅！克拉玛依这条河火了",
        authors=[("刘思源", "文", None), ("马晓东", "图", None)],
        headings=[],
        photos=[("克拉玛依河畔的晚霞。", "马晓东 摄", ["马晓东"])],
        origin=None,
        editors={"编辑": "陈丽", "审核": "周强"},
        emoji=["🔥", "👍", "📷", "👇", "👇"],
        contains=["成了市民最爱的“打卡地”\n"],
        absent=["关注我们", "往期推荐", "油城夜市开市迎客", "八千名跑者", "阅读原文", "🔥", "👇", "📷", "## "],
    ),
    "24_wechat_wenshu.txt": dict(
        encoding="gb18030", newline="\n", codec="gb18030",
        title="白碱滩区：夜跑团跑出健康新风尚",
        authors=[("古丽米拉·托合提", "文", None)],
        headings=[],
        photos=[],
        origin=None,
        editors={"编辑": "王若惟", "审核": "陈丽"},
        emoji=["💪"],
        contains=["都会准时出发\n"],
        absent=["END", "💪", "文丨"],
    ),
    # A photo essay: credit first, one photo per line; a `（摄于…）` note marks a caption too.
    "25_photo_essay.txt": dict(
        encoding="utf-16-le-bom", newline="\r\n", codec="utf-16-le",
        title="镜头里的油城春天",
        authors=[],
        headings=[],
        photos=[
            ("2023年4月20日，克拉玛依河畔的杏花开了。", "本报记者 马晓宇 摄", ["马晓宇"]),
            ("2023年4月20日，市民在世纪公园赏花。", "本报记者 马晓宇 摄", ["马晓宇"]),
            ("2023年4月21日，孩子们在九龙潭放风筝。", "本报通讯员 何文涛 摄", ["何文涛"]),
            ("克拉玛依河上的游船（摄于2023年4月22日）", "", []),
        ],
        origin=None,
        editors=None,
        contains=["\n\n春天的油城，处处是风景。\n"],
        absent=["## "],
    ),
}


@pytest.fixture(params=sorted(FIXTURES))
def imported(request, tmp_path: Path) -> tuple[dict, ImportResult]:
    name = request.param
    spec = FIXTURES[name]
    text = (RAW / name).read_text(encoding="utf-8")
    path = write_raw(tmp_path, name, text, spec["encoding"], spec["newline"])
    return spec, import_raw(path)


def test_fixture_structure(imported: tuple[dict, ImportResult]) -> None:
    spec, result = imported
    front = result.front_matter
    assert result.encoding == spec["codec"]
    assert front["title"] == spec["title"]
    assert front.get("kicker") == spec.get("kicker")
    assert front.get("subtitle") == spec.get("subtitle")
    assert [(a["name"], a["role"], a["org"]) for a in front["authors"]] == spec["authors"]
    assert headings_of(result) == spec["headings"]
    assert photos_of(result) == spec["photos"]
    assert front.get("origin") == spec["origin"]
    assert front.get("editors") == spec["editors"]
    for snippet in spec["contains"]:
        assert snippet in result.article_source
    _, _, body = split_article(result.article_source)
    for snippet in spec.get("absent", []):
        assert snippet not in body
    if "byline" in spec:
        assert front.get("byline") == spec["byline"]
    assert [block.text for block in result.blocks if block.kind == "note"] == spec.get("notes", [])
    assert [char for _, _, char, _ in result.report.emoji] == spec.get("emoji", [])


def test_fixture_markdown_renders_the_text_unchanged(imported: tuple[dict, ImportResult]) -> None:
    """Escaping works: CommonMark gives back exactly the text of every block."""
    _, result = imported
    loaded, _, body = split_article(result.article_source)
    assert loaded == result.front_matter
    rendered = rendered_blocks(body)
    assert len(rendered) == len(result.blocks)
    for (kind, text, attrs), block in zip(rendered, result.blocks):
        assert text == block.text
        if block.kind == "photo":
            assert kind == "photo"
            assert attrs.get("title", "") == block.credit
            assert unquote(attrs["src"]) == block.path
        else:
            assert kind == ("heading-h2" if block.kind == "heading" else "paragraph")  # notes: in a blockquote
    assert "\r" not in result.article_source


def test_fixture_front_matter_loads_as_the_compilers(imported: tuple[dict, ImportResult]) -> None:
    """What the importer writes is the compiler's `FrontMatter`; only a missing title is left to fill in."""
    spec, result = imported
    loaded, _, _ = split_article(result.article_source)
    if spec["title"]:
        front = FrontMatter.model_validate(loaded)
        assert front.model_dump(mode="json", exclude_unset=True) == loaded
    else:
        with pytest.raises(ValidationError, match="title is empty"):
            FrontMatter.model_validate(loaded)


@pytest.mark.usefixtures("chinese")
def test_fixture_report_accounts_for_every_line(imported: tuple[dict, ImportResult], request) -> None:
    _, result = imported
    kinds = result.report.kinds()
    assert kinds and all(kind in (
        "kicker", "title", "subtitle", "byline", "heading", "photo", "paragraph", "origin", "editors", "junk",
        "byline-in-text", "source", "end-matter", "note", "boilerplate",
    ) for kind in kinds.values())
    # Every line of the file that is not blank, counted here from the file itself (not from the
    # report's own records), has its line in the report, with its text.
    text = result.report.to_text()
    listed = {}
    for row in text.splitlines():
        found = re.match(r"  第(\d+)行  \[[^]]+\]  (.*)$", row)
        if found:
            listed[int(found.group(1))] = found.group(2)
    raw = (RAW / request.node.callspec.params["imported"]).read_text(encoding="utf-8")
    for number, line in enumerate(raw.split("\n"), start=1):
        if line.strip():
            assert number in listed, (number, line)
            for at, _, char, _ in result.report.emoji:  # emoji are taken out, and listed on their own
                line = line.replace(char, "") if at == number else line
            assert re.sub(r"\s+", "", listed[number]) == re.sub(r"\s+", "", line.translate(INVISIBLE)), number
        else:
            assert number not in listed


def test_cr_only_and_crlf_give_the_same_article(tmp_path: Path) -> None:
    text = (RAW / "05_cr_tebie.txt").read_text(encoding="utf-8")
    articles = {
        newline: import_raw(write_raw(tmp_path, f"x{len(newline)}{ord(newline[0])}.txt", text, "utf-8", newline)).article_source
        for newline in ("\n", "\r\n", "\r")
    }
    assert len(set(articles.values())) == 1


@pytest.mark.usefixtures("chinese")
def test_cleaning_is_reported(tmp_path: Path) -> None:
    text = (RAW / "05_cr_tebie.txt").read_text(encoding="utf-8")
    result = import_raw(write_raw(tmp_path, "x.txt", text, "utf-8", "\r"))
    cleaning = "\n".join(result.report.cleaning)
    assert "第2行" in cleaning and "零宽" in cleaning and "缩进" in cleaning
    assert "第3行" in cleaning and "不换行空格" in cleaning
    assert [(r.line, r.text) for r in result.report.dropped] == [(7, "***")]
    assert "\u200b" not in result.article_source and "\u00a0" not in result.article_source


def import_fixture(tmp_path: Path, name: str) -> ImportResult:
    spec = FIXTURES[name]
    text = (RAW / name).read_text(encoding="utf-8")
    return import_raw(write_raw(tmp_path, name, text, spec["encoding"], spec["newline"]))


def kinds_by_line(result: ImportResult) -> list[tuple[int, str]]:
    return sorted(result.report.kinds().items())


def rules_by_line(result: ImportResult, *rules: str) -> list[tuple[int, int, str, str]]:
    return [(c.line, c.column, c.before, c.rule) for c in result.report.changes if c.rule in rules]


@pytest.mark.usefixtures("chinese")
def test_dateline_byline_is_recognised_in_the_lede_only(tmp_path: Path) -> None:
    result = import_fixture(tmp_path, "09_dateline_benbaoxun.txt")
    assert kinds_by_line(result) == [
        (1, "title"), (2, "byline-in-text"), (5, "paragraph"), (6, "paragraph"), (7, "paragraph"),
        (8, "paragraph"), (9, "paragraph"), (10, "editors"), (11, "end-matter"), (12, "end-matter"),
    ]
    assert [(r.line, r.text) for r in result.report.dropped] == [(11, "（完）"), (12, "点击阅读原文")]
    assert any("第2行正文中的署名" in w and "重复" in w for w in result.report.warnings)
    assert "电头署名：王雪梅（记者）" in result.report.to_text()
    # A later paragraph that starts like a dateline is not one: only the lede carries it.
    text = "标题行\n近日，油城很热闹。\n本报讯（记者 赵六）另一段。\n"
    later = import_raw(write_raw(tmp_path, "later.txt", text, "utf-8"))
    assert later.front_matter["authors"] == []


@pytest.mark.usefixtures("chinese")
def test_trailing_byline_line_loses_its_brackets_and_is_reported(tmp_path: Path) -> None:
    result = import_fixture(tmp_path, "11_trailing_byline.txt")
    assert (5, "byline") in kinds_by_line(result) and (6, "editors") in kinds_by_line(result)
    assert rules_by_line(result, "byline-brackets") == [(5, 1, "（）", "byline-brackets")]
    assert not any("重复" in w for w in result.report.warnings)


@pytest.mark.usefixtures("chinese")
def test_byline_repeated_at_the_end_is_not_doubled(tmp_path: Path) -> None:
    text = "油城新闻\n记者 张三\n正文第一段。\n（记者 张三）\n"
    result = import_raw(write_raw(tmp_path, "twice.txt", text, "utf-8"))
    assert result.front_matter["authors"] == [{"name": "张三", "role": "记者", "org": None}]
    assert result.front_matter["byline"] == "记者 张三"
    assert any("第4行的署名与前面的署名重复" in w for w in result.report.warnings)
    # After a dateline the same byline is the article's byline (it is printed under the title anyway).
    text = "油城新闻\n本报讯（记者 张三）正文第一段。\n（记者 张三）\n"
    dateline = import_raw(write_raw(tmp_path, "dateline.txt", text, "utf-8"))
    assert dateline.front_matter["byline"] == "记者 张三"
    assert len(dateline.front_matter["authors"]) == 1


@pytest.mark.usefixtures("chinese")
def test_end_marks_go_only_at_the_end_and_are_reported(tmp_path: Path) -> None:
    result = import_fixture(tmp_path, "18_junk.txt")
    assert [(r.line, r.text, r.kind) for r in result.report.dropped] == [
        (1, "=======", "junk"), (5, "=======", "junk"), (7, "—END—", "end-matter"),
        (8, "点击阅读原文", "end-matter"), (10, "|", "junk"),
    ]
    assert rules_by_line(result, "end-mark", "house-source") == [
        (6, 21, "(完)", "end-mark"), (9, 1, "来源：克拉玛依融媒", "house-source"),
    ]
    text = result.report.to_text()
    assert "第5行  “=======”  分隔线" in text and "删去文末结束标记" in text and "删去本台来源说明" in text
    # In the middle of the copy the same marks are text: kept, with a warning.
    middle = "油城新闻\n第一段。\n（完）\n点击阅读原文\n第二段。结束（完）\n最后一段。\n"
    kept = import_raw(write_raw(tmp_path, "mid.txt", middle, "utf-8"))
    assert [b.text for b in kept.blocks] == ["第一段。", "（完）", "点击阅读原文", "第二段。结束（完）", "最后一段。"]
    assert {b.kind for b in kept.blocks} == {"paragraph"}
    assert sum("不在文末" in w for w in kept.report.warnings) == 2
    assert kept.report.dropped == []


@pytest.mark.usefixtures("chinese")
def test_house_source_alone_is_dropped_other_sources_become_origin(tmp_path: Path) -> None:
    text = "油城新闻\n正文。\n来源：克拉玛依融媒\n"
    result = import_raw(write_raw(tmp_path, "house.txt", text, "utf-8"))
    assert "origin" not in result.front_matter
    assert [(r.line, r.kind) for r in result.report.dropped] == [(3, "end-matter")]
    assert "本台来源说明" in result.report.dropped[0].detail
    footer = import_fixture(tmp_path, "16_source_footer.txt")
    assert kinds_by_line(footer)[3:] == [(4, "source"), (5, "junk"), (6, "editors"), (7, "junk")]


@pytest.mark.usefixtures("chinese")
def test_second_origin_is_reported_not_used(tmp_path: Path) -> None:
    text = "油城新闻\n来源：新疆日报\n正文。\n转自《克拉玛依日报》2024年7月18日\n"
    result = import_raw(write_raw(tmp_path, "two.txt", text, "utf-8"))
    assert result.front_matter["origin"] == {"publication": "新疆日报", "date": None, "page": None}
    assert any("第4行又有一条来源说明" in w for w in result.report.warnings)
    assert result.blocks[-1].text == "转自《克拉玛依日报》2024年7月18日"  # kept, not lost


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("来源于群众的智慧，用之于群众。", "paragraph"),
        ("选自全市各行业的100名代表参加会议。", "paragraph"),
        ("来源：据市统计局数据，今年上半年全市生产总值增长。", "paragraph"),
        ("摘自《油城故事》", "source"),
        ("信息来源：天山网 2024年7月1日", "source"),
        ("编辑｜陈丽　校对｜何静", "editors"),
        ("记者手记", "heading"),
        ("“加油”", "paragraph"),
        ("活动持续到月底。", "paragraph"),
        ("市民在摄影展上驻足观看。", "paragraph"),
    ],
)
def test_body_line_kinds(tmp_path: Path, line: str, kind: str) -> None:
    text = f"油城新闻\n第一段。\n{line}\n最后一段。\n"
    result = import_raw(write_raw(tmp_path, "kind.txt", text, "utf-8"))
    assert result.report.kinds()[3] == kind


@pytest.mark.usefixtures("chinese")
def test_heading_markers_are_reported(tmp_path: Path) -> None:
    result = import_fixture(tmp_path, "14_markers_heads.txt")
    assert rules_by_line(result, "head-marker") == [
        (2, 1, "■ ", "head-marker"), (4, 1, "◆ ", "head-marker"),
        (8, 1, "**", "head-marker"), (8, 10, "**", "head-marker"),
    ]
    assert "第10行  [正文段落]  工程进展顺利。" in result.report.to_text()


def test_undecodable_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "garbage.txt"
    path.write_bytes(bytes([0x80, 0xFF, 0x41, 0xC3, 0x28, 0x80, 0x81, 0xFF]) * 40)
    with pytest.raises(KmyError) as info:
        import_raw(path)
    assert info.value.file == path
    assert "garbage.txt" in str(info.value)


def test_missing_raw_file(tmp_path: Path) -> None:
    with pytest.raises(KmyError) as info:
        import_raw(tmp_path / "nope.txt")
    assert info.value.file == tmp_path / "nope.txt"


# ---------------------------------------------------------------------------
# Photos folder, writing
# ---------------------------------------------------------------------------


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize("name", UNTITLED_PARAMS)
def test_photos_matched_in_name_order_rest_are_placeholders(tmp_path: Path, name: str) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    for file in ("b.JPG", "a.png", "notes.txt", "c d.webp"):
        (photos / file).write_bytes(b"x")
    result = import_raw(UNTITLED[name]["path"], photos_dir=photos)
    paths = [p.path for p in result.report.photos]
    assert paths == ["photos/a.png", "photos/b.JPG", "photos/c d.webp"] + [f"photos/MISSING-{n}.jpg" for n in (4, 5, 6)]
    assert '](<photos/c d.webp> "' in result.article_source
    assert any("只有 3 个图片文件" in warning for warning in result.report.warnings)
    rendered = [attrs["src"] for kind, _, attrs in rendered_blocks(split_article(result.article_source)[2]) if kind == "photo"]
    assert [unquote(src) for src in rendered] == paths  # renderers percent-encode the space


@pytest.mark.usefixtures("chinese")
@pytest.mark.parametrize("name", UNTITLED_PARAMS)
def test_photo_prefix_and_extra_files(tmp_path: Path, name: str) -> None:
    photos = tmp_path / "p"
    photos.mkdir()
    for n in range(8):
        (photos / f"{n:02}.jpg").write_bytes(b"x")
    result = import_raw(UNTITLED[name]["path"], photos_dir=photos, photo_prefix="img/")
    assert [p.path for p in result.report.photos] == [f"img/{n:02}.jpg" for n in range(6)]
    assert any("06.jpg" in warning and "07.jpg" in warning for warning in result.report.warnings)


@pytest.mark.parametrize("name", UNTITLED_PARAMS)
def test_missing_photos_dir_is_an_error(tmp_path: Path, name: str) -> None:
    assert UNTITLED[name]["path"].is_file()
    with pytest.raises(KmyError) as caught:
        import_raw(UNTITLED[name]["path"], photos_dir=tmp_path / "none")
    assert (caught.value.message, caught.value.file, caught.value.line) == (
        "photo folder not found (or not a folder)", tmp_path / "none", None)


def test_write_article_atomic_utf8_lf(tmp_path: Path, untitled: tuple[dict, ImportResult]) -> None:
    _, result = untitled
    out = tmp_path / "articles" / "minzu.md"
    write_article(result, out)
    data = out.read_bytes()
    assert data.decode("utf-8") == result.article_source
    assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")
    assert [p.name for p in out.parent.iterdir()] == ["minzu.md"]
    out.write_text("old", encoding="utf-8")
    write_article(result, out)
    assert out.read_text(encoding="utf-8") == result.article_source


# ---------------------------------------------------------------------------
# Property: nothing is lost
# ---------------------------------------------------------------------------

FOLD_MAP = str.maketrans(
    {"，": ",", "；": ";", "：": ":", "！": "!", "？": "?", "（": "(", "）": ")", "。": ".",
     "“": '"', "”": '"', "‘": "'", "’": "'", "・": "·", "•": "·", "‧": "·"}
)
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u2060"), None)


def fold(text: str) -> str:
    """Canonical form for comparing: no whitespace, punctuation mapped to one spelling."""
    # Runs of dots become one ellipsis before 。 is folded to a dot: '。...' (a full stop, then an
    # ellipsis typed as dots) stays a full stop and an ellipsis, as the importer writes it ('。……').
    text = re.sub(r"\.{3,}|。{3,}", "…", re.sub(r"\s+", "", text.translate(INVISIBLE)))
    text = re.sub(r"…+", "…", text.translate(FOLD_MAP))
    text = re.sub(r"-{2,}|―+", "—", text)
    return re.sub(r"—+", "—", text)


def is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


LABEL_RE = re.compile(r"^(?:引题|肩题|主标题|标题|主题|题目|副标题|副题)\s*[:：]")
SOURCE_LABEL_RE = re.compile(r"稿件来源|信息来源|文章来源|新闻来源|来源|本文转自|转载自|转自|摘自|选自")
DATE_RE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-./]\d{1,2}[-./]\d{1,2}")
BRACKET_CUTS = {"credit-brackets", "byline-brackets"}  # the opening bracket at the column, the closing at the end
SPAN_CUTS = {"subtitle-dash", "head-marker", "house-source", "end-mark"}  # `before` at the column


def allowed_removals(record, report) -> str:
    """The line minus what structure may take away (and the report says so)."""
    text = record.text
    changes = [c for c in report.changes if c.line == record.line and c.rule in BRACKET_CUTS | SPAN_CUTS]
    for change in sorted(changes, key=lambda c: c.column, reverse=True):
        start = change.column - 1
        if change.rule in BRACKET_CUTS:
            text = text[:start] + text[start + 1 : -1]
        else:
            assert text[start : start + len(change.before)] == change.before, (change, text)
            text = text[:start] + text[start + len(change.before) :]
    if record.kind in ("kicker", "title", "subtitle"):
        text = LABEL_RE.sub("", text)
    if record.kind in ("editors", "source"):
        text = DATE_RE.sub("", SOURCE_LABEL_RE.sub("", text))  # the date is kept as 2024-07-18
        text = re.sub(r"[:：,，;；、【】\[\]（）()《》|｜丨]", "", text)
    return text


CJK = "克拉玛依油城石榴籽民族团结新疆日报你好张三李四"
ALPHABET = CJK + "abcXYZ0129" + "  \u3000\u00a0\u200b" + ",;:!?()（）\"'.-—…“”。，、《》" + "#>*_[]`<&\\!|/+=~"
FRAGMENTS = [
    "克拉玛依融媒通讯员 张纪东 许涛", "本报记者 王海燕 实习生 李想", "■ 全媒体记者 阿依古丽・艾买提",
    "牢牢把握主线", "一、提前检修管网", "（一）赛项贴近岗位", "1. 加强领导",
    "克拉玛依市友谊大桥。克拉玛依融媒通讯员 田治民 摄", "巡检换热站(王海燕 摄)", "图/赵磊", "跳舞。摄影：李四",
    "监测点。克拉玛依市林业和草原局 供图", "（本文原载于2024年7月16日《新疆日报》第5版）",
    "责任编辑:陈丽 本期编辑:王若惟", "校对\u3000何静", "引题：油城故事", "——记一户人家", "标题：油城", "|", "***",
    "# 井号开头", "> 引用", "- 列表", "[链接](x)", "&amp;", "<b>粗</b>",
    "本报讯（记者 王雪梅）7月20日晚,", "克拉玛依融媒讯 (记者 张三 通讯员 李四)", "（记者 张三 通讯员 李四）",
    "。（克拉玛依融媒记者 王五）", "编辑 | 陈丽", "责编：陈丽 |", "统筹：王强　监制：李明", "来源：新疆日报",
    "稿件来源：天山网", "转自《克拉玛依日报》2024年7月18日第3版", "来源：克拉玛依融媒 编辑：陈丽", "（完）", "(完)",
    "—END—", "点击阅读原文", "=======", "■ 夜市亮点多", "◆ 完善配套设施，方便居民生活", "【聚焦】背街小巷",
    "**（二）增设路灯**", "（图片由克拉玛依市文旅局提供）", "夜景。资料图", "“加油”", "引入AI,5G等技术",
    "news@kmy.example.cn.", "增长12.5%.", "https://www.kmy.example/ai.html.",
    "【编者按】按语。", "编后", "编后：感想。", "新华社乌鲁木齐7月15日电（记者 艾力·买买提 王晨阳）", "新华社发（王晨阳 摄）",
    "图为机房。", "本报记者 马晓宇 摄 2023年4月20日，杏花开了。", "游船（摄于2023年4月22日）", "往期推荐",
    "点击蓝字 关注我们", "文/ 刘思源  图/ 马晓东", "文丨古丽米拉·托合提", "编辑 | 陈丽 审核 | 周强",
]
free_text = st.text(alphabet=ALPHABET, max_size=30)
raw_line = st.one_of(
    free_text,
    st.sampled_from(FRAGMENTS),
    st.builds(lambda a, b: a + b, free_text, st.sampled_from(FRAGMENTS)),
    st.builds(lambda a, b: a + b, st.sampled_from(FRAGMENTS), free_text),
)


@pytest.mark.usefixtures("chinese")  # a dropped own source note says so in its detail
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(raw_line, max_size=12), newline=st.sampled_from(["\n", "\r\n", "\r"]))
@example(lines=["图为机房。..."], newline="\n")  # a full stop, then dots: once taken for text added
def test_nothing_is_lost(tmp_path: Path, lines: list[str], newline: str) -> None:
    path = tmp_path / "prop.txt"
    path.write_bytes(newline.join(lines).encode("utf-8"))
    result = import_raw(path)
    front, front_text, body = split_article(result.article_source)
    assert front == result.front_matter
    records = {record.line: record for record in result.report.lines}

    body_expected = []
    pending = ""
    for number, raw in enumerate(newline.join(lines).replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if not fold(raw):
            continue  # blank lines separate paragraphs; they carry nothing
        record = records.get(number)
        assert record is not None, f"line {number} {raw!r} is not in the report"
        assert fold(record.text) == fold(raw)  # cleaning only touched whitespace
        kept = fold(allowed_removals(record, result.report))
        if record.kind == "junk":
            assert not any(unicodedata.category(ch)[0] in "LN" for ch in raw)
            assert record in result.report.dropped
        elif record.kind == "end-matter":  # `（完）`, `点击阅读原文` after the text; our own source note
            assert record in result.report.dropped
            assert "本台来源" in record.detail or all(block.line < record.line for block in result.blocks)
        elif record.kind == "boilerplate":  # a WeChat follow prompt before the title
            assert record in result.report.dropped and end_matter_kind(raw.strip()) == "公众号引导语"
        elif record.kind == "photo":
            block = next((b for b in result.blocks if b.kind == "photo" and b.line == number), None)
            if block is None:  # a `图为…` caption whose credit is on the next line: one photo of the two
                pending += kept
                continue
            credit = fold(block.credit)
            if credit and kept.startswith(credit):  # credit first (`本报记者 X 摄 2023年…`): printed after
                kept = kept[len(credit):] + credit
            body_expected.append(pending + kept)
            pending = ""
        elif record.kind in ("paragraph", "origin", "heading", "byline-in-text", "note"):
            body_expected.append(kept)
        else:
            assert is_subsequence(kept, fold(front_text)), (record, front_text)
    # Escaping: CommonMark gives back the exact text of every block.
    rendered = rendered_blocks(body)
    assert [(text, attrs.get("title", "")) for _, text, attrs in rendered] == [
        (block.text, block.credit) for block in result.blocks
    ]
    # One block per body line, and nothing more: fold block by block so runs (…, ——) never merge
    # across lines, and compare the whole body, so that text added or doubled is caught too.
    printed = [fold(text) + fold(attrs.get("title", "")) for _, text, attrs in rendered]
    assert printed == body_expected


# ---------------------------------------------------------------------------
# The package's own import graph
# ---------------------------------------------------------------------------


def ingest_imports() -> dict[str, set[str]]:
    """Each `kmyreport.ingest` module → the modules of the package it imports (read with `ast`)."""
    root = Path(kmyreport.ingest.__file__).parent
    names = {}
    for path in root.rglob("*.py"):
        parts = ["kmyreport", "ingest", *path.relative_to(root).with_suffix("").parts]
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                submodules = {f"{module}.{alias.name}" for alias in node.names} & names.keys()
                targets.update(submodules or {module})
        graph[name] = targets & names.keys() - {name}
    return graph


def test_ingest_modules_import_no_circle() -> None:
    graph = ingest_imports()
    assert {"kmyreport.ingest.model", "kmyreport.ingest.recognise", "kmyreport.ingest.report"} <= graph.keys()
    assert graph["kmyreport.ingest.model"] == set()
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, "import circle: " + " → ".join(path[path.index(name):] + (name,))
        if name not in done:
            for target in sorted(graph[name]):
                visit(target, path + (name,))
            done.add(name)

    for name in sorted(graph):
        visit(name, ())


# ---------------------------------------------------------------------------
# Emoji: out of the copy, each one listed in the report; what is left prints
# ---------------------------------------------------------------------------


@pytest.mark.usefixtures("chinese")
def test_emoji_are_listed_in_the_report(tmp_path: Path) -> None:
    text = (RAW / "23_wechat_repost.txt").read_text(encoding="utf-8").replace(
        "每到傍晚", "跑团获得第1️⃣名 ©2024。\n每到傍晚")
    result = import_raw(write_raw(tmp_path, "w.txt", text, "utf-8"))
    report = result.report.to_text()
    assert "删除的表情符号（6 个）" in report
    assert "第2行第1列  🔥  U+1F525" in report
    assert "1️⃣  U+0031，改为“1”" in report
    assert "第1名" in result.article_source and "©2024" in result.article_source


def test_wechat_import_leaves_no_emoji(tmp_path: Path) -> None:
    """What the compiler's glyph check stopped at (🔥 📷 👇 💪) is gone from the article source."""
    import emoji

    for name in ("23_wechat_repost.txt", "24_wechat_wenshu.txt"):
        spec = FIXTURES[name]
        raw = write_raw(tmp_path, name, (RAW / name).read_text(encoding="utf-8"), spec["encoding"])
        assert emoji.emoji_list(import_raw(raw).article_source) == []


@pytest.mark.usefixtures("chinese")
def test_a_recommendations_marker_before_more_text_drops_nothing(tmp_path: Path) -> None:
    text = "标题行\n正文第一段。\n推荐阅读\n这是后面的正文，一句完整的话。\n"
    result = import_raw(write_raw(tmp_path, "r.txt", text, "utf-8"))
    assert "这是后面的正文，一句完整的话。" in result.article_source
    assert any("没有当作往期推荐列表删除" in warning for warning in result.report.warnings)


def test_a_second_source_note_inside_the_recommendations_goes_with_them(tmp_path: Path) -> None:
    """Found by test_nothing_is_lost: a second 来源 line after `往期推荐` was kept as text after
    the dropped end matter."""
    raw = tmp_path / "list.txt"
    raw.write_text("0\n来源：新疆日报\n往期推荐\n来源：新疆日报\n", encoding="utf-8")
    result = import_raw(raw)
    kinds = {record.line: record.kind for record in result.report.lines}
    assert kinds == {1: "paragraph", 2: "source", 3: "end-matter", 4: "end-matter"}
    assert [block.text for block in result.blocks] == ["0"]
    assert result.front_matter["origin"]["publication"] == "新疆日报"
