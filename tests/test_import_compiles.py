"""`kmyreport import`, then `kmyreport compile`: the imported article prints whole.

On untitled copy with six photos: the real seed when it is beside the repo (../shared),
and our own copy in the same conventions (tests/raw/19_untitled_rongmei.txt), always.
"""

from __future__ import annotations

from pathlib import Path

import pdfplumber
import pytest
import yaml

from kmyreport.ingest import import_raw

from .conftest import SEED, Scratch, body_text, jpeg_bytes, requires_seed, squash

OWN = Path(__file__).parent / "raw" / "19_untitled_rongmei.txt"
COPIES = [pytest.param(OWN, id="own"), pytest.param(SEED, id="seed", marks=requires_seed)]

MANIFEST = """\
publication: {name: 克拉玛依融媒}
issue: {number: 9, date: 2024-07-20}
sections:
  - articles: [articles/seed.md]
"""


@pytest.mark.parametrize("copy", COPIES)
def test_imported_copy_compiles_with_every_paragraph(workspace: Scratch, copy: Path) -> None:
    photos = workspace.issue_dir() / "photos"
    for index in range(6):
        workspace.write(f"sources/t/photos/{index + 1:02d}.jpg", jpeg_bytes(2200, 1400, (20 * index, 90, 160)))
    workspace.write("sources/t/issue.yaml", MANIFEST)
    run = workspace.cli("import", str(copy), "--photos", str(photos), "--title", "民族团结之花绽放油城",
                        "-o", "sources/t/articles/seed.md")
    assert run.returncode == 0, run.stderr
    article = (workspace.issue_dir() / "articles" / "seed.md").read_text(encoding="utf-8")
    assert article.count("](photos/") == 6

    compiled = workspace.cli("compile", "sources/t/issue.yaml")
    assert compiled.returncode == 0, compiled.stderr
    text = body_text(workspace.output())
    with pdfplumber.open(workspace.output()) as pdf:
        assert len([image for page in pdf.pages for image in page.images]) == 6

    result = import_raw(copy, title="民族团结之花绽放油城")
    paragraphs = [block.text for block in result.blocks if block.kind == "paragraph"]
    assert len(paragraphs) >= 15
    position = 0
    for paragraph in paragraphs:
        found = text.find(squash(paragraph), position)
        assert found >= 0, f"paragraph missing or out of order: {paragraph[:40]}"
        position = found
    for block in result.blocks:
        if block.kind == "photo":
            assert squash(block.credit) in text
    for role, name in result.front_matter["editors"].items():
        assert f"{role}：{name}" in text


@pytest.mark.parametrize("copy", COPIES)
def test_import_without_photos_gives_placeholders_that_compile_reports(workspace: Scratch, copy: Path) -> None:
    workspace.write("sources/t/issue.yaml", MANIFEST)
    run = workspace.cli("import", str(copy), "--title", "标题", "-o", "sources/t/articles/seed.md")
    assert run.returncode == 0 and "MISSING" in run.stderr
    compiled = workspace.cli("compile", "sources/t/issue.yaml")
    assert compiled.returncode == 1
    assert "sources/t/articles/seed.md:" in compiled.stderr and "photo not found" in compiled.stderr


@pytest.mark.parametrize("copy", COPIES)
def test_import_without_title_is_reported_by_compile(workspace: Scratch, copy: Path) -> None:
    workspace.write("sources/t/issue.yaml", MANIFEST)
    for index in range(6):
        workspace.write(f"sources/t/photos/MISSING-{index + 1}.jpg", jpeg_bytes(2200, 1400))
    run = workspace.cli("import", str(copy), "-o", "sources/t/articles/seed.md")
    assert run.returncode == 0
    front = yaml.safe_load((workspace.issue_dir() / "articles" / "seed.md").read_text(encoding="utf-8")
                           .split("---\n")[1])
    assert front["title"] == ""
    compiled = workspace.cli("compile", "sources/t/issue.yaml")
    assert compiled.returncode == 1 and "seed.md" in compiled.stderr and "title is empty" in compiled.stderr


@pytest.mark.parametrize(
    ("copy", "head", "photographer", "editor"),
    [pytest.param(OWN, "筑牢生态屏障", "刘思源", "李晓梅", id="own"),
     pytest.param(SEED, "牢牢把握主线", "田治民", "陈丽", id="seed", marks=requires_seed)],
)
def test_dry_run_writes_nothing_and_reports(workspace: Scratch, copy: Path, head: str, photographer: str,
                                            editor: str) -> None:
    run = workspace.cli("import", str(copy), "--dry-run", "-o", "sources/t/articles/seed.md")
    assert run.returncode == 0
    assert not (workspace.issue_dir() / "articles" / "seed.md").exists()
    assert head in run.stdout and photographer in run.stdout and editor in run.stdout


def test_undecodable_file_is_one_clear_error(workspace: Scratch) -> None:
    bad = workspace.write("raw.txt", bytes([0x81, 0x30, 0xFF, 0xFE, 0x00, 0x80, 0xC0, 0xAF] * 16))
    run = workspace.cli("import", str(bad))
    assert run.returncode == 1 and "raw.txt" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.parametrize("copy", COPIES)
def test_photos_from_outside_the_issue_are_copied_in(workspace: Scratch, copy: Path) -> None:
    drop = workspace.root / "incoming"
    for index in range(6):
        workspace.write(f"incoming/{index + 1:02d}.jpg", jpeg_bytes(2200, 1400, (30 * index, 80, 120)))
    workspace.write("sources/t/issue.yaml", MANIFEST)
    run = workspace.cli("import", str(copy), "--photos", str(drop), "--title", "标题", "-o", "sources/t/articles/seed.md")
    assert run.returncode == 0, run.stderr
    copied = sorted(p.name for p in (workspace.issue_dir() / "photos").iterdir())
    assert copied == [f"{index + 1:02d}.jpg" for index in range(6)]
    assert (workspace.issue_dir() / "photos" / "03.jpg").read_bytes() == (drop / "03.jpg").read_bytes()
    assert workspace.cli("compile", "sources/t/issue.yaml").returncode == 0

    again = workspace.cli("import", str(copy), "--photos", str(drop), "--title", "标题", "-o", "sources/t/articles/seed.md")
    assert again.returncode == 1 and "already exists" in again.stderr and "--force" in again.stderr
    workspace.write("incoming/03.jpg", jpeg_bytes(2200, 1400, (250, 250, 0)))
    clash = workspace.cli("import", str(copy), "--photos", str(drop), "--title", "标题", "-o",
                          "sources/t/articles/seed.md", "--force")
    assert clash.returncode == 1 and "03.jpg" in clash.stderr and "different photo" in clash.stderr


def test_a_byline_inside_the_lede_is_printed_once(workspace: Scratch) -> None:
    raw = Path(__file__).parent / "raw" / "09_dateline_benbaoxun.txt"
    workspace.write("sources/t/issue.yaml", MANIFEST)
    run = workspace.cli("import", str(raw), "-o", "sources/t/articles/seed.md")
    assert run.returncode == 0, run.stderr
    front = yaml.safe_load((workspace.issue_dir() / "articles" / "seed.md").read_text(encoding="utf-8")
                           .split("---\n")[1])
    assert front["byline"] is False and front["authors"][0]["name"] == "王雪梅"
    assert workspace.cli("compile", "sources/t/issue.yaml").returncode == 0
    text = body_text(workspace.output())
    assert text.count("王雪梅") == 1 and "本报讯（记者王雪梅）7月20日晚" in text
