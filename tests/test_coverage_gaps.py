"""Paths no test took before (#14): --workspace, SOURCE_DATE_EPOCH, the photo cache across compiles,
the low-resolution warning as compile prints it, the generated 本文原载于 note, a character outside
the BMP (𠮷), the glyph check of the manifest, the URL fetcher's own refusals, and the importer's
command line (--force, standard output, UTF-16 without a BOM). Expected values are written by hand."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pikepdf
import pytest

from kmyreport.render.fetcher import WorkspaceURLFetcher
from kmyreport.workspace import VIRTUAL_ROOT, Workspace

from .conftest import ARTICLE, MANIFEST, CliRun, Scratch, body_text, jpeg_bytes


def cli(ws: Scratch, *args: str, epoch: str | None = None, cwd: Path | None = None) -> CliRun:
    """The command line in this process, with SOURCE_DATE_EPOCH as given (unset when None)."""
    from typer.testing import CliRunner

    from kmyreport.cli import app

    before = Path.cwd()
    os.chdir(cwd or ws.root)
    try:
        result = CliRunner().invoke(app, list(args), env={"SOURCE_DATE_EPOCH": epoch})
    finally:
        os.chdir(before)
    return CliRun(result.exit_code, result.stdout, result.stderr)


ORIGIN_ARTICLE = ARTICLE.replace(
    "editors: {责任编辑: 陈丽}", "origin: {publication: 克拉玛依日报, date: 2024-02-28, page: 第2版}\n"
    "editors: {责任编辑: 陈丽}").replace("第二段正文。", "第二段正文，𠮷祥如意。")


def test_workspace_option_epoch_photo_cache_low_resolution_and_origin_note(workspace: Scratch) -> None:
    ws = workspace
    ws.write("sources/t/issue.yaml", MANIFEST)
    ws.write("sources/t/articles/a.md", ORIGIN_ARTICLE)
    ws.write("sources/t/photos/p.jpg", jpeg_bytes(800, 600))
    (ws.root / "sources" / "layouts").mkdir()  # a stray layouts/ nearer the manifest: not the workspace

    wrong = cli(ws, "compile", "sources/t/issue.yaml")
    assert wrong.returncode == 1 and "layout 'bulletin' not found" in wrong.stderr, wrong.stderr

    # --workspace names the right one; run from elsewhere, with absolute paths
    first = cli(ws, "compile", str(ws.manifest()), "--workspace", str(ws.root), cwd=ws.root / "sources" / "t")
    assert first.returncode == 0, first.stderr
    # the low-resolution warning as compile prints it: the article line of the photo, its size, the ppi
    photo_line = ORIGIN_ARTICLE.split("\n").index(next(x for x in ORIGIN_ARTICLE.split("\n") if "p.jpg" in x)) + 1
    warning = re.search(r"warning: (\S+):(\d+): p\.jpg: photo is 800 px wide; placed (\d+) mm wide it prints "
                        r"at (\d+) ppi \(target 300\); use a larger original", first.stderr)
    assert warning, first.stderr
    assert warning[1] == "articles/a.md" and int(warning[2]) == photo_line == 11  # relative to where it ran
    assert abs(int(warning[4]) - 800 / (int(warning[3]) / 25.4)) < 1.5 and int(warning[4]) < 150
    assert "1 warnings" in first.stdout

    pdf = ws.output()
    text = body_text(pdf)
    assert "（本文原载于2024年2月28日《克拉玛依日报》第2版）" in text  # written from the front matter's origin
    assert text.index("第二段正文") < text.index("本文原载于") < text.index("责任编辑：陈丽")
    assert "𠮷祥如意" in text  # a character outside the BMP prints (and the glyph check let it through)
    with pikepdf.open(pdf) as doc:
        assert str(doc.docinfo["/CreationDate"]).startswith("D:20240301")
        assert str(doc.docinfo["/ModDate"]).startswith("D:20240301"), "no epoch: the issue date, never the clock"

    cached = {p.name: p.stat().st_mtime_ns for p in (ws.root / "out" / ".cache" / "photos").iterdir()}
    assert any(name.endswith(".jpg") for name in cached)
    second = cli(ws, "compile", "sources/t/issue.yaml", "--workspace", str(ws.root), epoch="1700000000")
    assert second.returncode == 0 and "wrote" in second.stdout, second.stdout + second.stderr
    assert warning[0].replace(" articles/", " sources/t/articles/") in second.stderr, "the reused photo still warns"
    with pikepdf.open(pdf) as doc:  # 1700000000 is 2023-11-14 22:13:20 UTC
        assert str(doc.docinfo["/ModDate"]).startswith("D:20231114221320")
        assert str(doc.docinfo["/CreationDate"]).startswith("D:20240301")
    # the prepared photo was reused, not made again
    assert {p.name: p.stat().st_mtime_ns for p in (ws.root / "out" / ".cache" / "photos").iterdir()} == cached


def test_a_character_in_the_manifest_missing_from_the_fonts(small_issue: Scratch) -> None:
    bad = MANIFEST.replace("  name: 克拉玛依融媒", "  name: 克拉玛依融媒😀")
    small_issue.write("sources/t/issue.yaml", bad)
    run = small_issue.cli("compile", "sources/t/issue.yaml")
    assert run.returncode == 1
    assert run.stderr.startswith("error: sources/t/issue.yaml:2:15: "), run.stderr  # line 2, after 克拉玛依融媒
    assert "U+1F600" in run.stderr and "not in the layout's fonts" in run.stderr


def test_a_manifest_outside_the_workspace(small_issue: Scratch, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere" / "issue.yaml"
    outside.parent.mkdir()
    outside.write_text(MANIFEST, encoding="utf-8")
    run = small_issue.cli("compile", str(outside), "--workspace", str(small_issue.root))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.startswith(f"error: {outside}"), run.stderr
    assert "outside the workspace" in run.stderr, run.stderr


# --- the URL fetcher ---------------------------------------------------------------------------------


def test_the_fetcher_serves_the_workspace_and_data_and_refuses_the_rest(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    (root / "layouts").mkdir(parents=True)
    (root / "layouts" / "a.css").write_text("body {}", encoding="utf-8")
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"\x89PNG secret")
    (root / "layouts" / "escape.png").symlink_to(secret)
    fetcher = WorkspaceURLFetcher(Workspace(root.resolve()))

    served = fetcher.fetch(VIRTUAL_ROOT + "layouts/a.css")
    assert served.read() == b"body {}" and served.content_type == "text/css"
    assert fetcher.fetch("data:text/plain;base64,b2s=").read() == b"ok"  # data: URLs are served
    refused = [
        VIRTUAL_ROOT + "layouts/escape.png",           # a link out of the workspace
        (root / "layouts" / "escape.png").as_uri(),     # the same by its real path
        secret.as_uri(),                                # a file outside
        VIRTUAL_ROOT + "layouts/missing.css",           # nothing there
        VIRTUAL_ROOT + "layouts",                       # a folder
        "http://127.0.0.1:9/x.png",                     # the network, as a template's <img> would ask
        "https://example.com/a.jpg",
        "ftp://example.com/a.jpg",
    ]
    for url in refused:
        with pytest.raises(ValueError, match="^refused: "):
            fetcher.fetch(url)
    assert fetcher.refused == refused


# --- the importer's command line ---------------------------------------------------------------------

RAW = "克拉玛依融媒通讯员 张三\n近年来,克拉玛依市坚持生态优先.\n责任编辑:陈丽\n"


def test_import_to_standard_output_force_and_utf16_without_bom(workspace: Scratch) -> None:
    raw = workspace.write("raw.txt", RAW.encode("utf-16-le"))  # UTF-16 without a BOM
    printed = workspace.cli("import", "raw.txt", "--title", "生态优先")
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout == ("---\ntitle: 生态优先\nauthors:\n- name: 张三\n  role: 通讯员\n  org: 克拉玛依融媒\n"
                              "byline: 克拉玛依融媒通讯员 张三\neditors:\n  责任编辑: 陈丽\n---\n\n"
                              "近年来，克拉玛依市坚持生态优先。\n")

    target = workspace.root / "sources" / "t" / "articles" / "x.md"
    target.parent.mkdir(parents=True)
    target.write_text("旧稿\n", encoding="utf-8")
    refused = workspace.cli("import", "raw.txt", "--title", "生态优先", "-o", "sources/t/articles/x.md")
    assert refused.returncode == 1 and target.read_text(encoding="utf-8") == "旧稿\n", refused.stderr
    assert "--force" in refused.stderr
    forced = workspace.cli("import", "raw.txt", "--title", "生态优先", "-o", "sources/t/articles/x.md", "--force")
    assert forced.returncode == 0, forced.stderr
    assert target.read_text(encoding="utf-8") == printed.stdout
    assert raw.read_bytes() == RAW.encode("utf-16-le"), "the raw copy is never changed"
