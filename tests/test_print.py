"""The print edition is PDF/X-4 a press takes, read back from the sample's PDF.

veraPDF does not validate PDF/X. What stands in for it here: pikepdf reads the boxes, the
output intent, the XMP identification and every image's colour space; Ghostscript's
`tiffsep` device separates an article page into its four plates, and the plates show which
inks each body glyph prints with.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from PIL import Image

from kmyreport.colour import max_ink
from kmyreport.layouts import load_layout
from kmyreport.workspace import find_workspace

from .conftest import ARTICLE, MANIFEST, MM, REPO, CliRun, CompiledSample, Scratch, jpeg_bytes, make_workspace, squash

PROFILE = REPO / "layouts" / "bulletin" / "profiles" / "ISOcoated_v2_300_bas.icc"
TRIM = (210 * MM, 297 * MM)
BLEED = 3 * MM
BODY_SIZE = 10.5  # pt, the bulletin's body_size
ARTICLE_PAGE = 3  # the first article's first page: body text and a photo

requires_gs = pytest.mark.skipif(shutil.which("gs") is None, reason="Ghostscript (gs) is not installed; "
                                 "./dev test installs it")


def boxes(page: pikepdf.Page) -> dict[str, list[float]]:
    return {name: [float(v) for v in page.obj[f"/{name}"]] for name in ("MediaBox", "TrimBox", "BleedBox")
            if f"/{name}" in page.obj}


def test_every_page_has_the_trim_and_a_3mm_bleed(sample: CompiledSample) -> None:
    with pikepdf.open(sample.pdf) as pdf:
        assert len(pdf.pages) == sample.result.pages > 3
        for number, page in enumerate(pdf.pages, start=1):
            found = boxes(page)
            trim, bleed, media = found["TrimBox"], found["BleedBox"], found["MediaBox"]
            assert trim[2] - trim[0] == pytest.approx(TRIM[0], abs=0.01), number
            assert trim[3] - trim[1] == pytest.approx(TRIM[1], abs=0.01), number
            for side in (0, 1):
                assert trim[side] - bleed[side] == pytest.approx(BLEED, abs=0.01), (number, found)
                assert bleed[side + 2] - trim[side + 2] == pytest.approx(BLEED, abs=0.01), (number, found)
                assert media[side] <= bleed[side] and media[side + 2] >= bleed[side + 2], (number, found)


def test_every_image_is_cmyk_within_the_ink_limit(sample: CompiledSample) -> None:
    with pikepdf.open(sample.pdf) as pdf:
        images = [obj for obj in pdf.objects if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"]
        assert len(images) == 8
        inks = []
        for image in images:
            assert image.ColorSpace == "/DeviceCMYK", image.objgen
            decoded = Image.open(io.BytesIO(image.read_raw_bytes()))  # the JPEG as placed
            assert decoded.mode == "CMYK"
            decoded.draft("CMYK", (decoded.width // 4, decoded.height // 4))  # fast: areas, not pixels
            inks.append(max_ink(decoded))
    assert max(inks) <= 300 + 3, inks  # the profile's 300%, JPEG noise aside
    assert min(inks) > 200, "the dark parts of the photos carry real ink (not washed out)"


def test_pdfx_output_intent_and_identification(sample: CompiledSample) -> None:
    with pikepdf.open(sample.pdf) as pdf:
        intents = list(pdf.Root.OutputIntents)
        assert len(intents) == 1
        intent = intents[0]
        assert intent.S == "/GTS_PDFX"
        assert str(intent.OutputConditionIdentifier) == "FOGRA39"
        assert str(intent.RegistryName) == "http://www.color.org"
        assert str(intent.Info) == "ISO Coated v2 300% (basICColor)"
        profile = intent.DestOutputProfile
        assert int(profile.N) == 4
        assert hashlib.sha256(profile.read_bytes()).digest() == hashlib.sha256(PROFILE.read_bytes()).digest()
        assert pdf.trailer.Info.Trapped == "/False"
        assert pdf.pdf_version == "1.6"
        xmp = pdf.Root.Metadata.read_bytes().decode()
    assert "<pdfxid:GTS_PDFXVersion>PDF/X-4</pdfxid:GTS_PDFXVersion>" in xmp
    assert "<pdf:Trapped>False</pdf:Trapped>" in xmp
    # derived from the content, not random: test_same_inputs_same_bytes… builds it twice
    assert re.search(r"<xmpMM:DocumentID>uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}<", xmp)


def separations(pdf: Path, page: int, out: Path) -> dict[str, Image.Image]:
    """Ghostscript's four plates of one page at 72 dpi (255 = no ink), covering the MediaBox."""
    stem = out / "sep"
    # The legacy interpreter reads the embedded OpenType CFF fonts five times faster; fall back
    # to the new one where a Ghostscript no longer has it.
    for legacy in (["-dNEWPDF=false"], []):
        run = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-dSAFER", *legacy, "-sDEVICE=tiffsep", "-r72",
                              f"-dFirstPage={page}", f"-dLastPage={page}", f"-sOutputFile={stem}.tif", str(pdf)],
                             capture_output=True, text=True, timeout=120)
        if run.returncode == 0:
            break
    assert run.returncode == 0, run.stderr
    return {ink: Image.open(f"{stem}({ink}).tif") for ink in ("Cyan", "Magenta", "Yellow", "Black")}


def glyph_inks(pdf: Path, page: int, tmp_path: Path) -> tuple[int, int, int, int]:
    """Body glyphs of a page: (how many, how many carry black, how many carry C, M or Y, photo CMY)."""
    plates = separations(pdf, page, tmp_path)
    with pdfplumber.open(pdf) as doc:
        plumb = doc.pages[page - 1]
        left, top = plumb.bbox[0], plumb.bbox[1]  # page coordinates start at the MediaBox corner
        glyphs = [c for c in plumb.chars if abs(c["size"] - BODY_SIZE) < 0.2 and "Serif" in c["fontname"]]
        photo = plumb.images[0]

    def ink(plate: str, item: dict) -> int:
        box = (int(item["x0"] - left), int(item["top"] - top), int(item["x1"] - left) + 1, int(item["bottom"] - top) + 1)
        return 255 - plates[plate].crop(box).getextrema()[0]

    on_black = sum(ink("Black", g) > 0 for g in glyphs)
    on_colour = sum(any(ink(p, g) > 0 for p in ("Cyan", "Magenta", "Yellow")) for g in glyphs)
    photo_colour = max(ink(p, photo) for p in ("Cyan", "Magenta", "Yellow"))
    return len(glyphs), on_black, on_colour, photo_colour


@requires_gs
def test_body_text_prints_on_the_black_plate_only(sample: CompiledSample, tmp_path: Path) -> None:
    """The same measurement on the RGB body text (#1a1a1a) the print edition had before found all
    350 of 350 glyphs on cyan, magenta and yellow as well (see DESIGN.md's press colour facts)."""
    glyphs, on_black, on_colour, photo_colour = glyph_inks(sample.pdf, ARTICLE_PAGE, tmp_path)
    assert glyphs > 200
    assert on_black == glyphs, "every body glyph is found on the black plate (the sampling hits the glyphs)"
    assert photo_colour > 100, "the photo on the page inks the colour plates (the plates are read right)"
    assert on_colour == 0, f"{on_colour} of {glyphs} body glyphs carry cyan, magenta or yellow ink"


def all_text(pdf: Path) -> str:
    """Every character of the PDF, page by page, without whitespace (poppler's pdftotext: fast)."""
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return squash(text)


@pytest.fixture(scope="module")
def screen(sample_screen) -> Path:
    run, path = sample_screen  # built once by the command line (conftest)
    assert run.returncode == 0, run.stderr
    return path


def test_the_screen_edition_is_a_quarter_of_print_with_the_same_pages_and_text(sample: CompiledSample,
                                                                              screen: Path) -> None:
    print_size, screen_size = sample.pdf.stat().st_size, screen.stat().st_size
    assert screen_size <= 0.25 * print_size, f"screen is {screen_size / print_size:.0%} of print"
    assert all_text(screen) == all_text(sample.pdf)
    with pikepdf.open(screen) as light, pikepdf.open(sample.pdf) as full:
        assert len(light.pages) == len(full.pages)
        assert "/OutputIntents" not in light.Root
        assert boxes(light.pages[2])["BleedBox"] == boxes(light.pages[2])["TrimBox"], "no bleed on screen"
        images = [o for o in light.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert images and all(image.ColorSpace == "/DeviceRGB" for image in images)
        with light.open_outline() as outline:
            assert len(list(outline.root)) == 5, "one bookmark per article"
        # 150 ppi across the column (168 mm) at the most
        assert max(int(image.Width) for image in images) <= round(168 / 25.4 * 150)


def test_verify_stands_in_for_verapdf_on_pdfx(sample: CompiledSample, tmp_path: Path) -> None:
    """`kmyreport verify` on a print file: the PDF/X claim and own checks (veraPDF has no PDF/X)."""
    from kmyreport.editions.print import PDFX_CHECKS
    from kmyreport.verify import verify_pdf

    broken = tmp_path / "broken.pdf"
    with pikepdf.open(sample.pdf) as pdf:
        del pdf.Root.OutputIntents
        del pdf.pages[2].obj.TrimBox
        del pdf.pages[3:]
        pdf.save(broken)
    verdict = verify_pdf(broken, use_verapdf=True, check_sidecar=False)
    assert verdict.claims == ["PDF/X-4"] and [c.name for c in verdict.checks] == list(PDFX_CHECKS)
    assert not verdict.compliant and verdict.verapdf is None and "veraPDF does not validate PDF/X" in verdict.note
    failed = {c.name: c.detail for c in verdict.checks if not c.ok}
    assert set(failed) == {"press output intent", "press preflight"}, failed
    assert "page 3: error: no TrimBox" in failed["press preflight"]


def test_page_images_show_the_trim_of_every_page(sample: CompiledSample, tmp_path: Path) -> None:
    from kmyreport.page_images import write_page_images

    pdf = tmp_path / "issue.pdf"
    with pikepdf.open(sample.pdf) as whole:  # the cover, the contents and an article page are enough
        del whole.pages[3:]
        whole.save(pdf)
    paths = write_page_images(pdf, dpi=20)
    assert [p.name for p in paths] == ["issue-01.png", "issue-02.png", "issue-03.png"]
    for path in paths:  # the trim at 20 dpi (165.4 × 233.9 px), not the bleed (170 × 238.6 px)
        assert Image.open(path).size in {(165, 233), (165, 234)}, "cropped to the trim: no bleed"
    cover = Image.open(paths[0]).convert("RGB")
    assert cover.getpixel((0, 0)) == (255, 255, 255)
    red = [px for px in cover.get_flattened_data() if px[0] > 150 and px[1] < 90 and px[2] < 90]
    assert len(red) > 50, "the masthead prints in red"


# Printer's marks (press.marks): one small issue with crop and registration marks, compiled once by the
# command line with --png (the page images' CLI path), read back by the tests below.

SLUG = 10 * MM        # render/marks.py: the MediaBox reaches this far beyond the bleed
MARK_START = 3 * MM   # crop marks start at the bleed's edge (3 mm from the trim)…
MARK_LENGTH = 5 * MM  # …and are 5 mm long
PNG_DPI = 40


@pytest.fixture(scope="module")
def marked(tmp_path_factory: pytest.TempPathFactory, font_store: Path) -> tuple[Scratch, CliRun]:
    ws = make_workspace(tmp_path_factory.mktemp("marks") / "ws", font_store)
    ws.write("sources/t/issue.yaml", MANIFEST)
    ws.write("sources/t/articles/a.md", ARTICLE)
    ws.write("sources/t/photos/p.jpg", jpeg_bytes())
    layout = ws.root / "layouts" / "bulletin" / "layout.yaml"
    layout.write_text(layout.read_text(encoding="utf-8").replace(
        "  bleed_mm: 3\n", "  bleed_mm: 3\n  marks: [crop, registration]\n", 1), encoding="utf-8")
    run = ws.cli("compile", "sources/t/issue.yaml", "--png", "--dpi", str(PNG_DPI))
    assert run.returncode == 0, run.stdout + run.stderr
    return ws, run


def test_marks_lie_in_the_slug_and_point_at_the_trim_corners(marked: tuple[Scratch, CliRun]) -> None:
    ws, _ = marked
    pdf = ws.output()
    with pikepdf.open(pdf) as doc:
        assert len(doc.pages) >= 2
        for number, page in enumerate(doc.pages, start=1):
            found = boxes(page)
            trim, bleed, media = found["TrimBox"], found["BleedBox"], found["MediaBox"]
            assert trim == pytest.approx([0, 0, *TRIM], abs=0.01), number  # where it was without marks
            assert bleed == pytest.approx([-BLEED, -BLEED, TRIM[0] + BLEED, TRIM[1] + BLEED], abs=0.01), number
            assert media == pytest.approx([b - SLUG if i < 2 else b + SLUG for i, b in enumerate(bleed)], abs=0.01)
            [registration] = [space for space in page.Resources.ColorSpace.values()
                              if isinstance(space, pikepdf.Array) and space[0] == "/Separation"]
            assert (registration[1], registration[2]) == ("/All", "/DeviceCMYK")
            assert list(registration[3].C1) == [1, 1, 1, 1], "the alternate is 100% of every process ink"
            marks = page.Contents[-1].read_bytes()
            assert re.search(rb"\b(rg|RG|sc|SC)\b|RGB", marks) is None, "nothing of the marks is RGB"
    with pdfplumber.open(pdf) as doc:
        plumb = doc.pages[0]
        left, top, right, bottom = plumb.trimbox   # pdfplumber's coordinates: top down from the MediaBox
        strokes = [line for line in plumb.lines if line["linewidth"] == 0.25]
        crop = [line for line in strokes if abs((line["x1"] - line["x0"]) + (line["bottom"] - line["top"])
                                                - MARK_LENGTH) < 0.01]
        assert len(crop) == 8, "two at each trim corner"
        for line in crop:
            assert line["stroking_color"] == 1.0, "tint 1 of the registration colour"
            vertical = line["x0"] == line["x1"]
            if vertical:   # on the line of a vertical trim edge, above or below the page, beyond the bleed
                assert min(abs(line["x0"] - left), abs(line["x0"] - right)) < 0.01
                gap = max(top - line["bottom"], line["top"] - bottom)
            else:
                assert min(abs(line["top"] - top), abs(line["top"] - bottom)) < 0.01
                gap = max(left - line["x1"], line["x0"] - right)
            assert gap == pytest.approx(MARK_START, abs=0.01), line
        targets = [curve for curve in plumb.curves if curve["linewidth"] == 0.25]
        centres = sorted(((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2) for c in targets)
        middle_x, middle_y = (left + right) / 2, (top + bottom) / 2
        assert len(centres) == 4 and sum(abs(x - middle_x) < 0.01 for x, _ in centres) == 2
        assert sum(abs(y - middle_y) < 0.01 for _, y in centres) == 2, "one target centred on each side"
        for curve in targets:   # each wholly outside the bleed
            assert (curve["x1"] < left - BLEED or curve["x0"] > right + BLEED or curve["bottom"] < top - BLEED
                    or curve["top"] > bottom + BLEED), curve


def test_the_preflight_passes_a_page_with_marks(marked: tuple[Scratch, CliRun]) -> None:
    from kmyreport.check import check_pdf

    ws, _ = marked
    press = load_layout("bulletin", find_workspace(ws.manifest())).config.press
    assert press is not None and press.marks == ["crop", "registration"]
    assert check_pdf(ws.output(), press) == []
    inside = ws.root / "inside.pdf"   # the registration colour used inside the page: an error
    with pikepdf.open(ws.output()) as doc:
        page = doc.pages[0]
        page.contents_add(doc.make_stream(b"q /KmyRegistration cs 1 scn 100 100 50 20 re f Q"), prepend=False)
        doc.save(inside)
    assert [(f.code, f.page) for f in check_pdf(inside, press)] == [("registration", 1)]


@requires_gs
def test_marks_print_on_all_four_plates(marked: tuple[Scratch, CliRun], tmp_path: Path) -> None:
    ws, _ = marked
    plates = separations(ws.output(), 1, tmp_path)   # 72 dpi, the whole MediaBox: 1 px = 1 pt
    # the top left corner's horizontal crop mark: on the trim's top edge, left of the bleed
    x0, y0 = round(SLUG + BLEED - MARK_START - MARK_LENGTH + 3), round(SLUG + BLEED) - 1
    mark = (x0, y0, x0 + 8, y0 + 3)
    for ink, plate in plates.items():
        assert 255 - plate.crop(mark).getextrema()[0] > 100, f"the crop mark is on the {ink} plate"


def test_compile_png_writes_one_trim_sized_image_per_page(marked: tuple[Scratch, CliRun]) -> None:
    ws, run = marked
    with pikepdf.open(ws.output()) as doc:
        pages = len(doc.pages)
    images = sorted(ws.output().parent.glob("t-*.png"))
    assert [p.name for p in images] == [f"t-{n:02d}.png" for n in range(1, pages + 1)]
    assert f"wrote {pages} page images at {PNG_DPI} dpi" in run.stdout
    expected = (210 * PNG_DPI / 25.4, 297 * PNG_DPI / 25.4)   # the trim: not the bleed, not the slug
    for path in images:
        size = Image.open(path).size
        assert abs(size[0] - expected[0]) <= 1 and abs(size[1] - expected[1]) <= 1, (path.name, size)
    corner = Image.open(images[0]).convert("L").crop((0, 0, 6, 6))
    assert corner.getextrema() == (255, 255), "no mark inside the trim"
