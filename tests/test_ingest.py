"""Tests for kmyreport.ingest: raw correspondent copy → article source.

The raw fixtures in tests/raw/ are UTF-8 text with LF; the tests write them
to tmp_path in the encoding and line endings each one stands for (GBK,
UTF-16 with BOM, CRLF, CR …), so no binary fixture is committed.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from kmyreport.errors import KmyError
from kmyreport.ingest import ImportResult, import_raw, write_article
from kmyreport.normalize import normalize_text

HERE = Path(__file__).resolve().parent
RAW = HERE / "raw"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seeds" / "000_aeef03941e53131b.txt"


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


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
# The real seed
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> ImportResult:
    return import_raw(SEED)


def test_seed_authors_and_byline(seed: ImportResult) -> None:
    assert seed.front_matter["authors"] == [
        {"name": "张纪东", "role": "通讯员", "org": "克拉玛依融媒"},
        {"name": "许涛", "role": "通讯员", "org": "克拉玛依融媒"},
    ]
    assert seed.front_matter["byline"] == "克拉玛依融媒通讯员 张纪东 许涛"


def test_seed_section_heads(seed: ImportResult) -> None:
    assert headings_of(seed) == ["牢牢把握主线", "推动宣传教育", "挖掘文化内涵"]
    assert "\n## 牢牢把握主线\n" in seed.article_source


def test_seed_photos(seed: ImportResult) -> None:
    photos = seed.report.photos
    assert [p.credit_names for p in photos] == [["田治民"], ["郭宁"], ["徐艺欣"], ["迟艺菲"], ["徐艺欣"], ["李源清"]]
    for photo in photos:
        assert photo.caption and not photo.caption.endswith(" ")
        assert photo.credit == f"克拉玛依融媒通讯员 {photo.credit_names[0]} 摄"
        assert photo.missing
    assert [p.path for p in photos] == [f"photos/MISSING-{n}.jpg" for n in range(1, 7)]
    assert photos[0].caption == "克拉玛依市友谊大桥。"
    assert '![克拉玛依市友谊大桥。](photos/MISSING-1.jpg "克拉玛依融媒通讯员 田治民 摄")' in seed.article_source
    # The space inside the slogan is kept, as an ideographic space.
    assert "“铸牢中华民族共同体意识\u3000凝心聚力奋进新征程”" in photos[1].caption


def test_seed_origin_and_editors(seed: ImportResult) -> None:
    assert seed.front_matter["origin"] == {"publication": "新疆日报", "date": "2024-07-16", "page": None}
    assert seed.front_matter["editors"] == {"责任编辑": "陈丽", "本期编辑": "王若惟"}
    _, _, body = split_article(seed.article_source)
    assert "（本文原载于2024年7月16日《新疆日报》）" in body  # kept in the body too
    assert "责任编辑" not in body


def test_seed_junk_dropped_and_title_warned(seed: ImportResult) -> None:
    _, _, body = split_article(seed.article_source)
    assert not any(line.strip() == "|" for line in seed.article_source.splitlines())
    assert [(r.line, r.text) for r in seed.report.dropped] == [(27, "|")]
    assert seed.front_matter["title"] == ""
    assert any("标题" in warning for warning in seed.report.warnings)


def test_seed_every_body_paragraph_in_order(seed: ImportResult) -> None:
    """Each body line of the seed, normalised, is a body block, in the same order."""
    raw_lines = [line for line in SEED.read_text(encoding="utf-8").splitlines() if line.strip()]
    body_lines = raw_lines[1:-2]  # after the byline, before the editors and the junk
    expected = []
    for number, line in enumerate(body_lines, start=2):
        caption = re.match(r"(.*?)\s*克拉玛依融媒通讯员 \S+ 摄$", line)
        expected.append(normalize_text(caption.group(1) if caption else line, number)[0])
    assert [block.text for block in seed.blocks] == expected
    rendered = rendered_blocks(split_article(seed.article_source)[2])
    assert [text for _, text, _ in rendered] == expected


def test_seed_title_option(tmp_path: Path) -> None:
    result = import_raw(SEED, title="克拉玛依区：民族团结之花绽放油城")
    assert result.front_matter["title"] == "克拉玛依区：民族团结之花绽放油城"
    assert not any("标题" in warning for warning in result.report.warnings)


def test_front_matter_round_trips(seed: ImportResult) -> None:
    loaded, _, _ = split_article(seed.article_source)
    assert loaded == seed.front_matter
    assert isinstance(loaded["origin"]["date"], str)
    assert list(loaded)[:1] == ["title"]


def test_report_text_lists_recognition_and_every_change(seed: ImportResult) -> None:
    text = seed.report.to_text()
    assert "编码：UTF-8" in text
    assert "第1行  [署名]" in text and "张纪东（通讯员，克拉玛依融媒）" in text
    assert "第4行  [小标题]  牢牢把握主线" in text
    assert "第3行  [图片说明]" in text and "署名：克拉玛依融媒通讯员 田治民 摄" in text
    assert "[正文（含原载说明）]" in text and "日期：2024-07-16" in text
    assert "第26行  [编辑人员]" in text
    assert "第27行  “|”" in text
    assert f"标点规范化（{len(seed.report.changes)} 处）" in text
    for change in seed.report.changes:
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
            assert kind == ("heading-h2" if block.kind == "heading" else "paragraph")
    assert "\r" not in result.article_source


def test_fixture_report_accounts_for_every_line(imported: tuple[dict, ImportResult]) -> None:
    _, result = imported
    kinds = result.report.kinds()
    assert kinds and all(kind in (
        "kicker", "title", "subtitle", "byline", "heading", "photo", "paragraph", "origin", "editors", "junk"
    ) for kind in kinds.values())
    text = result.report.to_text()
    for record in result.report.lines:
        assert f"第{record.line}行" in text


def test_cr_only_and_crlf_give_the_same_article(tmp_path: Path) -> None:
    text = (RAW / "05_cr_tebie.txt").read_text(encoding="utf-8")
    articles = {
        newline: import_raw(write_raw(tmp_path, f"x{len(newline)}{ord(newline[0])}.txt", text, "utf-8", newline)).article_source
        for newline in ("\n", "\r\n", "\r")
    }
    assert len(set(articles.values())) == 1


def test_cleaning_is_reported(tmp_path: Path) -> None:
    text = (RAW / "05_cr_tebie.txt").read_text(encoding="utf-8")
    result = import_raw(write_raw(tmp_path, "x.txt", text, "utf-8", "\r"))
    cleaning = "\n".join(result.report.cleaning)
    assert "第2行" in cleaning and "零宽" in cleaning and "缩进" in cleaning
    assert "第3行" in cleaning and "不换行空格" in cleaning
    assert [(r.line, r.text) for r in result.report.dropped] == [(7, "***")]
    assert "\u200b" not in result.article_source and "\u00a0" not in result.article_source


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


def test_photos_matched_in_name_order_rest_are_placeholders(tmp_path: Path) -> None:
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in ("b.JPG", "a.png", "notes.txt", "c d.webp"):
        (photos / name).write_bytes(b"x")
    result = import_raw(SEED, photos_dir=photos)
    paths = [p.path for p in result.report.photos]
    assert paths == ["photos/a.png", "photos/b.JPG", "photos/c d.webp"] + [f"photos/MISSING-{n}.jpg" for n in (4, 5, 6)]
    assert '](<photos/c d.webp> "' in result.article_source
    assert any("只有 3 个图片文件" in warning for warning in result.report.warnings)
    rendered = [attrs["src"] for kind, _, attrs in rendered_blocks(split_article(result.article_source)[2]) if kind == "photo"]
    assert [unquote(src) for src in rendered] == paths  # renderers percent-encode the space


def test_photo_prefix_and_extra_files(tmp_path: Path) -> None:
    photos = tmp_path / "p"
    photos.mkdir()
    for n in range(8):
        (photos / f"{n:02}.jpg").write_bytes(b"x")
    result = import_raw(SEED, photos_dir=photos, photo_prefix="img/")
    assert [p.path for p in result.report.photos] == [f"img/{n:02}.jpg" for n in range(6)]
    assert any("06.jpg" in warning and "07.jpg" in warning for warning in result.report.warnings)


def test_missing_photos_dir_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(KmyError):
        import_raw(SEED, photos_dir=tmp_path / "none")


def test_write_article_atomic_utf8_lf(tmp_path: Path, seed: ImportResult) -> None:
    out = tmp_path / "articles" / "minzu.md"
    write_article(seed, out)
    data = out.read_bytes()
    assert data.decode("utf-8") == seed.article_source
    assert b"\r" not in data and not data.startswith(b"\xef\xbb\xbf")
    assert [p.name for p in out.parent.iterdir()] == ["minzu.md"]
    out.write_text("old", encoding="utf-8")
    write_article(seed, out)
    assert out.read_text(encoding="utf-8") == seed.article_source


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
    text = re.sub(r"\s+", "", text.translate(INVISIBLE)).translate(FOLD_MAP)
    text = re.sub(r"\.{3,}|。{3,}", "…", text)
    text = re.sub(r"…+", "…", text)
    text = re.sub(r"-{2,}|―+", "—", text)
    return re.sub(r"—+", "—", text)


def is_subsequence(needle: str, haystack: str) -> bool:
    it = iter(haystack)
    return all(ch in it for ch in needle)


LABEL_RE = re.compile(r"^(?:引题|肩题|主标题|标题|主题|题目|副标题|副题)\s*[:：]")


def allowed_removals(record, report) -> str:
    """The line minus what structure may take away (and the report says so)."""
    text = record.text
    for change in report.changes:
        if change.line == record.line and change.rule == "credit-brackets":
            start = change.column - 1
            text = text[:start] + text[start + 1 : -1]
        elif change.line == record.line and change.rule == "subtitle-dash":
            text = text[len(change.before) :]
    if record.kind in ("kicker", "title", "subtitle"):
        text = LABEL_RE.sub("", text)
    if record.kind == "editors":
        text = re.sub(r"[:：,，;；、【】\[\]（）()]", "", text)
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
]
free_text = st.text(alphabet=ALPHABET, max_size=30)
raw_line = st.one_of(
    free_text,
    st.sampled_from(FRAGMENTS),
    st.builds(lambda a, b: a + b, free_text, st.sampled_from(FRAGMENTS)),
    st.builds(lambda a, b: a + b, st.sampled_from(FRAGMENTS), free_text),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(raw_line, max_size=12), newline=st.sampled_from(["\n", "\r\n", "\r"]))
def test_nothing_is_lost(tmp_path: Path, lines: list[str], newline: str) -> None:
    path = tmp_path / "prop.txt"
    path.write_bytes(newline.join(lines).encode("utf-8"))
    result = import_raw(path)
    front, front_text, body = split_article(result.article_source)
    assert front == result.front_matter
    records = {record.line: record for record in result.report.lines}

    body_expected = []
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
        elif record.kind in ("paragraph", "origin", "heading", "photo"):
            body_expected.append(kept)
        else:
            assert is_subsequence(kept, fold(front_text)), (record, front_text)
    # Escaping: CommonMark gives back the exact text of every block.
    rendered = rendered_blocks(body)
    assert [(text, attrs.get("title", "")) for _, text, attrs in rendered] == [
        (block.text, block.credit) for block in result.blocks
    ]
    # One block per body line: fold block by block so runs (…, ——) never merge across lines.
    body_blocks = "\x00".join(fold(block) for block in body.split("\n\n"))
    assert is_subsequence("\x00".join(body_expected), body_blocks)
