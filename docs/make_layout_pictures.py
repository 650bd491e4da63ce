"""Make the before/after pictures of docs/layouts.md from real runs.

Compiles the sample issue (sources/2024-07) in a scratch workspace twice, screen edition:
with `bulletin`, and with the worked example `docs/example/oasis` (a layout that extends
bulletin) installed as `layouts/oasis`. Then it renders the cover and the first article
page of each with pypdfium2, side by side, to docs/layouts-before.png and
docs/layouts-after.png.

    .venv/bin/python docs/make_layout_pictures.py
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

from kmyreport.build import compile_issue
from kmyreport.files import link_or_copy

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
PAGES = (1, 3)     # the cover and the first article page
SCALE = 0.75       # 54 dpi: 446 × 631 pixels a page
GAP = 16


def workspace(root: Path) -> Path:
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(DOCS / "example" / "oasis", root / "layouts" / "oasis")
    shutil.copytree(REPO / "sources" / "2024-07", root / "sources" / "2024-07")
    shutil.copytree(REPO / "fonts", root / "fonts", copy_function=link_or_copy)
    return root / "sources" / "2024-07" / "issue.yaml"


def picture(pdf: Path, target: Path) -> None:
    doc = pdfium.PdfDocument(pdf)
    images = [doc[number - 1].render(scale=SCALE).to_pil() for number in PAGES]
    width = sum(image.width for image in images) + GAP * (len(images) + 1)
    height = max(image.height for image in images) + 2 * GAP
    sheet = Image.new("RGB", (width, height), (107, 110, 115))
    x = GAP
    for image in images:
        sheet.paste(image, (x, GAP))
        x += image.width + GAP
    sheet.save(target, optimize=True)
    print(f"wrote {target.relative_to(REPO)} ({target.stat().st_size // 1000} kB)")


def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        manifest = workspace(Path(scratch))
        text = manifest.read_text(encoding="utf-8")
        for layout, name in (("bulletin", "before"), ("oasis", "after")):
            manifest.write_text(text.replace("layout: bulletin", f"layout: {layout}"), encoding="utf-8")
            result = compile_issue(manifest, edition="screen", output=Path(scratch) / f"{layout}.pdf")
            picture(result.output, DOCS / f"layouts-{name}.png")


if __name__ == "__main__":
    main()
