"""The build cache: an unchanged rebuild renders nothing; any change to what a build reads renders again."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageCms

import kmyreport.build
import kmyreport.photos
from kmyreport import cache as build_cache
from kmyreport.build import compile_issue
from kmyreport.colour import CMYK, ColourTarget
from kmyreport.errors import KmyError
from kmyreport.photos import Placement, prepare_photo

from .conftest import REPO, Scratch, jpeg_bytes


@pytest.fixture(autouse=True)
def pinned_code(monkeypatch: pytest.MonkeyPatch) -> None:
    """kmyreport's code may be edited while these run (a shared checkout): its part of the key is pinned."""
    monkeypatch.setenv(build_cache.CODE_SIGNATURE_ENV, "test-cache")


def test_an_unchanged_rebuild_renders_nothing_and_any_change_renders(small_issue: Scratch,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    manifest = small_issue.manifest()
    first = compile_issue(manifest, edition="screen")
    assert not first.cached
    stamp = first.output.stat().st_mtime_ns
    real_render = kmyreport.build.render_pdf
    renders = []

    def counting(job):
        renders.append(job)
        return real_render(job)
    monkeypatch.setattr(kmyreport.build, "render_pdf", counting)

    again = compile_issue(manifest, edition="screen")
    assert again.cached and not renders
    assert (again.output, again.pages, again.size_bytes, again.warnings) == (first.output, first.pages,
                                                                             first.size_bytes, first.warnings)
    assert first.output.stat().st_mtime_ns == stamp

    article = small_issue.issue_dir() / "articles" / "a.md"
    os.utime(article, ns=(stamp, stamp + 10**9))  # saved again without a change: still up to date
    assert compile_issue(manifest, edition="screen").cached and not renders

    def fresh() -> bool:
        slot, key = kmyreport.build._cache_slot(manifest, "screen", None, None, None, True, "error")
        record = build_cache.load(slot)
        return record is not None and record.fresh(key)

    root = small_issue.root
    changes = [  # each file changed, then put back as it was (with a new time: its hash decides)
        ("the photo replaced", root / "sources/t/photos/p.jpg", jpeg_bytes(2400, 1600, (200, 90, 40))),
        ("a font changed", root / "fonts/NotoSansSC-Bold.otf", b"not a font"),
        ("a file added to the layout", root / "layouts/bulletin/templates/extra.html.j2", b"<p>new</p>"),
        ("the output changed", first.output, first.output.read_bytes() + b"\n"),
        ("the output deleted", first.output, None),
    ]
    for what, path, data in changes:
        saved = path.read_bytes() if path.exists() else None
        _replace(path, data)
        assert not fresh(), what
        _replace(path, saved)
        assert fresh(), f"up to date again once undone: {what}"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert not fresh(), "SOURCE_DATE_EPOCH set"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert not renders

    article.write_text(article.read_text(encoding="utf-8").replace("第二段正文", "第二段正文改"), encoding="utf-8")
    edited = compile_issue(manifest, edition="screen")
    assert not edited.cached and len(renders) == 1
    assert compile_issue(manifest, edition="screen").cached and len(renders) == 1
    assert not compile_issue(manifest, edition="screen", cache=False).cached and len(renders) == 2
    slot, _ = kmyreport.build._cache_slot(manifest, "screen", None, None, small_issue.root / "x.pdf", True, "error")
    assert build_cache.load(slot) is None, "another output path is another slot"


def _replace(path: Path, data: bytes | None) -> None:
    """Replace a file (never write through it: the fonts are hard links to a shared copy); None: remove it."""
    path.unlink(missing_ok=True)
    if data is not None:
        path.write_bytes(data)


def test_the_cli_says_up_to_date_and_no_cache_builds(small_issue: Scratch) -> None:
    first = small_issue.cli("compile", "sources/t/issue.yaml", "--edition", "screen")
    assert first.returncode == 0 and first.stdout.startswith("wrote "), first.stdout + first.stderr
    again = small_issue.cli("compile", "sources/t/issue.yaml", "--edition", "screen")
    assert again.returncode == 0 and again.stdout.startswith("up to date "), again.stdout
    assert "nothing changed since the last build" in again.stdout
    forced = small_issue.cli("compile", "sources/t/issue.yaml", "--edition", "screen", "--no-cache")
    assert forced.returncode == 0 and forced.stdout.startswith("wrote "), forced.stdout


def test_an_archive_copy_is_up_to_date_only_with_its_sidecar(small_issue: Scratch) -> None:
    manifest = small_issue.manifest()
    first = compile_issue(manifest, edition="archive", level="3b", validate=False)
    sidecar = first.output.with_suffix(".json")
    assert compile_issue(manifest, edition="archive", level="3b", validate=False).cached
    sidecar.unlink()
    rebuilt = compile_issue(manifest, edition="archive", level="3b", validate=False)
    assert not rebuilt.cached and sidecar.is_file()
    assert first.output.read_bytes() == rebuilt.output.read_bytes()


def test_files_written_beside_the_pdf_must_be_there_too(small_issue: Scratch, monkeypatch: pytest.MonkeyPatch) -> None:
    """A newspaper writes one PDF per page beside the issue's (its composer's `outputs`): a missing or
    changed page is a rebuild. Here the bulletin's composer is made to write one such page."""
    from kmyreport.compose import FlowComposer

    def one_page(self, pdf: bytes, target: Path) -> list[Path]:
        page = target.with_name(f"{target.stem}-page01.pdf")
        page.write_bytes(pdf[:1000])
        return [page]
    monkeypatch.setattr(FlowComposer, "outputs", one_page)
    first = compile_issue(small_issue.manifest(), edition="screen")
    assert [p.name for p in first.files] == ["t-screen-page01.pdf"]
    hit = compile_issue(small_issue.manifest(), edition="screen")
    assert hit.cached and hit.files == first.files
    first.files[0].write_bytes(b"changed")
    rebuilt = compile_issue(small_issue.manifest(), edition="screen")
    assert not rebuilt.cached and first.files[0].read_bytes() != b"changed"
    records = list((small_issue.root / "out" / ".cache" / "builds").glob("*.json"))
    assert len(records) == 1
    records[0].write_text("{not json", encoding="utf-8")
    assert not compile_issue(small_issue.manifest(), edition="screen").cached, "an unreadable record is a miss"


def test_importing_the_cli_loads_no_engine_or_image_library() -> None:
    code = ("import sys, kmyreport.cli; heavy = [m for m in ('weasyprint', 'PIL', 'pikepdf', 'pdfplumber', "
            "'pypdfium2', 'pydantic', 'jinja2') if m in sys.modules]; print(','.join(heavy))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                         cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO / "src")})
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "", f"imported at start: {run.stdout.strip()}"
    version = subprocess.run([sys.executable, "-m", "kmyreport", "--version"], capture_output=True, text=True,
                             timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("kmyreport ") and "WeasyPrint 70" in version.stdout
    for args in (["--version"], ["--help"]):  # building the whole command line imports no edition either
        code = ("import atexit, sys; atexit.register(lambda: print([m for m in ('weasyprint', 'PIL', 'pikepdf', "
                "'pydantic') if m in sys.modules], file=sys.stderr)); from kmyreport.cli import main; "
                f"sys.argv = ['kmyreport', *{args!r}]; main()")
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert run.returncode == 0 and run.stderr.strip().endswith("[]"), (args, run.stderr)


# Photos already fit for their place are passed through: copied, not decoded and encoded again.

PLACEMENT = Placement(max_width_mm=160.0, max_height_mm=110.0, ppi=300)


def _jpeg(size: tuple[int, int], mode: str = "RGB", **options) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (40, 90, 160) if mode == "RGB" else (10, 60, 0, 5)).save(buffer, "JPEG", quality=85,
                                                                                   **options)
    return buffer.getvalue()


def _scan(data: bytes) -> bytes:
    """The picture data: everything from the start of the scan."""
    return data[data.index(b"\xff\xda"):]


def test_a_jpeg_near_the_target_resolution_is_passed_through(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"
    exif[0x0112] = 1
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    source = tmp_path / "p.jpg"
    source.write_bytes(_jpeg((2400, 1600), exif=exif.tobytes(), icc_profile=srgb))  # 381 ppi at 160 mm

    def no_decoding(*args, **kwargs):
        raise AssertionError("decoded although it could be passed through")
    monkeypatch.setattr(kmyreport.photos, "_open", no_decoding)
    photo, warnings = prepare_photo(source, PLACEMENT, tmp_path / "cache")
    placed = photo.path.read_bytes()
    assert (photo.width_px, photo.height_px) == (2400, 1600) and not warnings
    assert _scan(placed) == _scan(source.read_bytes()), "the picture data is the original's"
    with Image.open(photo.path) as image:
        assert "exif" not in image.info and image.info.get("icc_profile") == srgb
    monkeypatch.undo()

    resampled, _ = prepare_photo(source, Placement(160.0, 110.0, 150), tmp_path / "cache")  # 762 ppi: too many
    assert resampled.width_px == round(160 / 25.4 * 150)
    sideways = tmp_path / "s.jpg"
    exif[0x0112] = 6
    sideways.write_bytes(_jpeg((1600, 2400), exif=exif.tobytes()))
    turned, _ = prepare_photo(sideways, PLACEMENT, tmp_path / "cache")
    assert turned.width_px > turned.height_px, "a rotated original is still turned upright"


def test_a_cmyk_edition_passes_through_only_cmyk_in_its_own_profile(tmp_path: Path) -> None:
    profile = REPO / "layouts" / "bulletin" / "profiles" / "ISOcoated_v2_300_bas.icc"
    icc = profile.read_bytes()
    target = ColourTarget(CMYK, profile, 300, hashlib.sha256(icc).hexdigest())
    rgb, cmyk = tmp_path / "rgb.jpg", tmp_path / "cmyk.jpg"
    rgb.write_bytes(_jpeg((2000, 1300)))
    cmyk.write_bytes(_jpeg((2000, 1300), "CMYK", icc_profile=icc))
    converted, _ = prepare_photo(rgb, PLACEMENT, tmp_path / "cache", colour=target)
    assert Image.open(converted.path).mode == "CMYK" and _scan(converted.path.read_bytes()) != _scan(rgb.read_bytes())
    kept, _ = prepare_photo(cmyk, PLACEMENT, tmp_path / "cache", colour=target)
    assert _scan(kept.path.read_bytes()) == _scan(cmyk.read_bytes())
    screen, _ = prepare_photo(cmyk, PLACEMENT, tmp_path / "cache")
    assert Image.open(screen.path).mode == "RGB", "a screen edition still gets RGB"


def test_a_photo_cut_short_is_refused_even_when_it_could_pass(tmp_path: Path) -> None:
    data = _jpeg((2400, 1600))
    source = tmp_path / "cut.jpg"
    source.write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(KmyError, match="cannot read the image"):
        prepare_photo(source, PLACEMENT, tmp_path / "cache")


def test_the_pdf_carries_a_passed_photo_as_it_is(small_issue: Scratch) -> None:
    small_issue.write("sources/t/photos/p.jpg", jpeg_bytes(1000, 667))  # about 150 ppi: the screen's own
    result = compile_issue(small_issue.manifest(), edition="screen", cache=False)
    with pikepdf.open(result.output) as pdf:
        images = [o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert len(images) == 1 and images[0].get("/Filter") == "/DCTDecode"
        assert _scan(images[0].read_raw_bytes()) == _scan(jpeg_bytes(1000, 667)), "embedded without re-encoding"


def test_the_code_signature_follows_the_code_that_shapes_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(build_cache.CODE_SIGNATURE_ENV)
    monkeypatch.setattr(build_cache, "_package_root", lambda: tmp_path)
    (tmp_path / "render").mkdir()
    for name in ("photos.py", "cli.py", "render/engine.py"):
        (tmp_path / name).write_text("x = 1\n", encoding="utf-8")
    before = build_cache.code_signature()
    (tmp_path / "cli.py").write_text("x = 2  # the command line only\n", encoding="utf-8")
    assert build_cache.code_signature() == before
    (tmp_path / "render" / "engine.py").write_text("x = 2\n", encoding="utf-8")
    assert build_cache.code_signature() != before
    monkeypatch.setenv(build_cache.CODE_SIGNATURE_ENV, "pinned")
    assert build_cache.code_signature() == "pinned"
