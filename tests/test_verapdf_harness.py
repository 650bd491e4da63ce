"""veraPDF harness checks on real WeasyPrint output.

The harness jar is built by ``tools/verapdf/build.sh``.  Without it these tests
are skipped locally but fail in CI (``CI=true``), where its absence is a bug.
Rendering the CJK font takes ~15 s per PDF, so the PDFs are made once per module.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pikepdf
import pytest

from kmyreport.verapdf import VeraPDFError, find_verapdf_jar, run_verapdf, run_verapdf_each

REPO = Path(__file__).resolve().parents[1]
FONT = REPO / "fonts" / "NotoSerifSC-Regular.otf"

PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>市融媒体中心 新闻快报</title>
<style>
@font-face {{ font-family: T; src: url({font}) }}
body {{ font-family: T; font-size: 12pt }}
img {{ image-rendering: crisp-edges }}
</style>
</head>
<body>
<h1>今日要闻</h1>
<p>市政府召开常务会议，研究部署近期重点工作，要求各部门认真抓好落实。</p>
</body>
</html>
"""

# name -> write_pdf options; pdf/a-3a switches on pdf_tags by itself.
VARIANTS = {
    "plain": {},
    "a3b": {"pdf_variant": "pdf/a-3b"},
    "a2b": {"pdf_variant": "pdf/a-2b"},
    "a3a": {"pdf_variant": "pdf/a-3a"},
    "ua1": {"pdf_variant": "pdf/ua-1"},
}


def _need_harness() -> None:
    if find_verapdf_jar() is None or shutil.which("java") is None:
        message = "veraPDF harness missing: run tools/verapdf/build.sh (needs java + mvn)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[str, Path]:
    _need_harness()
    from weasyprint import HTML

    out = tmp_path_factory.mktemp("verapdf")
    document = HTML(string=PAGE.format(font=FONT.as_uri())).render()
    paths = {}
    for name, options in VARIANTS.items():
        paths[name] = out / f"{name}.pdf"
        document.write_pdf(paths[name], uncompressed_pdf=False, **options)
    return paths


@pytest.fixture(scope="module")
def verdicts(pdfs) -> list:
    """Each file against its own flavours, all in one veraPDF run (one JVM start)."""
    auto = pdfs["a2b"].with_name("a2b-auto.pdf")
    shutil.copy(pdfs["a2b"], auto)
    return run_verapdf_each([(pdfs["a3b"], ["3b"]), (pdfs["a2b"], ["2b"]), (pdfs["a3a"], ["3a"]),
                             (pdfs["ua1"], ["ua1"]), (pdfs["plain"], ["3b"]), (auto, ["auto"])])


@pytest.mark.parametrize("name, flavour", [("a3b", "3b"), ("a2b", "2b"), ("a3a", "3a"), ("ua1", "ua1")])
def test_weasyprint_variant_is_compliant(verdicts, name, flavour):
    [result] = [r for r in verdicts if (r.file.stem, r.flavour) == (name, flavour)]
    assert result.compliant, result.failures


def test_plain_pdf_is_not_pdfa(verdicts):
    [result] = [r for r in verdicts if r.file.stem == "plain"]
    assert result.flavour == "3b" and not result.compliant
    assert result.failures and all(f["count"] >= 1 for f in result.failures)
    assert {"clause", "test", "description", "count"} <= set(result.failures[0])


def test_each_file_is_checked_against_its_own_flavours_in_order(verdicts):
    assert [(r.file.stem, r.flavour) for r in verdicts] == [
        ("a3b", "3b"), ("a2b", "2b"), ("a3a", "3a"), ("ua1", "ua1"), ("plain", "3b"), ("a2b-auto", "2b")]


def test_several_files_and_flavours_in_one_run(pdfs):
    files = [pdfs["a3a"], pdfs["ua1"]]
    results = run_verapdf(files, ["3a", "ua1"])
    got = [(r.file, r.flavour) for r in results]
    assert got == [(f, fl) for f in files for fl in ("3a", "ua1")]
    verdicts = {(r.file.stem, r.flavour): r.compliant for r in results}
    assert verdicts[("a3a", "3a")] and verdicts[("ua1", "ua1")]


def test_auto_uses_declared_flavour(verdicts):
    [result] = [r for r in verdicts if r.file.stem == "a2b-auto"]
    assert (result.flavour, result.compliant) == ("2b", True)


def test_unreadable_file_raises(tmp_path):
    _need_harness()
    bogus = tmp_path / "not-a.pdf"
    bogus.write_text("this is not a PDF")
    with pytest.raises(VeraPDFError, match="veraPDF"):
        run_verapdf([bogus], ["3b"])


def test_missing_jar_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("KMYREPORT_VERAPDF_JAR", str(tmp_path / "absent.jar"))
    assert find_verapdf_jar() is None
    with pytest.raises(VeraPDFError, match="veraPDF is not installed: build it with 'bash tools/verapdf/build.sh'"):
        run_verapdf([tmp_path / "x.pdf"], ["3b"])


def test_a_broken_harness_is_a_user_error_not_an_internal_one(tmp_path, monkeypatch):
    """A jar that is not the harness: one clear message naming it and what to do, exit 1, no traceback."""
    from typer.testing import CliRunner

    from kmyreport.cli import app

    if shutil.which("java") is None:
        pytest.skip("needs java")
    broken = tmp_path / "broken.jar"
    broken.write_bytes(b"not a jar")
    pdf = tmp_path / "x.pdf"
    with pikepdf.new() as doc:  # readable, and claiming PDF/A-3b, so that verify asks veraPDF
        doc.add_blank_page()
        with doc.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"], meta["pdfaid:conformance"] = "3", "B"
        doc.save(pdf)
    monkeypatch.setenv("KMYREPORT_VERAPDF_JAR", str(broken))
    with pytest.raises(VeraPDFError, match=r"broken.jar: veraPDF .*rebuild the harness with 'bash tools/verapdf"):
        run_verapdf([pdf], ["3b"])
    result = CliRunner().invoke(app, ["verify", str(pdf)])
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
