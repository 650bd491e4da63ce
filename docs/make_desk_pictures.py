"""Make the pictures of docs/editor.md, docs/designer.md and docs/archivist.md from real runs.

In a scratch workspace (the repo's layouts, fonts and sample issues), it runs what each role
runs and renders pages of the PDFs it wrote with pypdfium2:

- docs/desk/editor-issue.png: the sample bulletin, screen edition: the cover and an article page;
- docs/desk/editor-new-issue.png: `kmyreport new issue 2024-08` compiled as it is (cover, placeholder);
- docs/desk/designer-newspaper.png: the sample newspaper's 第01版, screen edition, top half;
- docs/desk/archivist-archive.png: the archive copy (PDF/A-3a): the contents and an article page.

Each picture is a palette PNG under 150 KB.

    .venv/bin/python docs/make_desk_pictures.py
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from kmyreport.build import compile_issue
from kmyreport.files import link_or_copy
from kmyreport.new_issue import new_issue

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "desk"
GAP = 12
BACKDROP = (107, 110, 115)
LIMIT = 150_000


def workspace(root: Path) -> Path:
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(REPO / "schemas", root / "schemas")
    for issue in ("2024-07", "2024-08-daily"):
        shutil.copytree(REPO / "sources" / issue, root / "sources" / issue)
    shutil.copytree(REPO / "fonts", root / "fonts", copy_function=link_or_copy)
    return root


def pages(pdf: Path, numbers: tuple[int, ...], scale: float, crop: float = 1.0) -> list[Image.Image]:
    """Pages of `pdf` (1-based) at `scale` (1 = 72 dpi); `crop`: the top part of each page kept."""
    doc = pdfium.PdfDocument(pdf)
    images = []
    for number in numbers:
        image = doc[number - 1].render(scale=scale).to_pil().convert("RGB")
        images.append(image.crop((0, 0, image.width, round(image.height * crop))))
    doc.close()
    return images


def sheet(images: list[Image.Image], target: Path) -> None:
    """The images side by side on a grey backdrop, saved as a small palette PNG."""
    width = sum(image.width for image in images) + GAP * (len(images) + 1)
    height = max(image.height for image in images) + 2 * GAP
    board = Image.new("RGB", (width, height), BACKDROP)
    x = GAP
    for image in images:
        board.paste(image, (x, GAP))
        x += image.width + GAP
    target.parent.mkdir(parents=True, exist_ok=True)
    board.quantize(colors=96, dither=Image.Dither.NONE).save(target, optimize=True)
    size = target.stat().st_size
    print(f"wrote {target.relative_to(REPO)} ({size // 1000} kB)")
    if size > LIMIT:
        raise SystemExit(f"{target.name} is {size // 1000} kB, more than {LIMIT // 1000} kB: lower the scale")


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        root = workspace(Path(scratch))
        before = Path.cwd()
        os.chdir(root)
        try:
            bulletin = compile_issue(Path("sources/2024-07/issue.yaml"), edition="screen").output
            sheet(pages(bulletin, (1, 3), 0.5), OUT / "editor-issue.png")

            made = new_issue("2024-08", root)
            fresh = compile_issue(made.manifest, edition="screen").output
            sheet(pages(fresh, (1, 3), 0.5), OUT / "editor-new-issue.png")

            daily = compile_issue(Path("sources/2024-08-daily/issue.yaml"), edition="screen").output
            sheet(pages(daily, (1,), 0.75, crop=0.5), OUT / "designer-newspaper.png")

            archive = compile_issue(Path("sources/2024-07/issue.yaml"), edition="archive").output
            sheet(pages(archive, (2, 4), 0.5), OUT / "archivist-archive.png")
        finally:
            os.chdir(before)


if __name__ == "__main__":
    main()
