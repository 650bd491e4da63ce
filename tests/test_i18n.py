"""Messages in Chinese and English (#15): the real command under a Chinese and an English locale,
--lang over the locale, and the catalogue itself (complete, compiled, its fields intact)."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from kmyreport import i18n

from .conftest import make_workspace

LOCALE = Path(i18n.__file__).parent / "locale" / "zh_CN" / "LC_MESSAGES"
FIELD = re.compile(r"\{(\w*)[^{}]*\}")

BROKEN_MANIFEST = """\
publication:
  name: 克拉玛依融媒
issue:
  number：3
  date: 2024-03-01
sections:
  - title: 要闻
    articles:
      - articles/missing.md
"""


def _start(root: Path, lang: str, *args: str) -> subprocess.Popen:
    """The real command in a new process under the locale `lang` (nothing else chooses the language)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "KMYREPORT_LANG", "SOURCE_DATE_EPOCH")}
    env.update(LANG=lang, COLUMNS="200")
    return subprocess.Popen([sys.executable, "-m", "kmyreport", *args], cwd=root, env=env, text=True,
                            encoding="utf-8", stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, font_store: Path) -> dict[str, tuple[int, str, str]]:
    """Every run of this module, started at once: (exit code, stdout, stderr) by name."""
    root = make_workspace(tmp_path_factory.mktemp("i18n") / "ws", font_store).root
    (root / "sources" / "t").mkdir(parents=True)
    (root / "sources" / "t" / "issue.yaml").write_text(BROKEN_MANIFEST, encoding="utf-8")
    manifest = "sources/t/issue.yaml"
    _small_pdfa(root / "copy.pdf")
    started = {
        "error zh": _start(root, "zh_CN.UTF-8", "compile", manifest),
        "error en": _start(root, "C.UTF-8", "compile", manifest),
        "help zh": _start(root, "zh_CN.UTF-8", "compile", "--help"),
        "help en": _start(root, "C.UTF-8", "compile", "--help"),
        "help --lang en": _start(root, "zh_CN.UTF-8", "--lang", "en", "compile", "--help"),
        "--lang fr": _start(root, "C.UTF-8", "--lang", "fr", "compile", "--help"),
        "verify zh": _start(root, "zh_CN.UTF-8", "verify", "--no-verapdf", "copy.pdf"),
        "check json zh": _start(root, "zh_CN.UTF-8", "check", "--json", "--no-render", manifest),
        "check json en": _start(root, "C.UTF-8", "check", "--json", "--no-render", manifest),
    }
    done = {}
    for name, process in started.items():
        stdout, stderr = process.communicate(timeout=120)
        done[name] = (process.returncode, stdout, stderr)
    return done


def _small_pdfa(path: Path) -> None:
    """A one-page PDF claiming PDF/A-3b that passes the own archive checks (as in test_commands)."""
    import pikepdf

    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"], meta["pdfaid:conformance"] = "3", "B"
            meta["dc:title"] = "克拉玛依融媒 第9期"
        pdf.Root.Lang = pikepdf.String("zh-CN")
        pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1, OutputConditionIdentifier="sRGB",
            DestOutputProfile=pdf.make_stream(b"not really a profile", N=3))])
        pdf.save(path)


def _located(stderr: str) -> list[str]:
    return re.findall(r"sources/t/issue\.yaml:\d+:\d+", stderr)


def test_a_mistake_is_told_in_chinese_under_a_chinese_locale_and_in_english_under_c(runs):
    code_zh, _, zh = runs["error zh"]
    code_en, _, en = runs["error en"]
    assert code_zh == code_en == 1
    assert "错误：sources/t/issue.yaml:4:9: YAML 语法错误：键 'number' 后面是全角冒号“：”；请改为半角冒号 ':' 加一个空格" \
           "（写成 'number: 3'）" in zh
    assert "error: sources/t/issue.yaml:4:9: YAML syntax error: the key 'number' ends with a full-width colon '：'; " \
           "replace it with ':' followed by a space (type 'number: 3')" in en
    assert "找不到文件：articles/missing.md；请检查路径（相对于本清单）或补上这篇文章" in zh
    assert "file not found: articles/missing.md; check the path (relative to this manifest) or add the article" in en
    assert "共 2 个错误；请修改后重新运行" in zh
    assert "2 errors; fix them and run again" in en
    assert _located(zh) == _located(en) == ["sources/t/issue.yaml:4:9", "sources/t/issue.yaml:9:9"]
    assert "error" not in zh and "YAML syntax error" not in zh


def test_lang_en_overrides_a_chinese_locale(runs):
    assert runs["help --lang en"] == runs["help en"]


def test_lang_takes_zh_or_en(runs):
    code, _, stderr = runs["--lang fr"]
    assert code == 2 and "choose zh (Chinese) or en (English), not 'fr'" in stderr


def test_compile_help_in_both_languages_without_bool(runs):
    code_zh, zh, _ = runs["help zh"]
    code_en, en, _ = runs["help en"]
    assert code_zh == code_en == 0
    assert "将一期刊物编译为 PDF。" in zh and "持续运行，源文件、照片、版式或字体一有改动就重新生成。" in zh
    assert "Compile an issue to PDF." in en and "Stay running and rebuild whenever a source" in en
    assert "Stay running" not in zh and "持续运行" not in en
    for text in (zh, en):
        assert "--watch" in text and "<bool>" not in text
        assert "<int>" in text  # an option that takes a value still shows its type


def test_verify_gives_its_verdict_in_chinese_with_the_same_exit_code(runs):
    code, verdict, advice = runs["verify zh"]
    assert code == 3  # not validated, as in English (tests/test_commands.py has the English lines)
    assert verdict.startswith("未经验证（--no-verapdf）：自检通过 — copy.pdf：PDF/A-3B；自检 6/6 项通过；未运行 veraPDF")
    assert "不加 --no-verapdf 运行 verify，即可用 veraPDF 验证" in advice
    assert "validated" not in verdict + advice


def test_check_json_keeps_its_keys_and_codes_in_english_and_says_the_messages_in_chinese(runs):
    import json

    code_zh, zh, _ = runs["check json zh"]
    code_en, en, _ = runs["check json en"]
    assert code_zh == code_en == 2
    report_zh, report_en = json.loads(zh), json.loads(en)
    messages_zh = [f.pop("message") for f in report_zh["findings"]]
    messages_en = [f.pop("message") for f in report_en["findings"]]
    assert report_zh == report_en  # keys, severities, codes, places: data, the same in both languages
    assert {f["severity"] for f in report_zh["findings"]} == {"error"}
    assert messages_zh == ["YAML 语法错误：键 'number' 后面是全角冒号“：”；请改为半角冒号 ':' 加一个空格（写成 'number: 3'）"]
    assert messages_en[0].startswith("YAML syntax error: the key 'number' ends with a full-width colon")


def test_every_command_has_a_one_paragraph_summary_in_the_root_help():
    """A command's summary (its help's first paragraph) has no hard line break: the root help showed
    one in the middle of batch's and schema's sentences."""
    import typer

    from kmyreport.cli import app

    group = typer.main.get_command(app)
    commands = dict(group.commands)  # type: ignore[attr-defined]
    commands.update({f"new {name}": c for name, c in commands["new"].commands.items()})  # type: ignore[attr-defined]
    for name, command in commands.items():
        assert command.help and "\n" not in command.help.split("\n\n")[0], name


@pytest.fixture
def language():
    """Switch the language inside a test; the one chosen at import comes back afterwards."""
    before = i18n.language()
    yield i18n.set_language
    i18n.set_language(before)


def test_messages_are_translated_when_raised(language, tmp_path):
    from kmyreport.yamlfile import read_yaml

    text = "issue:\n  number：3\n"
    language("zh")
    assert [str(e).split(": ", 1)[1] for e in read_yaml(text, tmp_path / "x.yaml")[2]] == [
        "YAML 语法错误：键 'number' 后面是全角冒号“：”；请改为半角冒号 ':' 加一个空格（写成 'number: 3'）"]
    language("en")
    assert "the key 'number' ends with a full-width colon" in str(read_yaml(text, tmp_path / "x.yaml")[2][0])


# A small raw file with one line of each common kind, and what its import report says in each language
# (written out by hand from the file: title, byline, bulleted head, paragraph with an indent, a half-width
# comma and an emoji, photo caption with credit, editor line, end mark; no photo folder).
RAW_COPY = "油城新闻\n克拉玛依融媒记者 张三\n■ 一线传真\n  今天,油城天气晴朗🔥。\n友谊大桥夜景。 李四 摄\n编辑：王五\n（完）\n"
REPORT_EN = """\
Encoding: UTF-8

Recognised lines:
  line 1  [title]  油城新闻
  line 2  [byline]  克拉玛依融媒记者 张三
      → authors: 张三 (记者, 克拉玛依融媒)
  line 3  [section head]  ■ 一线传真
      → 一线传真
  line 4  [paragraph]  今天,油城天气晴朗。
  line 5  [photo caption]  友谊大桥夜景。 李四 摄
      → caption: 友谊大桥夜景。 | credit: 李四 摄 | photographer/supplier: 李四
  line 6  [editors]  编辑：王五
      → 编辑: 王五
  line 7  [end matter (dropped)]  （完）
      → end mark (at the end, dropped)

Photos and captions (1 caption, 0 paired with photo files in order of file name, 1 without a photo):
  1. line 5  “友谊大桥夜景。”  ← no photo; placeholder file name photos/MISSING-1.jpg for now

Punctuation normalised (2 changes):
  line 3 column 1  “■␠” → “(removed)”  bullet or bold marks of the section head removed  (original: …■ 一线传真…)
  line 4 column 3  “,” → “，”  half-width punctuation made full-width  (original: …今天,油城天气晴朗…)

Characters cleaned:
  line 4: indent at the start of the line removed

Emoji removed (1):
  line 4 column 12  🔥  U+1F525

Lines dropped:
  line 7  “（完）”  end mark (at the end, dropped)

Warnings:
  - no photo folder given: 1 photo has the placeholder file name MISSING-n.jpg; add the photo
"""
# The same in Chinese: the wording the report had before it was translated (the editors know it).
REPORT_ZH = """\
编码：UTF-8

识别结果：
  第1行  [标题]  油城新闻
  第2行  [署名]  克拉玛依融媒记者 张三
      → 作者：张三（记者，克拉玛依融媒）
  第3行  [小标题]  ■ 一线传真
      → 一线传真
  第4行  [正文段落]  今天,油城天气晴朗。
  第5行  [图片说明]  友谊大桥夜景。 李四 摄
      → 说明：友谊大桥夜景。 ｜ 署名：李四 摄 ｜ 摄影/供图：李四
  第6行  [编辑人员]  编辑：王五
  第7行  [文末杂项（已删除）]  （完）
      → 结束标记（文末，已删除）

图片与说明（1 条说明，0 张图片按文件名顺序配对，1 张缺图）：
  1. 第5行  “友谊大桥夜景。”  ← 缺图，暂用占位文件名 photos/MISSING-1.jpg

标点规范化（2 处）：
  第3行第1列  “■␠” → “（删除）”  去掉小标题的项目符号或加粗记号  （原文：…■ 一线传真…）
  第4行第3列  “,” → “，”  半角标点改全角  （原文：…今天,油城天气晴朗…）

字符清理：
  第4行：删除行首缩进

删除的表情符号（1 个）：
  第4行第12列  🔥  U+1F525

删除的行：
  第7行  “（完）”  结束标记（文末，已删除）

警告：
  - 未指定图片目录：1 张图片使用占位文件名 MISSING-n.jpg，请补上图片
"""


@pytest.mark.parametrize(("lang", "heading", "expected"), [
    ("en", "Import report: ", REPORT_EN), ("zh", "导入报告：", REPORT_ZH)])
def test_the_import_report_reads_in_the_chosen_language(language, tmp_path, lang, heading, expected):
    from kmyreport.ingest import import_raw

    path = tmp_path / "raw.txt"
    path.write_text(RAW_COPY, encoding="utf-8")
    language(lang)  # the import's details and warnings are translated as it runs, the report as it is written
    result = import_raw(path)
    first, rest = result.report.to_text().split("\n", 1)
    assert first == heading + result.report.source and result.report.source.endswith("raw.txt")
    assert rest == expected


def test_the_report_names_punctuation_changes_as_normalize_does_in_chinese(language):
    """The report names a punctuation change in English by its rule (ingest.report.CHANGE_LABELS); in
    Chinese it says what normalize.RULE_LABELS says."""
    from kmyreport.ingest.report import CHANGE_LABELS, KIND_LABELS
    from kmyreport.normalize import RULE_LABELS

    assert CHANGE_LABELS.keys() == RULE_LABELS.keys()
    language("zh")
    assert {rule: i18n._(label) for rule, label in CHANGE_LABELS.items()} == RULE_LABELS
    assert all(i18n._(label) != label for label in KIND_LABELS.values())  # N_ tables: translated where used
    language("en")
    assert {rule: i18n._(label) for rule, label in CHANGE_LABELS.items()} == CHANGE_LABELS


@pytest.mark.parametrize(("environ", "argv", "expected"), [
    ({"LANG": "zh_CN.UTF-8"}, [], "zh"),
    ({"LANG": "C.UTF-8"}, [], "en"),
    ({}, [], "en"),
    ({"LANGUAGE": "en_GB:zh_CN", "LANG": "zh_CN.UTF-8"}, [], "en"),  # LANGUAGE goes first, as in gettext
    ({"LC_ALL": "zh_TW.UTF-8", "LANG": "C"}, [], "zh"),
    ({"KMYREPORT_LANG": "en", "LC_ALL": "zh_CN.UTF-8"}, [], "en"),
    ({"LANG": "zh_CN.UTF-8"}, ["--lang", "en", "compile"], "en"),
    ({"LANG": "C.UTF-8"}, ["--lang=zh", "check"], "zh"),
    ({"LANG": "C.UTF-8"}, ["--", "--lang", "zh"], "en"),
    ({"LANG": "C.UTF-8"}, ["compile", "--lang", "zh"], "en"),  # before the command only, as --help says
])
def test_the_language_is_chosen_by_lang_then_kmyreport_lang_then_the_locale(environ, argv, expected):
    chosen = i18n.from_arguments(argv)
    assert (chosen if chosen in i18n.LANGUAGES else i18n.from_environment(environ)) == expected


def _catalogue():
    from babel.messages.pofile import read_po

    with (LOCALE / "kmyreport.po").open("rb") as po:
        return read_po(po)


def _extracted() -> list[tuple[str, tuple[str, ...]]]:
    """(file, message ids) of every text the sources mark for translation, as ./dev messages extracts them."""
    from babel.messages.extract import extract_from_dir

    source = Path(i18n.__file__).parent
    found = []
    for file, _line, message, _comments, _context in extract_from_dir(
            str(source), method_map=[("**.py", "python")],
            keywords={"_": None, "N_": None, "ngettext": (1, 2)}):
        found.append((file, message if isinstance(message, tuple) else (message,)))
    return found


def test_every_text_in_the_sources_has_a_chinese_translation():
    catalogue = _catalogue()
    untranslated = []
    for file, ids in _extracted():
        entry = catalogue.get(ids[0])
        strings = () if entry is None else entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if entry is None or entry.fuzzy or not all(strings):
            untranslated.append(f"{file}: {ids[0]!r}")
    assert not untranslated, "run ./dev messages and translate in kmyreport.po:\n" + "\n".join(untranslated)


def test_translations_keep_the_fields_of_their_english_text():
    wrong = []
    for message in _catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        fields = set(FIELD.findall(ids[-1]))
        for string in strings:
            if set(FIELD.findall(string)) != fields:
                wrong.append(f"{ids[0]!r}: {string!r}")
            try:
                string.format("x", **{name: "x" for name in fields})
            except (IndexError, KeyError, ValueError) as exc:  # a stray brace
                wrong.append(f"{ids[0]!r}: {exc}")
    assert not wrong, "\n".join(wrong)


def test_the_committed_mo_is_the_po_compiled():
    from babel.messages.mofile import write_mo

    fresh = io.BytesIO()
    write_mo(fresh, _catalogue())
    assert (LOCALE / "kmyreport.mo").read_bytes() == fresh.getvalue(), "run ./dev messages to compile the .po"
