"""Archival copies: PDF/A levels that pass veraPDF, sources inside, sidecar, `verify`, batches."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import pikepdf
import pytest

from kmyreport.build import compile_issue
from kmyreport.editions.archive import LEVELS
from kmyreport.verapdf import find_verapdf_jar, run_verapdf_each

from .conftest import ARTICLE, MANIFEST, SAMPLE_ID, CompiledSample, Scratch, jpeg_bytes, make_workspace


def need_verapdf() -> None:
    if find_verapdf_jar() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("veraPDF harness missing in CI: run bash tools/verapdf/build.sh")
        pytest.skip("veraPDF harness not built (bash tools/verapdf/build.sh)")


@pytest.fixture(scope="session")
def sample_archive(sample: CompiledSample) -> Path:
    """The sample's archive copy, validated by veraPDF before it was stored when veraPDF is here
    (always in CI); without it, the tests that do not need the validator still run."""
    return compile_issue(sample.workspace.manifest(SAMPLE_ID), edition="archive").output


def test_sample_archive_passes_verapdf_as_pdfa_3a_and_pdfua_1(sample_archive: Path) -> None:
    need_verapdf()
    # The copy exists only because veraPDF passed it before it was put in place (the store
    # validates, and CI has veraPDF); the sidecar records that run's verdicts.
    sidecar = json.loads(sample_archive.with_suffix(".json").read_text(encoding="utf-8"))
    assert sidecar["validation"]["verapdf"]["results"] == {"3a": True, "ua1": True}
    with pikepdf.open(sample_archive) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "A"
        assert meta["pdfuaid:part"] == "1"
        assert meta["dc:title"] == "克拉玛依融媒 第7期 盛夏油城专刊"
        assert "马晓宇" in meta["dc:creator"][0]
        assert meta["dc:publisher"] == ["克拉玛依市融媒体中心"] or "克拉玛依市融媒体中心" in str(meta["dc:publisher"])
        assert "zh-CN" in str(meta["dc:language"]) and "CCUS" in str(meta["dc:subject"])
        assert "第7期" in str(meta["dc:identifier"])
        assert str(meta["xmp:CreateDate"]).startswith("2024-07-20")


def test_sources_extract_to_the_exact_input_bytes(sample_archive: Path, sample: CompiledSample) -> None:
    issue_dir = sample.issue_dir
    with pikepdf.open(sample_archive) as pdf:
        files = {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}
        relationships = {name: str(spec.obj.get("/AFRelationship")) for name, spec in pdf.attachments.items()}
        assert len(pdf.Root.AF) == len(files)
    sources = ["issue.yaml"] + sorted(p.relative_to(issue_dir).as_posix() for p in (issue_dir / "articles").glob("*.md"))
    assert sorted(files) == sorted(sources + ["SHA256SUMS"])
    for name in sources:
        assert files[name] == (issue_dir / name).read_bytes(), name
        assert relationships[name] == "/Source"
    assert relationships["SHA256SUMS"] == "/Data"
    root = sample.workspace.root
    for line in files["SHA256SUMS"].decode().splitlines():
        digest, rel = line.split("  ", 1)
        assert hashlib.sha256((root / rel).read_bytes()).hexdigest() == digest, rel
    listed = {line.split("  ", 1)[1] for line in files["SHA256SUMS"].decode().splitlines()}
    assert {f"sources/{SAMPLE_ID}/photos/{p.name}" for p in (issue_dir / "photos").iterdir()} <= listed
    assert any(rel.startswith("fonts/") for rel in listed) and any(rel.startswith("layouts/") for rel in listed)


def test_sidecar_records_checksums_versions_and_validation(sample_archive: Path) -> None:
    sidecar = json.loads(sample_archive.with_suffix(".json").read_text(encoding="utf-8"))
    assert sidecar["sha256"] == hashlib.sha256(sample_archive.read_bytes()).hexdigest()
    assert sidecar["level"] == "PDF/A-3a" and sidecar["conformance"] == ["PDF/A-3a", "PDF/UA-1"]
    assert {"manifest", "article", "photo", "layout", "font"} <= {i["role"] for i in sidecar["inputs"]}
    assert sidecar["tools"]["weasyprint"].startswith("70.")
    assert all(f["version"].startswith("Version 2.00") for f in sidecar["fonts"])
    if find_verapdf_jar() is not None:
        assert sidecar["validation"]["compliant"] is True and sidecar["validation"]["verdict"] == "compliant"
        assert sidecar["validation"]["verapdf"]["results"] == {"3a": True, "ua1": True}
    else:  # only veraPDF makes a copy compliant: without it the sidecar says so
        assert sidecar["validation"]["compliant"] is None and sidecar["validation"]["verapdf"] is None
        assert sidecar["validation"]["verdict"] == "not validated (veraPDF not installed): own checks pass"
        assert "veraPDF not installed" in sidecar["validation"]["note"]
    # UTF-8 with the characters themselves, not \\u escapes
    raw = sample_archive.with_suffix(".json").read_bytes().decode("utf-8")
    assert "克拉玛依市融媒体中心" in raw and "\\u" not in raw


def test_two_archive_builds_give_the_same_bytes(sample_archive: Path, sample: CompiledSample, tmp_path: Path,
                                               font_store: Path) -> None:
    """The archive copy built again in another folder (another workspace path, no photo cache):
    the same bytes, sources and checksums inside included."""
    elsewhere = make_workspace(tmp_path / "another" / "folder", font_store)
    shutil.copytree(sample.issue_dir, elsewhere.issue_dir(SAMPLE_ID))
    again = compile_issue(elsewhere.manifest(SAMPLE_ID), edition="archive", output=tmp_path / "again.pdf",
                          validate=False)
    assert str(sample.workspace.root) not in str(again.output)
    assert hashlib.sha256(again.output.read_bytes()).hexdigest() == hashlib.sha256(sample_archive.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def level_copies(tmp_path_factory: pytest.TempPathFactory, font_store: Path) -> dict[str, tuple[Path, list]]:
    """A small issue at every offered level, all checked by veraPDF in one run (one JVM start)."""
    need_verapdf()
    ws = make_workspace(tmp_path_factory.mktemp("levels") / "ws", font_store)
    ws.write("sources/t/issue.yaml", MANIFEST)
    ws.write("sources/t/articles/a.md", ARTICLE)
    ws.write("sources/t/photos/p.jpg", jpeg_bytes(800, 600))
    copies = {level: compile_issue(ws.manifest(), edition="archive", level=level, validate=False).output
              for level in LEVELS}
    results = run_verapdf_each([(copies[level], LEVELS[level].verapdf_flavours) for level in LEVELS])
    return {level: (path, [r for r in results if r.file == path]) for level, path in copies.items()}


@pytest.mark.parametrize("level", list(LEVELS))
def test_every_offered_level_passes_verapdf(level_copies, level: str) -> None:
    path, results = level_copies[level]
    assert [r.flavour for r in results] == LEVELS[level].verapdf_flavours
    assert all(r.compliant for r in results), [(r.flavour, r.failures) for r in results]
    with pikepdf.open(path) as pdf:
        assert bool(pdf.attachments) == LEVELS[level].embeds_sources
        assert pdf.open_metadata()["pdfaid:part"] == level[0]


def test_verify_passes_the_good_copy_and_fails_bad_ones(sample_archive: Path, sample: CompiledSample,
                                                         tmp_path: Path) -> None:
    ws = sample.workspace
    # (veraPDF through `verify` is exercised on the batch's copies below; here the own checks)
    good = ws.cli("verify", "--no-verapdf", str(sample_archive))
    assert good.returncode == 3, good.stdout + good.stderr  # own checks pass; not validated without veraPDF
    assert good.stdout.startswith("not validated (--no-verapdf): own checks pass ") and "PDF/A-3A + PDF/UA-1" in good.stdout
    assert "veraPDF not run" in good.stdout and "NOT" not in good.stdout and "compliant" not in good.stdout

    stripped = tmp_path / "stripped.pdf"
    with pikepdf.open(sample_archive) as pdf:
        del pdf.Root["/Metadata"]
        pdf.save(stripped)
    run = ws.cli("verify", str(stripped))
    assert run.returncode == 1 and "no XMP metadata" in run.stdout

    interpolating = tmp_path / "interpolating.pdf"
    with pikepdf.open(sample_archive) as pdf:
        image = next(o for o in pdf.objects if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image")
        image.Interpolate = True
        pdf.save(interpolating)
    run = ws.cli("verify", "--no-verapdf", str(interpolating))
    assert run.returncode == 1 and "/Interpolate true" in run.stdout

    tampered = tmp_path / "tampered.pdf"
    shutil.copy(sample_archive, tampered)
    sidecar = json.loads(sample_archive.with_suffix(".json").read_text(encoding="utf-8"))
    sidecar["inputs"][1]["sha256"] = "0" * 64
    sidecar["sha256"] = hashlib.sha256(tampered.read_bytes()).hexdigest()
    tampered.with_suffix(".json").write_text(json.dumps(sidecar), encoding="utf-8")
    run = ws.cli("verify", "--no-verapdf", str(tampered))
    assert run.returncode == 1 and "differs" in run.stdout


def test_verify_names_each_fault_of_several_files_at_once(sample_archive: Path, sample: CompiledSample,
                                                        tmp_path: Path) -> None:
    """One `verify` run on several files: each has its own report and its own fault, the worst exit code."""
    def broken(name: str, change) -> Path:
        path = tmp_path / f"{name}.pdf"
        with pikepdf.open(sample_archive) as pdf:
            change(pdf)
            pdf.save(path)
        sidecar = json.loads(sample_archive.with_suffix(".json").read_text(encoding="utf-8"))
        sidecar["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()  # the sidecar follows the change
        path.with_suffix(".json").write_text(json.dumps(sidecar, ensure_ascii=False), encoding="utf-8")
        return path

    def unembed(pdf: pikepdf.Pdf) -> None:
        for font in pdf.pages[0].obj.Resources.Font.values():
            descriptor = (font.DescendantFonts[0] if "/DescendantFonts" in font else font).FontDescriptor
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                if key in descriptor:
                    del descriptor[key]

    faults = {
        broken("no-intent", lambda pdf: pdf.Root.__delitem__("/OutputIntents")):
            "output intent: no GTS_PDFA1 output intent with an ICC profile",
        broken("unembedded", unembed): "fonts embedded: not embedded: /",
        broken("no-lang", lambda pdf: pdf.Root.__delitem__("/Lang")): "language: no /Lang in the catalog",
        broken("untagged", lambda pdf: pdf.Root.__delitem__("/StructTreeRoot")):
            "tagged: tagged level without a structure tree",
    }
    other_sum = tmp_path / "other-sum.pdf"
    shutil.copy(sample_archive, other_sum)
    sidecar = json.loads(sample_archive.with_suffix(".json").read_text(encoding="utf-8"))
    sidecar["sha256"] = "0" * 64
    other_sum.with_suffix(".json").write_text(json.dumps(sidecar, ensure_ascii=False), encoding="utf-8")
    faults[other_sum] = "checksum: PDF SHA-256 "
    run = sample.workspace.cli("verify", "--no-verapdf", str(sample_archive), *map(str, faults))
    assert run.returncode == 1, run.stdout + run.stderr
    # one report per file, in the order given: a headline, then one line per failed check
    reports = re.split(r"\n(?=\S)", run.stdout.strip())
    assert len(reports) == 1 + len(faults), run.stdout
    assert reports[0].startswith("not validated (--no-verapdf): own checks pass — ")
    assert reports[0].split("\n")[0].endswith("-pdfa-3a.pdf: PDF/A-3A + PDF/UA-1; 9/9 own checks; veraPDF not run")
    for report, (path, fault) in zip(reports[1:], faults.items()):
        headline, *failures = report.split("\n")
        assert headline.startswith("NOT compliant — ") and f"{path}: PDF/A-3A + PDF/UA-1; 8/9 own checks" in headline
        assert len(failures) == 1 and failures[0].startswith(f"    - {fault}"), (path.name, failures)
    assert reports[-1].endswith("differs from the sidecar's")


def test_failed_validation_keeps_the_previous_copy(small_issue: Scratch) -> None:
    first = compile_issue(small_issue.manifest(), edition="archive", level="3b", validate=False)
    before = first.output.read_bytes()
    style = small_issue.root / "layouts" / "bulletin" / "style.css.j2"
    without = style.read_text(encoding="utf-8").replace("image-rendering: {{ edition.image_rendering }}",
                                                         "color: inherit")
    assert "image-rendering" not in without
    style.write_text(without, encoding="utf-8")
    run = small_issue.cli("compile", "sources/t/issue.yaml", "--edition", "archive", "--level", "3b")
    assert run.returncode == 1 and "Interpolate" in run.stderr and "Traceback" not in run.stderr
    assert first.output.read_bytes() == before
    assert sorted(p.name for p in first.output.parent.iterdir()) == sorted([first.output.name, "t-pdfa-3b.json"])


def test_batch_archive_reports_each_issue_and_goes_on(tmp_path: Path, font_store: Path) -> None:
    need_verapdf()
    ws = make_workspace(tmp_path / "ws", font_store)
    for issue_id in ("a", "b", "c"):
        ws.write(f"sources/{issue_id}/issue.yaml", MANIFEST)
        ws.write(f"sources/{issue_id}/articles/a.md", "---\ntitle: 标题\n---\n\n正文。\n")
    ws.write("sources/b/articles/a.md", "---\ntitle: 标题\nauthor: 某某\n---\n\n正文。\n")  # broken
    run = ws.cli("archive", "sources/*/issue.yaml", "--level", "2b")
    assert run.returncode == 1
    assert "2 of 3 issues archived, 1 failed" in run.stdout
    assert "sources/b/articles/a.md:3:1" in run.stderr and "did you mean 'authors'" in run.stderr
    copies = [ws.root / "out" / "a" / "a-pdfa-2b.pdf", ws.root / "out" / "c" / "c-pdfa-2b.pdf"]
    assert all(copy.is_file() for copy in copies)
    # verify several files at once, with veraPDF: one verdict line each
    run = ws.cli("verify", *map(str, copies))
    assert run.returncode == 0, run.stdout + run.stderr
    verdicts = [line for line in run.stdout.splitlines() if not line.startswith(" ")]
    assert len(verdicts) == 2 and all(line.startswith("compliant ") and "veraPDF 2b pass" in line
                                      for line in verdicts), run.stdout
