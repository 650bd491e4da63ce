"""The editor's desk (#15), the commands' side: `verify` says only what it knows, `import` pairs
captions with photo files and lists the article in its issue, `schema`, `new issue`.

Each test runs the real command line in this process and reads its messages and exit code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
import yaml

from kmyreport import i18n
from kmyreport.verapdf import VeraResult

from .conftest import MANIFEST, REPO, Scratch

RAW = Path(__file__).parent / "raw" / "13_photos_row.txt"   # four captions


@pytest.fixture
def desk(tmp_path: Path) -> Scratch:
    """A bare folder to run commands in (verify and import need no layouts or fonts)."""
    root = tmp_path / "desk"
    root.mkdir()
    return Scratch(root)


@pytest.fixture
def chinese() -> Iterator[None]:
    """Messages in Chinese for one test (the import report is checked in the editors' wording), then
    English again, as the tests read it."""
    i18n.set_language("zh")
    try:
        yield
    finally:
        i18n.set_language("en")


def pdfa_claiming(path: Path, *, lang: bool = True) -> Path:
    """A small PDF that claims PDF/A-3b and passes kmyreport's own archive checks (or, without
    `lang`, fails one): enough for verify's verdicts without building an issue."""
    with pikepdf.new() as pdf:
        pdf.add_blank_page()
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"], meta["pdfaid:conformance"] = "3", "B"
            meta["dc:title"] = "克拉玛依融媒 第9期"
        if lang:
            pdf.Root.Lang = pikepdf.String("zh-CN")
        profile = pdf.make_stream(b"not really a profile", N=3)
        pdf.Root.OutputIntents = pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFA1, OutputConditionIdentifier="sRGB",
            DestOutputProfile=profile)])
        pdf.save(path)
    return path


# 1. verify says only what it knows

def test_verify_without_verapdf_is_not_validated_and_never_compliant(desk: Scratch,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = pdfa_claiming(desk.root / "copy.pdf")
    monkeypatch.setenv("KMYREPORT_VERAPDF_JAR", str(desk.root / "absent.jar"))
    run = desk.cli("verify", "copy.pdf")
    assert run.returncode == 3, run.stdout + run.stderr
    assert run.stdout.startswith("not validated (veraPDF not installed): own checks pass — copy.pdf: PDF/A-3B; "
                                 "6/6 own checks; veraPDF not run")
    assert "compliant" not in run.stdout
    assert "veraPDF is not installed: './dev verapdf' builds it" in run.stderr

    asked = desk.cli("verify", "--no-verapdf", str(pdf))
    assert asked.returncode == 3 and "compliant" not in asked.stdout
    assert asked.stdout.startswith("not validated (--no-verapdf): own checks pass — copy.pdf")
    assert "run verify without --no-verapdf to validate with veraPDF" in asked.stderr


def test_verify_calls_compliant_only_what_verapdf_passed(desk: Scratch, monkeypatch: pytest.MonkeyPatch) -> None:
    import kmyreport.verify as verify

    pdfa_claiming(desk.root / "good.pdf")
    pdfa_claiming(desk.root / "bad.pdf", lang=False)
    monkeypatch.setattr(verify, "find_verapdf_jar", lambda: desk.root / "harness.jar")
    monkeypatch.setattr(verify.shutil, "which", lambda name: "/usr/bin/java")
    monkeypatch.setattr(verify, "run_verapdf", lambda paths, flavours: [VeraResult(paths[0], "3b", True)])
    run = desk.cli("verify", "good.pdf")
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("compliant — good.pdf: PDF/A-3B; 6/6 own checks; veraPDF 3b pass")

    both = desk.cli("verify", "good.pdf", "bad.pdf")   # the worst verdict decides the exit code
    assert both.returncode == 1
    assert "NOT compliant — bad.pdf: PDF/A-3B; 5/6 own checks" in both.stdout
    assert "    - language: no /Lang in the catalog" in both.stdout

    monkeypatch.setattr(verify, "run_verapdf", lambda paths, flavours: [VeraResult(paths[0], "3b", False)])
    failed = desk.cli("verify", "good.pdf")
    assert failed.returncode == 1 and failed.stdout.startswith("NOT compliant — good.pdf")

    mixed = desk.cli("verify", "--no-verapdf", "good.pdf", "bad.pdf")
    assert mixed.returncode == 1 and "not validated (--no-verapdf)" in mixed.stdout


def test_verify_help_documents_the_exit_codes(desk: Scratch) -> None:
    run = desk.cli("verify", "--help")
    assert run.returncode == 0
    text = " ".join(run.stdout.split())
    assert "0 every file compliant" in text and "1 a check failed" in text and "3 the own checks pass" in text


# 3. import: which photo goes with which caption, and the line that lists the article

COMMENTED = "# 第3期：只改这里的文章顺序\n" + MANIFEST.replace("  - title: 要闻\n", "  - title: 要闻   # 头版\n") + \
    "      # - articles/held-back.md   (next week)\n"


def incoming_photos(desk: Scratch) -> None:
    """Three photo files for the four captions of RAW."""
    for name in ("a.jpg", "b.jpg", "c.jpg"):
        desk.write(f"incoming/{name}", b"\xff\xd8 not decoded by import")


@pytest.mark.usefixtures("chinese")
def test_import_report_pairs_each_caption_with_its_photo_file(desk: Scratch) -> None:
    incoming_photos(desk)
    run = desk.cli("import", str(RAW), "--photos", "incoming", "--dry-run")
    assert run.returncode == 0, run.stderr
    assert "图片与说明（4 条说明，3 张图片按文件名顺序配对，1 张缺图）：" in run.stdout
    assert "  1. 第4行  “世界魔鬼城景区迎来客流高峰。”  ← incoming/a.jpg（文中：photos/a.jpg）" in run.stdout
    assert "  4. 第7行  “乌尔禾区的胡杨林。”  ← 缺图，暂用占位文件名 photos/MISSING-4.jpg" in run.stdout

    desk.write("sources/t/issue.yaml", MANIFEST)
    run = desk.cli("import", str(RAW), "--photos", "incoming", "-o", "sources/t/articles/tour.md")
    assert run.returncode == 0, run.stderr
    assert "  第5行“黑油山景区游人如织。”：incoming/b.jpg → photos/b.jpg" in run.stderr
    assert "  第7行“乌尔禾区的胡杨林。”：没有图片文件，文中暂用占位文件名 photos/MISSING-4.jpg" in run.stderr
    assert "图片目录只有 3 个图片文件，图片说明有 4 条；第 4 张起使用占位文件名 MISSING-n.jpg" in run.stderr


def test_import_pairs_each_caption_with_its_photo_file(desk: Scratch) -> None:
    incoming_photos(desk)
    run = desk.cli("import", str(RAW), "--photos", "incoming", "--dry-run")
    assert run.returncode == 0, run.stderr
    assert ("Photos and captions (4 captions, 3 paired with photo files in order of file name, 1 without a "
            "photo):") in run.stdout
    assert "  1. line 4  “世界魔鬼城景区迎来客流高峰。”  ← incoming/a.jpg (in the article: photos/a.jpg)" in run.stdout
    assert "  4. line 7  “乌尔禾区的胡杨林。”  ← no photo; placeholder file name photos/MISSING-4.jpg for now" \
        in run.stdout

    desk.write("sources/t/issue.yaml", MANIFEST)
    run = desk.cli("import", str(RAW), "--photos", "incoming", "-o", "sources/t/articles/tour.md")
    assert run.returncode == 0, run.stderr
    assert "  line 5 “黑油山景区游人如织。”: incoming/b.jpg → photos/b.jpg" in run.stderr
    assert "  line 7 “乌尔禾区的胡杨林。”: no photo file; the article refers to photos/MISSING-4.jpg" in run.stderr
    # without --add it only says which line to add where; the manifest is unchanged
    assert ("add to sources/t/issue.yaml under a section's articles:   - articles/tour.md   (--add does it)"
            in run.stderr)
    assert desk.manifest().read_text(encoding="utf-8") == MANIFEST


def test_import_add_lists_the_article_and_keeps_the_comments(desk: Scratch) -> None:
    desk.write("sources/t/issue.yaml", COMMENTED)
    run = desk.cli("import", str(RAW), "-o", "sources/t/articles/tour.md", "--add")
    assert run.returncode == 0, run.stderr
    assert ("added articles/tour.md to the articles of the last section of sources/t/issue.yaml (line 11)"
            in run.stderr)
    text = desk.manifest().read_text(encoding="utf-8")
    assert text == COMMENTED.replace("      - articles/a.md\n", "      - articles/a.md\n      - articles/tour.md\n")
    assert yaml.safe_load(text)["sections"][0]["articles"] == ["articles/a.md", "articles/tour.md"]

    again = desk.cli("import", str(RAW), "-o", "sources/t/articles/tour.md", "--add", "--force")
    assert again.returncode == 0 and "already listed in sources/t/issue.yaml" in again.stderr
    assert desk.manifest().read_text(encoding="utf-8") == text

    flow = "publication: {name: 克拉玛依融媒}\nissue: {number: 9, date: 2024-07-20}\n" \
           "sections:\n  - articles: [articles/a.md]   # one so far\n"
    desk.write("sources/f/issue.yaml", flow)
    assert desk.cli("import", str(RAW), "-o", "sources/f/articles/b.md", "--add").returncode == 0
    assert desk.manifest("f").read_text(encoding="utf-8") == flow.replace("[articles/a.md]",
                                                                          "[articles/a.md, articles/b.md]")


def test_import_add_says_what_it_cannot_do(desk: Scratch) -> None:
    run = desk.cli("import", str(RAW), "-o", "sources/none/articles/x.md", "--add")
    assert run.returncode == 1
    assert ("error: no issue manifest at sources/none/issue.yaml: the article is not in an issue yet; create the "
            "issue (kmyreport new issue ID) or write the manifest") in " ".join(run.stderr.split())

    desk.write("sources/daily/issue.yaml", "publication: {name: 克拉玛依融媒}\nissue: {number: 1, date: 2024-08-16}\n"
               "layout: newspaper\npages:\n  - {number: 1, name: 要闻, editor: 王若惟, stories: []}\n")
    run = desk.cli("import", str(RAW), "-o", "sources/daily/articles/x.md", "--add")
    assert run.returncode == 1 and "sources/daily/issue.yaml is a newspaper" in run.stderr
    hint = desk.cli("import", str(RAW), "-o", "sources/daily/articles/y.md")
    assert "add to sources/daily/issue.yaml under a page's stories" in hint.stderr
    assert "- {source: articles/y.md, area: {col: 1, cols: 3, row: 1, rows: 5}}" in hint.stderr

    run = desk.cli("import", str(RAW), "--add")
    assert run.returncode == 1 and "--add needs -o sources/<id>/articles/NAME.md" in run.stderr


# 4. JSON Schemas for the files people write

def _json_ready(value: object) -> object:
    """YAML data as an editor's language server sees it: dates are strings."""
    if isinstance(value, dict):
        return {str(k): _json_ready(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


def _validator(name: str):  # noqa: ANN202
    import json

    import jsonschema

    schema = json.loads((REPO / "schemas" / name).read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _front_matter(path: Path) -> object:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n"), path
    return yaml.safe_load(text[4:text.index("\n---", 4)])


def test_the_committed_schemas_are_those_of_the_models(desk: Scratch) -> None:
    from kmyreport.schema import SCHEMAS, schema_text

    for spec in SCHEMAS:
        committed = (REPO / "schemas" / spec.name).read_text(encoding="utf-8")
        assert committed == schema_text(spec), f"schemas/{spec.name} is out of date: run kmyreport schema"
    run = desk.cli("schema", "--output", "here")
    assert run.returncode == 0 and "wrote here/issue.schema.json" in run.stdout
    assert desk.cli("schema", "--output", "here", "--check").returncode == 0
    (desk.root / "here" / "layout.schema.json").write_text("{}", encoding="utf-8")
    stale = desk.cli("schema", "--output", "here", "--check")
    assert stale.returncode == 1
    assert "here/layout.schema.json is out of date; run kmyreport schema --output here" in stale.stderr


def test_the_schemas_accept_every_sample_and_layout_and_refuse_a_slip() -> None:
    issue, article, layout = (_validator(f"{kind}.schema.json") for kind in ("issue", "article", "layout"))
    manifests = sorted((REPO / "sources").glob("*/issue.yaml"))
    layouts = sorted((REPO / "layouts").glob("*/layout.yaml")) + [REPO / "docs/example/oasis/layout.yaml"]
    articles = sorted((REPO / "sources").glob("*/articles/*.md"))
    assert len(manifests) >= 2 and len(layouts) >= 4 and len(articles) >= 20
    for path in manifests:
        data = _json_ready(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert not list(issue.iter_errors(data)), path
        assert path.read_text(encoding="utf-8").startswith(
            "# yaml-language-server: $schema=../../schemas/issue.schema.json\n"), path
        slip = dict(data, issue=dict(data["issue"], nubmer=3))
        assert any("'nubmer' was unexpected" in e.message for e in issue.iter_errors(slip)), path
    for path in layouts:
        data = _json_ready(yaml.safe_load(path.read_text(encoding="utf-8")))
        assert not list(layout.iter_errors(data)), path
        assert list(layout.iter_errors(dict(data, colums=2))), path
    for path in layouts[:-1]:
        assert path.read_text(encoding="utf-8").startswith(
            "# yaml-language-server: $schema=../../schemas/layout.schema.json\n"), path
    for path in articles:
        data = _json_ready(_front_matter(path))
        assert not list(article.iter_errors(data)), path
    slip = {"title": "标题", "author": [{"name": "马晓宇"}]}
    assert [e.message for e in article.iter_errors(slip)] == [
        "Additional properties are not allowed ('author' was unexpected)"]
    # what the schemas say beyond the fields: sections or pages; a layout that extends gives what changes
    assert list(issue.iter_errors({"publication": {"name": "x"}, "issue": {"number": 1, "date": "2024-07-20"}}))
    assert not list(layout.iter_errors({"name": "kid", "extends": "bulletin", "page": {"width_mm": 200}}))
    assert list(layout.iter_errors({"name": "kid", "page": {"width_mm": 200}}))


# 5. new issue

def test_new_issue_follows_the_previous_one_and_compiles_as_it_is(workspace: Scratch) -> None:
    sample = (REPO / "sources" / "2024-07" / "issue.yaml").read_text(encoding="utf-8")
    workspace.write("sources/2024-07/issue.yaml", sample)
    june = sample.replace("number: 7", "number: 6").replace("date: 2024-07-20", "date: 2024-06-20")
    workspace.write("sources/2024-06/issue.yaml", june.replace("总第128期", "总第127期"))
    workspace.write("sources/2024-08-daily/issue.yaml",
                    (REPO / "sources" / "2024-08-daily" / "issue.yaml").read_text(encoding="utf-8"))

    run = workspace.cli("new", "issue", "2024-08")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ("made sources/2024-08 from sources/2024-07: 第8期, 2024-08-20; "
                                  "articles/01-placeholder.md is a placeholder to replace")
    folder = workspace.issue_dir("2024-08")
    assert sorted(p.name for p in folder.iterdir()) == ["articles", "issue.yaml", "photos"]
    data = yaml.safe_load((folder / "issue.yaml").read_text(encoding="utf-8"))
    before = yaml.safe_load(sample)
    assert data["issue"] == {"number": 8, "date": dt.date(2024, 8, 20), "volume": "总第129期"}
    for key in ("publication", "layout", "editors"):
        assert data[key] == before[key], key
    assert data["sections"] == [{"title": "要闻", "articles": ["articles/01-placeholder.md"]}]
    assert "keywords" not in data and "title" not in data["issue"]

    compiled = workspace.cli("compile", "sources/2024-08/issue.yaml", "--edition", "screen")
    assert compiled.returncode == 0, compiled.stderr
    assert "1 articles" in compiled.stdout and "0 warnings" in compiled.stdout

    made = (folder / "issue.yaml").read_text(encoding="utf-8")
    again = workspace.cli("new", "issue", "2024-08", "--from", "2024-06")
    assert again.returncode == 1
    assert again.stderr.strip() == ("error: sources/2024-08 already exists; nothing was changed: choose another id, "
                                    "or remove the folder first")
    assert (folder / "issue.yaml").read_text(encoding="utf-8") == made

    daily = workspace.cli("new", "issue", "2024-08-17-daily")   # one issue of that series: no interval
    assert daily.returncode == 1 and "give the date with --date YYYY-MM-DD" in daily.stderr
    daily = workspace.cli("new", "issue", "2024-08-17-daily", "--date", "2024-08-17")
    assert daily.returncode == 0, daily.stderr
    assert "from sources/2024-08-daily: 第229期, 2024-08-17" in daily.stdout
    pages = yaml.safe_load(workspace.manifest("2024-08-17-daily").read_text(encoding="utf-8"))["pages"]
    assert [p["name"] for p in pages] == ["要闻", "综合", "城事", "文化"]
    assert pages[0]["stories"] == [{"source": "articles/01-placeholder.md", "rank": 1,
                                    "area": {"col": 1, "cols": 6, "row": 4, "rows": 3}}]
    compiled = workspace.cli("compile", "sources/2024-08-17-daily/issue.yaml", "--edition", "screen")
    assert compiled.returncode == 0, compiled.stderr
    assert "4 pages" in compiled.stdout and "1 articles" in compiled.stdout

    for args, words in [(("2024/09",), "'2024/09' is not a folder name"),
                        (("2024-09", "--date", "九月"), "--date 九月: not a date"),
                        (("2024-09", "--from", "1999-01"), "--from 1999-01: no issue manifest there")]:
        run = workspace.cli("new", "issue", *args)
        assert run.returncode == 1 and words in run.stderr, (args, run.stderr)
    assert not list(workspace.root.joinpath("sources").glob(".*"))   # no staging folder left behind


# 2. the sidecar says what the store's check knew, in UTF-8

def test_the_sidecar_calls_a_copy_compliant_only_when_verapdf_validated_it(desk: Scratch,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from kmyreport.editions.archive import validation_record, write_sidecar
    from kmyreport.verify import verify_pdf

    pdf = pdfa_claiming(desk.root / "copy.pdf")
    monkeypatch.setenv("KMYREPORT_VERAPDF_JAR", str(desk.root / "absent.jar"))
    record = validation_record(verify_pdf(pdf, check_sidecar=False))
    assert record["compliant"] is None and record["verapdf"] is None
    assert record["verdict"] == "not validated (veraPDF not installed): own checks pass"
    assert validation_record(verify_pdf(pdf, use_verapdf=False, check_sidecar=False))["verdict"] == \
        "not validated (--no-verapdf): own checks pass"
    write_sidecar(desk.root / "copy.json", {"issue": {"publisher": "克拉玛依市融媒体中心"}, "validation": record})
    raw = (desk.root / "copy.json").read_bytes()
    assert "克拉玛依市融媒体中心".encode() in raw and b"\\u" not in raw
    assert json.loads(raw)["validation"]["verdict"].startswith("not validated")
