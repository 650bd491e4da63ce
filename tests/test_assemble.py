"""Parts rendered one by one and assembled (`render.assemble`) against the whole rendered at once.

A small issue: a contents page linking to the articles, then articles that each start on a new
page, in two faces (Chinese with some Latin), a logo on every part, folios at the foot. Each
part is the same <head> with one chunk of the body, its first folio set by
`@page :first { counter-reset: page N }`; the assembled PDF is read back (pikepdf, pypdfium2).
"""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path

import pikepdf
import pypdfium2
import pytest
from PIL import Image

from kmyreport.render import RenderJob, render_pdf
from kmyreport.render.assemble import MIXED, assemble, deferred_font_programs
from kmyreport.verapdf import find_verapdf_jar, run_verapdf_each
from kmyreport.workspace import Workspace

from .conftest import REPO, Scratch, make_workspace

PROFILE = REPO / "layouts" / "bulletin" / "profiles" / "ISOcoated_v2_300_bas.icc"
FACES = ("NotoSerifSC-Regular.otf", "NotoSansSC-Bold.otf")
ARTICLES = 4

HEAD = """<head><meta charset="utf-8"><title>克拉玛依融媒 测试</title><style>
@font-face {{ font-family: Body; src: url(fonts/NotoSerifSC-Regular.otf) }}
@font-face {{ font-family: Head; src: url(fonts/NotoSansSC-Bold.otf) }}
{profile}
@page {{ size: A5; margin: 20mm; @bottom-center {{ content: counter(page); font-family: Body }} }}
{first}
body {{ font-family: Body; font-size: 11pt; {colour} }}
h1, h2 {{ font-family: Head }}
h1 {{ bookmark-level: 1; break-before: page }}
h2 {{ bookmark-level: 2 }}
nav h1 {{ break-before: auto }}
img {{ width: 20mm; image-rendering: pixelated }}
</style></head>"""

PRINT_PROFILE = "@color-profile device-cmyk { src: url(p.icc); components: c, m, y, k; }"


def article(number: int) -> str:
    sentence = f"克拉玛依区以铸牢中华民族共同体意识为主线，第{number}篇 Karamay {number}。"
    extra = "".join(chr(0x4E00 + 37 * number + i) for i in range(40))  # characters only this part uses
    return (f'<section id="article-{number}"><h1>第{number}篇 文章 Article {number}</h1><img src="logo.png" alt="标志">'
            f"<p>{sentence * (10 + 6 * number)}{extra}</p>"
            f"<h2>小标题 {number}.1</h2><p>{'新疆油田公司第二段正文 oil。' * 25}</p>"
            f"<h2>小标题 {number}.2</h2><p>{'独山子区第三段。' * 12}</p>"
            f'<p><a href="#article-{number}">回到本篇开头</a></p></section>')


CONTENTS = ('<nav><h1>目录 Contents</h1><img src="logo.png" alt="标志"><ul>'
            + "".join(f'<li><a href="#article-{n}">第{n}篇 文章</a></li>' for n in range(1, ARTICLES + 1))
            + "</ul></nav>")
CHUNKS = [CONTENTS] + [article(n) for n in range(1, ARTICLES + 1)]


class Issue:
    """The small issue, rendered whole and in parts, in one workspace."""

    def __init__(self, root: Scratch, variant: str | None = None, profile: str = "", colour: str = "") -> None:
        self.root, self.variant, self.profile, self.colour = root, variant, profile, colour

    def html(self, body: str, first: int = 1) -> str:
        first_rule = f"@page :first {{ counter-reset: page {first} }}" if first != 1 else ""
        head = HEAD.format(profile=self.profile, first=first_rule, colour=self.colour)
        return f'<html lang="zh-CN">{head}<body>{body}</body></html>'

    def render(self, body: str, first: int = 1, variant: str | None = None):
        return render_pdf(RenderJob(html=self.html(body, first), base_url="file:///kmyreport-workspace/",
                                    workspace=Workspace(self.root.root), source_name="test",
                                    pdf_variant=variant or self.variant))

    def whole(self) -> bytes:
        return self.render("".join(CHUNKS)).pdf

    def parts(self, chunks: list[str] = CHUNKS, variant: str | None = None) -> list[bytes]:
        pdfs, folio = [], 1
        for chunk in chunks:
            result = self.render(chunk, folio, variant)
            pdfs.append(result.pdf)
            folio += result.pages
        return pdfs


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory, font_store: Path) -> Scratch:
    scratch = make_workspace(tmp_path_factory.mktemp("assemble") / "ws", font_store)
    logo = io.BytesIO()
    Image.new("RGB", (64, 32), (200, 30, 30)).save(logo, "PNG")
    scratch.write("logo.png", logo.getvalue())
    scratch.write("p.icc", PROFILE.read_bytes())
    return scratch


@pytest.fixture(scope="module")
def font_files(root: Scratch) -> list[Path]:
    return [root.root / "fonts" / name for name in FACES]


@pytest.fixture(scope="module")
def rendered(root: Scratch, font_files: list[Path]) -> tuple[bytes, list[bytes], bytes]:
    """(the whole, its parts, the parts assembled)."""
    issue = Issue(root)
    whole = issue.whole()
    parts = issue.parts()
    parts[0] = with_links(parts[0], whole)
    return whole, parts, assemble(parts, font_files=font_files)


def with_links(contents: bytes, whole: bytes) -> bytes:
    """The contents part with the whole render's links of its first page. Alone, WeasyPrint drops links to
    anchors it does not have; the engine keeps those to other parts as `/Dest (name)` (`pagination`), as
    here."""
    with pikepdf.open(io.BytesIO(whole)) as reference, pikepdf.open(io.BytesIO(contents)) as part:
        assert "/Annots" not in part.pages[0]
        part.pages[0].Annots = part.make_indirect(pikepdf.Array(
            part.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                                  Rect=list(link.Rect), Dest=pikepdf.String(str(link.Dest))))
            for link in reference.pages[0].Annots))
        buffer = io.BytesIO()
        part.save(buffer)
        return buffer.getvalue()


def page_texts(pdf: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def programs(pdf: pikepdf.Pdf) -> dict[str, set[tuple[int, int]]]:
    """Per /BaseFont of the fonts the pages use: the font program streams (object numbers)."""
    found: dict[str, set[tuple[int, int]]] = {}
    for page in pdf.pages:
        for _key, font in page.Resources.Font.items():
            descriptor = font.DescendantFonts[0].FontDescriptor
            program = descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
            found.setdefault(str(font.BaseFont), set()).add(program.objgen)
    return found


def bookmarks(pdf: pikepdf.Pdf) -> list[tuple[int, str, int, float]]:
    """(depth, title, page index, top) of every bookmark, in order."""
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    listed: list[tuple[int, str, int, float]] = []

    def visit(items, depth: int) -> None:
        for item in items:
            destination = item.destination
            listed.append((depth, item.title, pages[destination[0].objgen], round(float(destination[3]), 2)))
            visit(item.children, depth + 1)

    with pdf.open_outline() as outline:
        visit(outline.root, 0)
    return listed


def named_page(pdf: pikepdf.Pdf, name: str) -> int:
    pages = {page.objgen: index for index, page in enumerate(pdf.pages)}
    return pages[pikepdf.NameTree(pdf.Root.Names.Dests)[name][0].objgen]


def test_the_pages_and_their_text_are_the_whole_renders(rendered) -> None:
    whole, parts, assembled = rendered
    assert len(parts) == ARTICLES + 1
    texts = page_texts(assembled)
    assert len(texts) == len(page_texts(whole)) > len(parts)  # articles run over more than one page
    assert texts == page_texts(whole)  # every glyph maps to its character, folios included


def test_one_font_program_per_face_and_the_size_of_the_whole(rendered) -> None:
    whole, parts, assembled = rendered
    with pikepdf.open(io.BytesIO(parts[1])) as part, pikepdf.open(io.BytesIO(assembled)) as pdf, \
            pikepdf.open(io.BytesIO(whole)) as reference:
        assert len(programs(part)) == 2  # each part embeds its own subset of both faces
        faces = programs(pdf)
        assert faces.keys() == programs(reference).keys() and len(faces) == 2
        assert all(len(streams) == 1 for streams in faces.values())
        fonts = {font.objgen for page in pdf.pages for _key, font in page.Resources.Font.items()}
        assert len(fonts) == 2
        # The union subset is the subset a whole render makes: the same program, byte for byte.
        for name in faces:
            ours = pdf.get_object(*next(iter(faces[name]))).read_bytes()
            theirs = reference.get_object(*next(iter(programs(reference)[name]))).read_bytes()
            assert ours == theirs
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert len(images) == 1  # the logo of every part, kept once
    ratio = len(assembled) / len(whole)
    assert 0.95 < ratio < 1.05, ratio  # measured: 0.999 (the parts together: 4.5 times the whole)
    assert sum(map(len, parts)) > 3 * len(whole)


def test_bookmarks_and_links_point_where_the_whole_renders_do(rendered) -> None:
    whole, _parts, assembled = rendered
    with pikepdf.open(io.BytesIO(assembled)) as pdf, pikepdf.open(io.BytesIO(whole)) as reference:
        assert bookmarks(pdf) == bookmarks(reference)
        assert len(bookmarks(pdf)) == 1 + 3 * ARTICLES and max(b[0] for b in bookmarks(pdf)) == 1
        assert pdf.Root.Outlines.Count == reference.Root.Outlines.Count
        # The contents page (part 0) links to the articles by name; the names resolve in the assembled PDF.
        links = [annot for annot in pdf.pages[0].Annots if annot.get("/Subtype") == "/Link"]
        assert [str(link.Dest) for link in links] == [f"article-{n}" for n in range(1, ARTICLES + 1)]
        for link in links:
            assert named_page(pdf, str(link.Dest)) == named_page(reference, str(link.Dest)) > 0
        assert [str(name) for name in list(pdf.Root.Names.Dests.Names)[::2]] == \
            sorted(f"article-{n}" for n in range(1, ARTICLES + 1))
        assert str(pdf.Root.Lang) == "zh-CN" and str(pdf.docinfo.Title) == "克拉玛依融媒 测试"


def test_the_same_parts_give_the_same_bytes(rendered, font_files: list[Path]) -> None:
    _whole, parts, assembled = rendered
    assert assemble(parts, font_files=font_files) == assembled
    again = assemble(parts, font_files=font_files, identifier=b"issue-2024-07")
    assert again == assemble(parts, font_files=font_files, identifier=b"issue-2024-07") != assembled
    with pikepdf.open(io.BytesIO(again)) as pdf:
        assert bytes(pdf.trailer.ID[0]) == b"issue-2024-07"


def test_a_face_not_among_the_font_files_stays_one_font_per_part(rendered, font_files: list[Path]) -> None:
    whole, parts, _assembled = rendered
    assembled = assemble(parts, font_files=font_files[:1])  # the bold face is not given
    assert page_texts(assembled) == page_texts(whole)
    with pikepdf.open(io.BytesIO(assembled)) as pdf:
        counts = sorted(len(streams) for streams in programs(pdf).values())
    assert counts == [1, len(parts)]


def test_a_print_part_keeps_one_output_intent_and_one_profile(root: Scratch, font_files: list[Path]) -> None:
    issue = Issue(root, "pdf/x-4", PRINT_PROFILE, "color: device-cmyk(0 0 0 1)")
    parts = issue.parts(CHUNKS[:3])
    assembled = assemble(parts, font_files=font_files, identifier=b"x4")
    with pikepdf.open(io.BytesIO(assembled)) as pdf:
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1 and intents[0].S == "/GTS_PDFX"
        profiles = {o.objgen for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/N") == 4}
        assert profiles == {intents[0].DestOutputProfile.objgen}
        assert "/Metadata" in pdf.Root and len(pdf.pages) == sum(len(pikepdf.open(io.BytesIO(p)).pages)
                                                               for p in parts)
        assert pdf.pdf_version == pikepdf.open(io.BytesIO(parts[0])).pdf_version
    assert len(assembled) < 1.05 * len(parts[0]) + sum(len(p) for p in parts[1:]) / 2


def test_tagged_parts_get_one_structure_tree(root: Scratch, font_files: list[Path]) -> None:
    issue = Issue(root, "pdf/ua-1")
    whole = issue.render("".join(CHUNKS[:3])).pdf
    assembled = assemble(issue.parts(CHUNKS[:3]), font_files=font_files)
    assert page_texts(assembled) == page_texts(whole)
    with pikepdf.open(io.BytesIO(assembled)) as pdf, pikepdf.open(io.BytesIO(whole)) as reference:
        # The elements under /Document: the whole's, in order, all under the first part's /Document.
        document = pdf.Root.StructTreeRoot.K[0]
        assert [str(kid.S) for kid in document.K] == [str(kid.S) for kid in reference.Root.StructTreeRoot.K[0].K]
        assert all(kid.P.objgen == document.objgen for kid in document.K)
        # One parent tree: each page's marked content, each annotation's element, numbered on.
        nums = list(pdf.Root.StructTreeRoot.ParentTree.Nums)
        keys = [int(key) for key in nums[::2]]
        assert keys == sorted(set(keys))
        tree = dict(zip(keys, nums[1::2]))
        links = 0
        for page in pdf.pages:
            elements = tree[int(page.StructParents)]
            assert len(elements) and all(element.Pg.objgen == page.objgen for element in elements)
            for annotation in page.get("/Annots", ()):
                element = tree[int(annotation.StructParent)]
                assert element.S == "/Link" and element.K[0].Obj.objgen == annotation.objgen
                links += 1
        assert links == 2  # one link per article, back to its start (the contents' links: dropped)
    jar_and_java = find_verapdf_jar() is not None and shutil.which("java") is not None
    if jar_and_java or os.environ.get("CI") == "true":
        path = root.write("assembled-ua1.pdf", assembled)
        result, = run_verapdf_each([(path, ["ua1"])])
        assert result.compliant, result.failures


def test_tagged_and_untagged_parts_are_refused(root: Scratch, font_files: list[Path]) -> None:
    parts = Issue(root).parts(CHUNKS[:2], variant="pdf/ua-1")
    parts[1:] = Issue(root).parts(CHUNKS[1:2])
    with pytest.raises(ValueError, match=MIXED):
        assemble(parts, font_files=font_files)
    with pytest.raises(ValueError):
        assemble([])


def test_parts_rendered_without_font_programs_assemble_to_the_same_bytes(root: Scratch, rendered,
                                                                         font_files: list[Path]) -> None:
    whole, parts, assembled = rendered
    with deferred_font_programs(font_files):
        deferred = Issue(root).parts()
    deferred[0] = with_links(deferred[0], whole)
    with pikepdf.open(io.BytesIO(deferred[1])) as part:
        assert all(part.get_object(*stream).Length < 200 for streams in programs(part).values()
                   for stream in streams)
    assert sum(map(len, deferred)) < sum(map(len, parts)) / 10
    assert assemble(deferred, font_files=font_files) == assembled
    with pytest.raises(ValueError, match="deferred_font_programs"):
        assemble(deferred, font_files=font_files[:1])
    # Outside the context, parts have their programs again.
    with pikepdf.open(io.BytesIO(Issue(root).parts(CHUNKS[1:2])[0])) as part:
        assert all(part.get_object(*stream).Length > 1000 for streams in programs(part).values()
                   for stream in streams)


def test_a_pdf_a_1b_part_stays_pdf_1_4_with_one_cidset_per_face(root: Scratch, font_files: list[Path]) -> None:
    issue = Issue(root, "pdf/a-1b")
    whole = issue.render("".join(CHUNKS[:3])).pdf
    assembled = assemble(issue.parts(CHUNKS[:3]), font_files=font_files)
    assert page_texts(assembled) == page_texts(whole)
    assert b"/ObjStm" not in assembled  # PDF 1.4 has no object streams

    def cidsets(pdf: pikepdf.Pdf) -> dict[str, bytes]:
        return {str(font.BaseFont): font.DescendantFonts[0].FontDescriptor.CIDSet.read_bytes()
                for page in pdf.pages for _key, font in page.Resources.Font.items()}

    with pikepdf.open(io.BytesIO(assembled)) as pdf, pikepdf.open(io.BytesIO(whole)) as reference:
        assert pdf.pdf_version == "1.4" and "/Metadata" in pdf.Root
        assert cidsets(pdf) == cidsets(reference) and len(cidsets(pdf)) == 2
