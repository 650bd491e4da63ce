"""Editions are entries of one registry: a new one is one module, and the pipeline follows it."""

from __future__ import annotations

import re

import pdfplumber
import pikepdf
import pytest
from typer.testing import CliRunner

from kmyreport import editions
from kmyreport.build import compile_issue
from kmyreport.cli import app
from kmyreport.errors import KmyError

from . import throwaway_edition
from .conftest import MM, SAMPLE_ID, CompiledSample


@pytest.fixture
def proof_edition():
    added = editions.register_module(throwaway_edition)
    yield added[0]
    for edition in added:
        editions.unregister(edition.name)


def test_built_in_editions_and_levels_come_from_the_registry() -> None:
    families = editions.families()
    assert list(families)[:3] == ["print", "screen", "archive"]
    assert [e.level for e in families["archive"]] == ["3a", "3b", "3u", "2a", "2b", "2u", "4e", "4f"]
    assert editions.get_edition("archive").level == "3a"
    assert editions.get_edition("archive", "PDF/A-2b").name == "archive-2b"
    assert editions.get_edition("screen").photos.ppi == 150
    with pytest.raises(KmyError, match="unknown edition 'poster'; choose one of: print, screen, archive"):
        editions.get_edition("poster")
    with pytest.raises(KmyError, match="--level applies to the archive edition only, not 'screen'"):
        editions.get_edition("screen", "3a")


def test_a_throwaway_edition_from_one_module_compiles_the_sample(proof_edition, sample: CompiledSample) -> None:
    result = compile_issue(sample.workspace.manifest(SAMPLE_ID), edition="proof")
    assert result.output.name == f"{SAMPLE_ID}-proof.pdf"
    # its storage: the note beside the PDF, and its warning
    assert result.output.with_suffix(".txt").read_text() == f"proof: {result.size_bytes} bytes\n"
    assert f"proof note beside {result.output.name}" in result.warnings
    # its post-processing: an attached note and an XMP property
    with pikepdf.open(result.output) as pdf:
        assert pdf.attachments["proof.txt"].get_file().read_bytes() == f"校样 {SAMPLE_ID}: 5 articles\n".encode()
        assert "校样 proof" in pdf.Root.Metadata.read_bytes().decode()
        # its stylesheet variables: 3 mm bleed around an A4 trim
        page = pdf.pages[1]
        trim, bleed = [float(v) for v in page.TrimBox], [float(v) for v in page.BleedBox]
        assert trim[2] - trim[0] == pytest.approx(210 * MM, abs=0.1)
        assert trim[0] - bleed[0] == pytest.approx(3 * MM, abs=0.1)
    # its photo policy: photos placed at 96 ppi
    with pdfplumber.open(result.output) as doc:
        images = [image for page in doc.pages for image in page.images]
    assert len(images) == 8
    for image in images:
        ppi = image["srcsize"][0] / ((image["x1"] - image["x0"]) / 72)
        assert ppi == pytest.approx(96, rel=0.02), image["name"]


def test_the_cli_lists_and_builds_a_registered_edition(proof_edition, sample: CompiledSample) -> None:
    runner = CliRunner()
    # the help is a box of wrapped lines: read it without the wrapping and the box's borders
    help_text = re.sub(r"[\s│]+", " ", runner.invoke(app, ["compile", "--help"], terminal_width=200).output)
    assert "print:" in help_text and "archive (--level 3a, 3b" in help_text
    result = runner.invoke(app, ["compile", str(sample.workspace.manifest(SAMPLE_ID)), "--edition", "proof"])
    assert result.exit_code == 0, result.output
    assert f"{SAMPLE_ID}-proof.pdf" in result.output
