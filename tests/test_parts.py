"""Rendering in parts (render/parts.py, render/pagination.py): an issue rendered part by part in
worker processes, then assembled, is the issue rendered whole: the same characters at the same
places on the same pages, the same folios, bookmarks and contents numbers, one font program per
face, about the same size. And a rebuild renders only the parts that changed."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pdfplumber
import pikepdf
import pytest

from kmyreport.build import compile_issue
from kmyreport.errors import KmyError
from kmyreport.render import RenderJob
from kmyreport.render.parts import PART_BREAK, group, split, splittable

from .conftest import Scratch, jpeg_bytes

PHRASES = ["克拉玛依油田今年新建产能120万吨，", "调控中心依托5G专网实时掌握每口井的压力，", "社区服务中心累计服务居民3.5万人次，",
           "防护林带新植梭梭1,200余亩，", "“家门口”的小事办成了大事，", "GDP增长6.1%，", "河畔步道全长18.6 km，"]


def article(number: int, paragraphs: int) -> str:
    body = []
    for p in range(paragraphs):
        body.append("".join(PHRASES[(number + p + k) % len(PHRASES)] for k in range(9)) + f"第{number}篇第{p + 1}段完。")
        if p == 2:
            body.append(f"## 第{number}篇小标题")
    photo = f'\n![第{number}篇图片说明。](photos/p{number}.jpg "通讯员 某某 摄")\n' if number % 3 == 1 else ""
    return (f"---\ntitle: 第{number}篇测试稿件\nauthors:\n  - {{name: 张纪东, role: 通讯员, org: 克拉玛依融媒}}\n"
            f"editors: {{责任编辑: 陈丽}}\n---\n\n" + "\n\n".join(body[:2]) + photo + "\n\n"
            + "\n\n".join(body[2:]) + "\n")


LENGTHS = [3, 14, 9, 22, 5, 17, 11]  # paragraphs: articles of one to four pages, so parts start on odd and even pages


def make_issue(ws: Scratch, lengths: list[int] = LENGTHS) -> Path:
    entries = []
    for number, paragraphs in enumerate(lengths, start=1):
        ws.write(f"sources/t/articles/a{number}.md", article(number, paragraphs))
        if number % 3 == 1:
            ws.write(f"sources/t/photos/p{number}.jpg", jpeg_bytes(1200, 800, (30 * number % 255, 90, 160)))
        entries.append(f"      - articles/a{number}.md")
    sections = "sections:\n  - title: 要闻\n    articles:\n" + "\n".join(entries[:4]) + "\n"
    if entries[4:]:
        sections += "  - title: 综合\n    articles:\n" + "\n".join(entries[4:]) + "\n"
    return ws.write("sources/t/issue.yaml",
                    "publication: {name: 克拉玛依融媒}\nissue: {number: 3, date: 2024-05-01}\n" + sections)


def pages_of(pdf: Path) -> list[list[tuple[str, float, float]]]:
    """Every character of every page with where it stands (rounded to 0.01 pt)."""
    with pdfplumber.open(pdf) as doc:
        return [[(c["text"], round(c["x0"], 2), round(c["top"], 2)) for c in page.chars] for page in doc.pages]


def bookmarks(pdf: Path) -> list[tuple[int, str, int]]:
    found = []
    with pikepdf.open(pdf) as doc:
        pages = {page.objgen: number for number, page in enumerate(doc.pages)}

        def visit(items, depth):
            for item in items:
                target = item.destination[0].objgen if item.destination is not None else None
                found.append((depth, item.title, pages.get(target)))
                visit(item.children, depth + 1)
        with doc.open_outline() as outline:
            visit(outline.root, 0)
    return found


def font_programs(pdf: Path) -> list[str]:
    """The font name of each embedded font program."""
    names = []
    with pikepdf.open(pdf) as doc:
        for obj in doc.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                if any(key in obj for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.append(str(obj.FontName).split("+")[-1])
    return names


@pytest.fixture(scope="module")
def built(tmp_path_factory, font_store) -> dict:
    from .conftest import make_workspace

    ws = make_workspace(tmp_path_factory.mktemp("parts") / "ws", font_store)
    manifest = make_issue(ws)
    whole = compile_issue(manifest, edition="screen", jobs=1, output=ws.root / "whole.pdf")
    parted = compile_issue(manifest, edition="screen", jobs=2, output=ws.root / "parts.pdf")
    return {"ws": ws, "manifest": manifest, "whole": whole, "parts": parted}


def test_parts_are_the_whole_issue_character_for_character(built) -> None:
    whole, parted = built["whole"], built["parts"]
    assert parted.parts["parts"] >= 2 and parted.parts["rendered"] == parted.parts["parts"]
    assert whole.parts == {}
    expected, got = pages_of(whole.output), pages_of(parted.output)
    assert len(expected) >= 12, "the issue is long enough for parts to start on left and right pages"
    assert len(got) == len(expected) == parted.pages == whole.pages
    for number, (mine, theirs) in enumerate(zip(got, expected), start=1):
        assert mine == theirs, f"page {number}: text or positions differ"


def test_folios_run_on_across_parts_on_the_right_side(built) -> None:
    """Page n's folio reads "— n —" in the bottom margin, centred on the text block of a right or a left
    page (the inside margin is 22 mm, the outside 20 mm: the centres differ by 2 mm)."""
    with pdfplumber.open(built["parts"].output) as doc:
        for number, page in enumerate(doc.pages, start=1):
            bottom = [c for c in page.chars if c["top"] > page.height - 24 * 72 / 25.4]
            if number == 1:
                assert not bottom, "the cover has no folio"
                continue
            digits = "".join(c["text"] for c in bottom if c["text"].isdigit())
            assert digits == str(number)
            centre = (min(c["x0"] for c in bottom) + max(c["x1"] for c in bottom)) / 2
            inside_left = number % 2 == 1  # right pages have the inside margin on the left
            expected = (22 + (210 - 42) / 2 if inside_left else 20 + (210 - 42) / 2) * 72 / 25.4
            assert abs(centre - expected) < 1.0, f"page {number}: folio at {centre:.1f} pt, not {expected:.1f}"


def test_contents_bookmarks_and_links_point_at_the_same_pages(built) -> None:
    whole, parted = built["whole"].output, built["parts"].output
    assert bookmarks(parted) == bookmarks(whole)
    titles = [title for depth, title, _ in bookmarks(parted) if depth == 0]
    assert titles == [f"第{n}篇测试稿件" for n in range(1, len(LENGTHS) + 1)]
    with pdfplumber.open(parted) as doc:
        contents = doc.pages[1].extract_text()
    starts = {title: page + 1 for depth, title, page in bookmarks(parted) if depth == 0}
    for title, page in starts.items():  # each contents line ends with its article's first page
        line = next(line for line in contents.splitlines() if line.startswith(title))
        assert re.search(rf"\D{page}$", line), f"{line!r} should end with {page}"
    assert link_targets(parted) == link_targets(whole)
    assert {page for _, page in link_targets(parted)} == set(starts.values())


def link_targets(pdf: Path) -> list[tuple[str, int]]:
    """Each link of the contents page: its named destination and the page (1-based) it leads to."""
    with pikepdf.open(pdf) as doc:
        names = dict(pikepdf.NameTree(doc.Root.Names.Dests).items())
        pages = {page.objgen: number for number, page in enumerate(doc.pages, start=1)}
        links = [annot for annot in doc.pages[1].get("/Annots", []) if annot.get("/Subtype") == "/Link"]
        assert links, "the contents links to its articles"
        return [(str(link.Dest), pages[names[str(link.Dest)][0].objgen]) for link in links]


def test_one_font_program_per_face_and_about_the_same_size(built) -> None:
    whole, parted = built["whole"], built["parts"]
    assert sorted(font_programs(parted.output)) == sorted(font_programs(whole.output))
    assert len(set(font_programs(parted.output))) == len(font_programs(parted.output))
    assert abs(parted.size_bytes / whole.size_bytes - 1) <= 0.05


@pytest.mark.parametrize("edition", ["screen", "print"])  # print: its XMP names a document id made from all the copy
def test_a_rebuild_renders_only_the_part_that_changed(built, tmp_path, edition: str) -> None:
    ws, manifest = built["ws"], built["manifest"]
    output = ws.root / f"edit-{edition}.pdf"
    first = compile_issue(manifest, edition=edition, jobs=2, output=output)
    assert first.parts["rendered"] == first.parts["parts"]
    last = ws.issue_dir() / "articles" / f"a{len(LENGTHS)}.md"
    original = last.read_text(encoding="utf-8")
    try:
        last.write_text(original.replace("第7篇第1段完。", "第7篇第1段完，改过了。"), encoding="utf-8")
        again = compile_issue(manifest, edition=edition, jobs=2, output=output)
        assert again.parts["rendered"] == 1 and again.parts["reused"] == again.parts["parts"] - 1
        assert "改过了" in "".join(c for page in pages_of(output) for c, _, _ in page)
        whole = compile_issue(manifest, edition=edition, jobs=1, output=tmp_path / "whole.pdf")
        assert pages_of(output) == pages_of(whole.output)
        with pikepdf.open(output) as mine, pikepdf.open(whole.output) as theirs:  # the whole document's XMP
            assert ("/Metadata" in theirs.Root) == (edition == "print")
            if edition == "print":
                assert mine.Root.Metadata.read_bytes() == theirs.Root.Metadata.read_bytes()
    finally:
        last.write_text(original, encoding="utf-8")


def test_same_inputs_same_bytes(built, tmp_path) -> None:
    one = compile_issue(built["manifest"], edition="screen", jobs=2, cache=False, output=tmp_path / "a.pdf")
    two = compile_issue(built["manifest"], edition="screen", jobs=2, cache=False, output=tmp_path / "b.pdf")
    assert one.output.read_bytes() == two.output.read_bytes() == built["parts"].output.read_bytes()


def test_the_assembled_file_is_identified_by_its_content(built) -> None:
    # The /ID's second half is a SHA-256 of the file as written with qpdf's fixed stand-in there (qpdf's
    # own deterministic /ID would hash the file again with MD5).
    data = built["parts"].output.read_bytes()
    with pikepdf.open(built["parts"].output) as pdf:
        first, version = bytes(pdf.trailer.ID[0]), bytes(pdf.trailer.ID[1])
    assert len(version) == 16 and version != bytes.fromhex("31415926535897932384626433832795")
    stand_in = data.replace(f"<{version.hex()}>".encode(), b"<31415926535897932384626433832795>")
    assert stand_in.count(b"<31415926535897932384626433832795>") == 1 and stand_in != data
    assert hashlib.sha256(stand_in).digest()[:16] == version
    with pikepdf.open(built["whole"].output) as pdf:
        assert bytes(pdf.trailer.ID[0]) == first, "the first half is the edition's identifier, as whole"


def test_a_process_reads_each_face_out_of_harfbuzz_once(built, tmp_path) -> None:
    # WeasyPrint copies a face's whole file for every document that uses it; the engine keeps the copy.
    from kmyreport.render import engine

    one = compile_issue(built["manifest"], edition="screen", jobs=1, cache=False, output=tmp_path / "a.pdf")
    kept = dict(engine._FACE_BYTES)
    two = compile_issue(built["manifest"], edition="screen", jobs=1, cache=False, output=tmp_path / "b.pdf")
    assert one.output.read_bytes() == two.output.read_bytes() == built["whole"].output.read_bytes()
    assert engine._FACE_BYTES.keys() == kept.keys(), "the second build found every face kept"
    fonts = {path.read_bytes() for path in (built["ws"].root / "fonts").glob("*.otf")}
    assert 2 <= len(kept) <= len(fonts) and set(kept.values()) <= fonts, "each face once, its file's bytes"


def test_a_part_that_fails_fails_the_build_with_the_message(workspace: Scratch) -> None:
    manifest = make_issue(workspace, [2, 2, 2, 2])
    template = workspace.root / "layouts" / "bulletin" / "templates" / "article.html.j2"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "</article>", '{% if article.anchor == "article-3" %}<img src="http://example.com/x.png">{% endif %}'
        "</article>"), encoding="utf-8")
    messages = []
    for jobs in (1, 2):
        with pytest.raises(KmyError) as failed:
            compile_issue(manifest, edition="screen", jobs=jobs)
        messages.append(str(failed.value))
    assert messages[0] == messages[1]
    assert "http://example.com/x.png" in messages[1] and "outside the workspace" in messages[1]
    assert not workspace.output().exists()


@pytest.mark.parametrize("css, reason", [
    ("figure { counter-increment: photo; }", "CSS counters"),
    (".article { counter-reset: page 1; }", "CSS counters"),
    ("@page { @top-right { content: counter(pages); } }", "counter(pages)"),
    ("h1 { string-set: head content(); }", "running strings (string-set)"),
    ("@page :first { margin-top: 40mm; }", "an @page :first rule"),
])
def test_what_a_part_cannot_know_keeps_the_issue_whole(css: str, reason: str) -> None:
    html = f"<html><head><style>{css}</style></head><body><p>a</p>{PART_BREAK}<p>b</p></body></html>"
    job = RenderJob(html=html, base_url="file:///x/", workspace=None, source_name="x")  # type: ignore[arg-type]
    assert splittable(job, split(html)) == reason
    plain = html.replace(css, "p { margin: 0 }")
    assert splittable(RenderJob(html=plain, base_url="", workspace=None, source_name="x"), split(plain)) is None  # type: ignore[arg-type]
    assert splittable(RenderJob(html=plain, base_url="", workspace=None, source_name="x",  # type: ignore[arg-type]
                                measure=True), split(plain)) == "the composer measures the render"


def test_split_keeps_sibling_shells_and_group_balances() -> None:
    html = ('<html><head></head><body class="b"><section id="c">封面</section>' + PART_BREAK
            + '<article class="x" id="a1"><p>甲</p></article>' + PART_BREAK
            + '<article class="x" id="a2"><img src="p.jpg"><p>乙 <a href="#a1">见上</a></p></article></body></html>')
    pieces = split(html)
    assert pieces is not None and len(pieces) == 3
    parts = pieces.parts([0, 1, 2])
    assert parts[2].html == ('<html><head></head><body class="b">'
                             '<section hidden style="display: none !important"></section>'
                             '<article class="x" hidden style="display: none !important"></article>'
                             '<article class="x" id="a2"><img src="p.jpg"><p>乙 <a href="#a1">见上</a></p></article>'
                             '</body></html>')
    assert parts[2].anchors == {"a2"} and parts[2].refers == {"a1"}
    assert parts[1].refers == frozenset()
    assert split("<html><body><p>no parts</p></body></html>") is None
    assert group([10] * 8, 1) == [0, 3, 6], "three parts a process, of about equal weight"
    assert group([10] * 8, 2) == [0, 1, 2, 4, 5, 7], "eight pieces in six parts"
    assert group([50, 5, 5, 5, 5, 30], 1) == [0, 1, 5]
    assert group([1, 1, 1, 1, 100], 1) == [0, 3, 4]
    assert group([10, 10], 4) == [0, 1]
    assert group([3] + [10] * 12, 2, alone=[0]) == [0, 1, 3, 5, 7, 9, 11], "the contents is a part of its own"
    assert pieces.referring() == [2]
    assert group([10, 10], 4) == [0, 1]


def test_the_command_renders_in_parts_and_says_so(built) -> None:
    ws = built["ws"]
    run = ws.cli("compile", "sources/t/issue.yaml", "--edition", "screen", "--jobs", "2", "--no-cache", "--timings")
    assert run.returncode == 0, run.stderr
    assert re.search(r"in \d+ parts: \d+ rendered", run.stdout)
    whole = ws.cli("compile", "sources/t/issue.yaml", "--edition", "screen", "-j", "1", "--no-cache", "--timings",
                   "-o", "one.pdf")
    assert whole.returncode == 0 and " parts:" not in whole.stdout
    shutil.rmtree(ws.root / "out" / ".cache" / "parts", ignore_errors=True)


def test_the_archive_edition_in_parts_is_tagged_whole_and_validates(built) -> None:
    """PDF/A-3a is tagged: the parts' structure trees become one (assemble), the sources are attached
    once, and the file passes the own checks, and veraPDF where it is installed (CI builds it)."""
    from kmyreport.verapdf import find_verapdf_jar
    from kmyreport.verify import COMPLIANT, NOT_VALIDATED, verify_pdf

    ws, manifest = built["ws"], built["manifest"]
    whole = compile_issue(manifest, edition="archive", jobs=1, output=ws.root / "archive-whole.pdf")
    parted = compile_issue(manifest, edition="archive", jobs=2, output=ws.root / "archive-parts.pdf")
    assert parted.parts["parts"] >= 2
    assert pages_of(parted.output) == pages_of(whole.output)
    assert bookmarks(parted.output) == bookmarks(whole.output)
    with pikepdf.open(parted.output) as doc, pikepdf.open(whole.output) as reference:
        attached = sorted(doc.attachments)
        assert attached == sorted(reference.attachments)
        assert {"issue.yaml", *(f"articles/a{n}.md" for n in range(1, len(LENGTHS) + 1))} <= set(attached)
        for name in attached:
            assert doc.attachments[name].get_file().read_bytes() == \
                reference.attachments[name].get_file().read_bytes()
        assert structure(doc) == structure(reference)
        assert len(structure(doc)) > 100
    verdict = verify_pdf(parted.output)
    assert verdict.status == (COMPLIANT if find_verapdf_jar() else NOT_VALIDATED), verdict.failures()


def structure(doc: pikepdf.Pdf) -> list[str]:
    """The structure types of the tagged document, depth first."""
    found: list[str] = []

    def visit(node) -> None:
        if isinstance(node, pikepdf.Array):
            for item in node:
                visit(item)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.append(str(node.S))
            if "/K" in node:
                visit(node.K)
    visit(doc.Root.StructTreeRoot.K)
    return found


def test_a_part_laid_out_on_the_wrong_side_is_moved_not_laid_out_again(built) -> None:
    """A part guessed to start on page 2 (a left page) that turns out to start on page 5 (a right page):
    its pages move to the other side after layout (the bulletin mirrors its margins, so the text
    block keeps its width) and come out as the part rendered from page 5 in the first place."""
    import dataclasses

    from kmyreport.build import prepare_issue
    from kmyreport.render import render_pdf

    issue = prepare_issue(built["manifest"], edition="screen")
    pieces = split(issue.html)
    part = pieces.parts([0, 2, 3])[1]
    job = RenderJob(html=part.html, base_url=issue.layout.base_url, workspace=issue.workspace, source_name="t")
    asked = []
    settled = render_pdf(dataclasses.replace(job, first_page=2), settle=lambda pages: asked.append(pages) or 5)
    direct = render_pdf(dataclasses.replace(job, first_page=5))
    assert asked == [direct.pages] and settled.first_page == 5 and settled.flipped == direct.pages >= 2
    (built["ws"].root / "settled.pdf").write_bytes(settled.pdf)
    (built["ws"].root / "direct.pdf").write_bytes(direct.pdf)
    assert pages_of(built["ws"].root / "settled.pdf") == pages_of(built["ws"].root / "direct.pdf")
    same_side = render_pdf(dataclasses.replace(job, first_page=3), settle=lambda pages: 5)
    assert same_side.flipped == 0 and same_side.first_page == 5


def test_a_part_that_breaks_to_a_right_page_is_laid_out_again_on_the_right_side(built) -> None:
    """Where the document breaks to a right page, a page's side decides how many pages there are: a
    part laid out on the wrong side is laid out again (not moved) and comes out as if rendered right."""
    import dataclasses

    from kmyreport.build import prepare_issue
    from kmyreport.render import render_pdf

    issue = prepare_issue(built["manifest"], edition="screen")
    html = split(issue.html).parts([0, 2, 3])[1].html.replace("</style>", ".article-body h2 { break-before: right; }</style>", 1)
    job = RenderJob(html=html, base_url=issue.layout.base_url, workspace=issue.workspace, source_name="t")
    settled = render_pdf(dataclasses.replace(job, first_page=2), settle=lambda pages: 5)
    direct = render_pdf(dataclasses.replace(job, first_page=5))
    assert settled.flipped == 0 and settled.first_page == 5 and settled.pages == direct.pages
    (built["ws"].root / "r-settled.pdf").write_bytes(settled.pdf)
    (built["ws"].root / "r-direct.pdf").write_bytes(direct.pdf)
    assert pages_of(built["ws"].root / "r-settled.pdf") == pages_of(built["ws"].root / "r-direct.pdf")


def test_a_worker_that_dies_fails_the_build_and_nothing_waits_forever(workspace: Scratch, monkeypatch) -> None:
    """A worker killed mid-render (the out-of-memory killer, say): the build stops with one message,
    the parts waiting for its page count stop too, and no PDF is written."""
    import functools

    import kmyreport.render

    manifest = make_issue(workspace, [6, 6, 6, 6, 6])
    monkeypatch.setattr(kmyreport.render, "render_pdf", functools.partial(_dies_on, "第3篇第1段完", kmyreport.render.render_pdf))
    with pytest.raises(KmyError) as failed:
        compile_issue(manifest, edition="screen", jobs=2, cache=False)
    assert "stopped unexpectedly" in str(failed.value) and "--jobs 1" in str(failed.value)
    assert not workspace.output().exists()


def _dies_on(doomed: str, render, job, settle=None):
    """A render that kills its own process when the HTML holds `doomed` (as a worker out of memory)."""
    import os
    import signal

    if doomed in job.html:
        os.kill(os.getpid(), signal.SIGKILL)
    return render(job, settle)


def test_parts_that_cannot_be_kept_leave_the_issue_rendered_whole(built, monkeypatch, tmp_path) -> None:
    """The parts' folder cannot be written (a full disk, a read-only cache): the build renders the issue
    whole, in one process, and says nothing of parts."""
    import kmyreport.render.parts as parts

    def no_room(path, data):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(parts, "_write_atomic", no_room)
    result = compile_issue(built["manifest"], edition="screen", jobs=2, cache=False, output=tmp_path / "w.pdf")
    assert result.parts == {} and result.pages == built["whole"].pages
    assert pages_of(result.output) == pages_of(built["whole"].output)
