"""Fast unit tests written against mutmut's survivors (#14): each one pins a behaviour a mutant
changed without any other test noticing. Expected values are written by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kmyreport import i18n
from kmyreport.articles import Author, Origin
from kmyreport.errors import KmyError
from kmyreport.ingest.rules.bylines import describe_author
from kmyreport.ingest.rules.captions import split_caption
from kmyreport.ingest.rules.editors import parse_credit_line
from kmyreport.ingest.rules.end_matter import end_matter_kind, is_recommendations
from kmyreport.ingest.rules.frame import is_framed, strip_frame
from kmyreport.ingest.rules.heads import is_quotation, looks_like_heading, split_head_decoration
from kmyreport.ingest.rules.notes import Note, parse_note
from kmyreport.ingest.rules.origin import describe_origin, parse_source_value
from kmyreport.ingest.rules.title import looks_like_title
from kmyreport.workspace import VIRTUAL_ROOT, Workspace, find_workspace

# --- workspace -----------------------------------------------------------------------------------


def _ws(tmp_path: Path) -> Workspace:
    (tmp_path / "ws" / "layouts").mkdir(parents=True)
    (tmp_path / "ws" / "sources" / "t" / "photos").mkdir(parents=True)
    return Workspace((tmp_path / "ws").resolve())


def test_workspace_folders(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    root = tmp_path.resolve() / "ws"
    assert (ws.layouts_dir, ws.fonts_dir, ws.out_dir, ws.cache_dir) == (
        root / "layouts", root / "fonts", root / "out", root / "out" / ".cache")


def test_workspace_urls_are_location_independent_and_round_trip(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    photo = ws.root / "sources" / "t" / "photos" / "晨光 1#.jpg"
    photo.write_bytes(b"x")
    url = ws.url(photo)
    assert url == "file:///kmyreport-workspace/sources/t/photos/%E6%99%A8%E5%85%89%201%23.jpg"
    assert ws.url(ws.root / "sources" / "t") == "file:///kmyreport-workspace/sources/t/"
    assert ws.path_of(url) == photo
    assert ws.path_of(url + "?v=2#top") == photo
    assert ws.path_of(VIRTUAL_ROOT + "a/b.css#x?y") == ws.root / "a" / "b.css"
    assert ws.path_of("file:///etc/passwd") is None
    assert ws.path_of("https://example.com/kmyreport-workspace/a") is None


def test_workspace_contains_follows_links(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    inside = ws.root / "sources" / "t" / "a.md"
    inside.write_text("x")
    outside = tmp_path / "secret.txt"
    outside.write_text("x")
    link = ws.root / "sources" / "t" / "link.txt"
    link.symlink_to(outside)
    assert ws.contains(inside) and ws.contains(ws.root)
    assert not ws.contains(outside)
    assert not ws.contains(link), "a link out of the workspace is outside it"
    assert not ws.contains(ws.root / ".." / "secret.txt")


def test_find_workspace(tmp_path: Path) -> None:
    ws = _ws(tmp_path)
    manifest = ws.root / "sources" / "t" / "issue.yaml"
    assert find_workspace(manifest) == ws
    (ws.root / "sources" / "layouts").mkdir()  # the nearest folder with layouts/ wins
    assert find_workspace(manifest).root == ws.root / "sources"
    assert find_workspace(manifest, ws.root) == ws
    with pytest.raises(KmyError) as caught:
        find_workspace(manifest, tmp_path)
    assert caught.value.file is None
    assert caught.value.message == (f"workspace {tmp_path.resolve()} has no layouts/ folder; point --workspace at "
                                    "the folder that holds layouts/, fonts/ and sources/")
    lonely = tmp_path / "elsewhere" / "issue.yaml"
    with pytest.raises(KmyError, match=r": no workspace found: no folder above this manifest has a layouts/ folder; keep issues") as caught:
        find_workspace(lonely)
    assert caught.value.file == lonely


# --- ingest rules: the boundaries of each test, written out -------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("油城", True), ("油", False),                           # 2 characters at least
    ("油" * 40, True), ("油" * 41, False),                    # 40 at most
    ("abc", False), ("A股", True),                           # some Chinese
    ("油城。好", False), ("油城，", False), ("油城…", False), ("油城、", False), ("油城：", False),
    ("油城，好", True), ("油城X", True),                     # a comma inside is fine, at the end it is not
    ("一、油城", False), ("（一）油城", False),                # numbered: a section head
])
def test_looks_like_title(text: str, expected: bool) -> None:
    assert looks_like_title(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("（完）", "结束标记"), ("—END—", "结束标记"), ("全文完", "结束标记"), ("完成", None),
    ("点击阅读原文", "公众号引导语"),
    ("阅读原文" + "油" * 26, "公众号引导语"),   # 30 characters: still a footer
    ("阅读原文" + "油" * 27, None),            # 31: running text
    ("油城新闻", None),
])
def test_end_matter_kind(text: str, expected: str | None) -> None:
    assert end_matter_kind(text) == expected


def test_recommendations_head() -> None:
    assert is_recommendations("👇 往期推荐 👇") and is_recommendations("▼推荐阅读")
    assert not is_recommendations("往期推荐的文章很多")


@pytest.mark.parametrize(("text", "expected"), [
    ("“加油”", True), ('"好"', True), ("「好」", True), ("『好』", True), ("‘好’", True), ("'好'", True),
    ("“加油", False), ("加油”", False), ("“", False), ("”", False), ("“”", True), ("加油", False),
])
def test_is_quotation(text: str, expected: bool) -> None:
    assert is_quotation(text) is expected


@pytest.mark.parametrize(("text", "marked", "expected"), [
    ("牢牢把握主线", False, True), ("主", False, False), ("ab", False, False),
    ("油" * 20, False, True), ("油" * 21, False, False),
    ("油" * 21, True, True), ("油" * 30, True, True), ("油" * 31, True, False),
    ("【聚焦】" + "油" * 26, False, True), ("【聚焦】" + "油" * 27, False, False),
    ("一、" + "油" * 28, False, True), ("一、" + "油" * 29, False, False),
    ("油城，好地方", False, False), ("油城，好地方", True, True),
    ("油城。", False, False), ("好吗？", False, False), ("油城：", False, False), ("油城——", False, False),
    ("“加油”", True, False), ("（完）", True, False),
    ("油城", False, True), ("油城X", False, True), ("油X城", False, True),
])
def test_looks_like_heading(text: str, marked: bool, expected: bool) -> None:
    assert looks_like_heading(text, marked) is expected
    if not marked:
        assert looks_like_heading(text) is expected  # unmarked unless told


@pytest.mark.parametrize(("text", "parts"), [
    ("■ 牢牢把握主线", ("■ ", "牢牢把握主线", "")),
    ("**（一）增设路灯**", ("**", "（一）增设路灯", "**")),
    ("__◆ 夜市__", ("__◆ ", "夜市", "__")),
    ("夜市", ("", "夜市", "")),
    ("◆ 夜市 ", ("◆ ", "夜市", " ")),
])
def test_split_head_decoration(text: str, parts: tuple[str, str, str]) -> None:
    assert split_head_decoration(text) == parts


@pytest.mark.parametrize(("text", "expected"), [
    ("（记者 张三）", "记者 张三"), ("■ (记者 张三)", "记者 张三"), ("【聚焦】", "聚焦"), ("[a]", "a"),
    ("〔a〕", "a"), ("（记者 张三", "（记者 张三"), ("记者", "记者"), ("", ""), ("（ 记者 ）", "记者"),
])
def test_strip_frame(text: str, expected: str) -> None:
    assert strip_frame(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("（记者）", True), ("(a)", True), ("【a】", True), ("[a]", True), ("〔a〕", True), ("（a", False),
    ("a）", False), ("（", False), ("()", True), ("X好）", False), ("（好X", False),
])
def test_is_framed(text: str, expected: bool) -> None:
    assert is_framed(text) is expected


@pytest.mark.parametrize(("text", "expected"), [
    ("【编者按】按语。", Note("编者按", "按语。")), ("编者按：按语。", Note("编者按", "按语。")),
    ("编后", Note("编后", "")), ("编后：感想。", Note("编后", "感想。")), ("（编后语）感想", Note("编后语", "感想")),
    ("编后的工作很多", None), ("编者按 按语", None), ("油城", None),
])
def test_parse_note(text: str, expected: Note | None) -> None:
    assert parse_note(text) == expected
    if expected:
        assert expected.after_the_story is expected.name.startswith("编后")


@pytest.mark.parametrize(("value", "expected"), [
    ("新疆日报", ("新疆日报", None, None)),
    ("《克拉玛依日报》2024年7月18日第3版", ("克拉玛依日报", date(2024, 7, 18), "第3版")),
    ("《 新疆日报 》", ("新疆日报", None, None)),                      # spaces inside the title marks go
    ("，新疆日报；", ("新疆日报", None, None)),                        # separators around the value go
    ("新疆日报 2024-07-16 第 5 版", ("新疆日报", date(2024, 7, 16), "第5版")),
    ("报" * 2, ("报报", None, None)), ("报" * 20, ("报" * 20, None, None)),
    ("报", None), ("报" * 21, None),                                   # 2 to 20 characters, or prose
    ("新疆 日报", None), ("新疆日报。", None), ("《新疆日报》转", None), ("《》", None),
    ("《新疆日报》2024年7月18日2024年7月19日", None),                  # a second date is not lost silently
    ("新疆日报第3版第4版", None),
])
def test_parse_source_value(value: str, expected) -> None:
    origin = parse_source_value(value)
    assert (origin and (origin.publication, origin.date, origin.page)) == expected


def test_describe_origin_and_author() -> None:
    """As the import report shows them, in Chinese (its editors' wording) and in English (the tests' language)."""
    origin = Origin.model_construct(publication="新疆日报", date=date(2024, 7, 16), page="第5版")
    author = Author(name="张纪东", role="通讯员", org="克拉玛依融媒")
    i18n.set_language("zh")
    try:
        assert describe_origin(origin) == "报刊：新疆日报，日期：2024-07-16，版次：第5版"
        assert describe_origin(Origin.model_construct(publication="新疆日报", date=None, page=None)) == "报刊：新疆日报"
        assert describe_author(author) == "张纪东（通讯员，克拉玛依融媒）"
    finally:
        i18n.set_language("en")
    assert describe_origin(origin) == "publication: 新疆日报, date: 2024-07-16, page: 第5版"
    assert describe_author(author) == "张纪东 (通讯员, 克拉玛依融媒)"


def test_editor_fields() -> None:
    line = parse_credit_line("责任编辑:陈丽 本期编辑:王若惟 责任编辑：李明")
    assert line is not None and line.editors == {"责任编辑": "陈丽、李明", "本期编辑": "王若惟"}
    assert parse_credit_line("责任编辑:") is None              # a label with no name
    assert parse_credit_line("责任编辑：陈丽说好。") is None      # prose, not a name


@pytest.mark.parametrize(("line", "expected"), [
    ("克拉玛依市友谊大桥。克拉玛依融媒通讯员 田治民 摄",
     ("克拉玛依市友谊大桥。", "克拉玛依融媒通讯员 田治民 摄", ["田治民"], 10, "")),
    ("巡检换热站（王海燕 摄）", ("巡检换热站", "王海燕 摄", ["王海燕"], 6, "（）")),
    ("巡检换热站 (王海燕 摄)", ("巡检换热站", "王海燕 摄", ["王海燕"], 7, "()")),
    ("游船（摄于2023年4月22日）", ("游船（摄于2023年4月22日）", "", [], 16, "")),
    ("夜景。张三 摄 （摄于2023年4月22日）", ("夜景。（摄于2023年4月22日）", "张三 摄", ["张三"], 3, "")),
    ("本报记者 马晓宇 摄 2023年4月20日，杏花开了。",
     ("2023年4月20日，杏花开了。", "本报记者 马晓宇 摄", ["马晓宇"], 0, "")),
    ("机房。新华社发（王晨阳 摄）", ("机房。", "新华社发（王晨阳 摄）", ["王晨阳"], 3, "")),
    ("机房 新华社发 （王晨阳 摄）", ("机房", "新华社发 （王晨阳 摄）", ["王晨阳"], 3, "")),
    ("跳舞。摄影：李四", ("跳舞。", "摄影：李四", ["李四"], 3, "")),
    ("监测点。克拉玛依市林业和草原局 供图", ("监测点。", "克拉玛依市林业和草原局 供图", ["克拉玛依市林业和草原局"], 4, "")),
    ("夜景。资料图", ("夜景。", "资料图", [], 3, "")),
    ("（图片由克拉玛依市文旅局提供）", ("", "图片由克拉玛依市文旅局提供", ["克拉玛依市文旅局"], 1, "（）")),
    ("夜景。克拉玛依融媒记者 张三 通讯员 李四 摄", ("夜景。", "克拉玛依融媒记者 张三 通讯员 李四 摄", ["张三", "李四"], 3, "")),
    ("夜景 张三 摄", ("夜景", "张三 摄", ["张三"], 3, "")),
    ("图。" + "克" * 15 + "记者 张三 摄", ("图。", "克" * 15 + "记者 张三 摄", ["张三"], 2, "")),
    ("图。" + "克" * 16 + "记者 张三 摄", ("图。" + "克" * 16, "记者 张三 摄", ["张三"], 18, "")),
    ("图。A局 供图", ("图。", "A局 供图", ["A局"], 2, "")),
    ("图。" + "局" * 20 + " 供图", ("图。", "局" * 20 + " 供图", ["局" * 20], 2, "")),
    ("图。" + "局" * 21 + " 供图", None),
    ("夜景。好。张三 摄", ("夜景。好。", "张三 摄", ["张三"], 5, "")),    # names after the last sentence end
    ("。张三 摄", ("。", "张三 摄", ["张三"], 1, "")),
    ("图。好。A局 供图", ("图。好。", "A局 供图", ["A局"], 4, "")),
    ("夜景。克拉玛依融媒记者 张三 供图", ("夜景。", "克拉玛依融媒记者 张三 供图", ["张三"], 3, "")),
    ("图。A 供图", None),
    ("独山子区城市公园一角。", None),
])
def test_split_caption(line: str, expected) -> None:
    split = split_caption(line)
    assert (split and (split.caption, split.credit, split.names, split.credit_start, split.brackets)) == expected
    if split and split.credit and not split.brackets:
        assert line[split.credit_start:].startswith(split.credit)


def test_quotation_marks_only() -> None:
    assert not is_quotation("X加油X") and not is_quotation("X加油”") and not is_quotation("“加油X")


# --- the importer's decoding ---------------------------------------------------------------------------

COPY = "克拉玛依融媒通讯员 张三\n一、近年来,克拉玛依市坚持生态优先.\n责任编辑:陈丽\n"


@pytest.mark.parametrize(("encoding", "codec"), [
    ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be"),   # no BOM: Han text has few zero bytes
    ("gb18030", "gb18030"), ("utf-8", "utf-8"),
])
def test_bomless_utf16_mostly_han_is_recognised(encoding: str, codec: str) -> None:
    from kmyreport.ingest.decode import decode_bytes
    text, found, _ = decode_bytes(COPY.encode(encoding), Path("raw.txt"))
    assert (text, found) == (COPY, codec)


def test_ascii_in_utf16_is_not_read_as_utf8() -> None:
    from kmyreport.ingest.decode import decode_bytes
    assert decode_bytes("Karamay news\n".encode("utf-16-le"), Path("raw.txt"))[:2] == ("Karamay news\n", "utf-16-le")
    assert decode_bytes("一".encode("utf-16-le") * 8, Path("raw.txt"))[:2] == ("一" * 8, "utf-16-le")


def test_bylines_and_credit_lines() -> None:
    from kmyreport.ingest.rules.bylines import parse_byline
    assert [(a.name, a.role, a.org) for a in parse_byline("克拉玛依融媒体记者 张三")] == [("张三", "记者", "克拉玛依融媒体")]
    assert [(a.name, a.role, a.org) for a in parse_byline("文／图 张三")] == [("张三", "文/图", None)]
    assert parse_byline("克拉玛依融媒记者") is None  # a role with nobody after it
    line = parse_credit_line("编辑：陈丽 来源：克拉玛依融媒")
    assert line is not None and (line.house, line.house_column) == ("来源：克拉玛依融媒", 7)
