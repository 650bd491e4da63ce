"""The shape of the code: one rendering boundary, and an extension that changes only what it should."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

import pytest

from kmyreport.errors import KmyError

from .conftest import REPO

PACKAGE = REPO / "src" / "kmyreport"
ENGINE_MODULES = {"weasyprint", "pydyf"}


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def test_only_the_render_layer_imports_weasyprint_or_pydyf() -> None:
    offenders = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                       if "render" not in path.relative_to(PACKAGE).parts[:1]
                       and imported_modules(path) & ENGINE_MODULES)
    assert offenders == []
    # and the render layer does import it (the check above would pass on an empty package too)
    assert "weasyprint" in imported_modules(PACKAGE / "render" / "engine.py")


def test_the_engine_version_is_checked_with_a_clear_message() -> None:
    from kmyreport.render import ENGINE_VERSION
    from kmyreport.render.justify import check_engine

    check_engine(ENGINE_VERSION, ENGINE_VERSION)
    with pytest.raises(KmyError, match=r"written for WeasyPrint 70\.0, but WeasyPrint 71\.2 is installed; "
                                       r"install the version it was written for"):
        check_engine("71.2", "70.0")


def test_a_render_job_is_plain_data_that_crosses_processes(sample) -> None:
    """Parts of an issue will render in worker processes: a job (with an XMP transform) pickles."""
    from kmyreport.build import prepare_issue
    from kmyreport.render import RenderJob

    issue = prepare_issue(sample.workspace.manifest("2024-07"), edition="archive")
    extras = issue.edition.render_extras(issue)
    job = RenderJob(html=issue.html, base_url=issue.workspace.url(issue.layout.folder), workspace=issue.workspace,
                    source_name="layout", pdf_variant=issue.edition.pdf_variant,
                    attachments=extras.attachments, xmp_transform=extras.xmp_transform)
    copy = pickle.loads(pickle.dumps(job))
    assert copy.html == job.html and copy.attachments == job.attachments
    packet = b'<x:xmpmeta><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF></x:xmpmeta>'
    assert copy.xmp_transform(packet) == job.xmp_transform(packet)
    assert b"pdfuaid" in copy.xmp_transform(packet)


def test_chinese_justification_applies_only_to_documents_that_ask_for_it(workspace, tmp_path: Path) -> None:
    """The extension is installed once for the process; a plain WeasyPrint document rendered after a
    kmyreport one is justified as WeasyPrint alone would (spaces only), the kmyreport one flush."""
    import pdfplumber
    import weasyprint

    from kmyreport.render import RenderJob, render_pdf
    from kmyreport.workspace import Workspace

    text = "克拉玛依区以铸牢中华民族共同体意识为主线，深入开展民族团结进步创建工作。" * 6

    def html(font_url: str) -> str:
        return (f'<html lang="zh"><style>@font-face {{ font-family: T; src: url("{font_url}") }}</style>'
                f'<body style="width: 100mm; font: 12pt T; text-align: justify"><p>{text}</p></body></html>')

    def right_edges(pdf: bytes) -> list[float]:
        path = tmp_path / "x.pdf"
        path.write_bytes(pdf)
        with pdfplumber.open(path) as doc:
            lines: dict[int, float] = {}
            for char in doc.pages[0].chars:
                key = round(char["top"])
                lines[key] = max(lines.get(key, 0), char["x1"])
            return [lines[key] for key in sorted(lines)][:-1]  # the last line is not justified

    font = workspace.root / "fonts" / "NotoSerifSC-Regular.otf"
    ours = render_pdf(RenderJob(html=html("fonts/NotoSerifSC-Regular.otf"), base_url="file:///kmyreport-workspace/",
                                workspace=Workspace(workspace.root), source_name="test")).pdf
    plain = weasyprint.HTML(string=html(font.as_uri())).write_pdf()
    ours_edges, plain_edges = right_edges(ours), right_edges(plain)
    assert len(ours_edges) >= 3
    assert max(ours_edges) - min(ours_edges) < 0.5, ours_edges          # flush
    assert max(plain_edges) - min(plain_edges) > 2, plain_edges          # ragged, as WeasyPrint alone


def test_the_front_door_scripts_are_executable() -> None:
    """The README says `./dev sample` and `./dev test`, and CI calls `./dev test`."""
    import os

    assert os.access(REPO / "dev", os.X_OK)
