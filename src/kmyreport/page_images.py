"""Page images for posting online: one PNG per page of a compiled PDF (`compile --png`).

Pages are rendered with pypdfium2 (PDFium), cropped to the TrimBox, so a print
edition's bleed does not show. A print edition's CMYK is converted to RGB by
PDFium without the press profile: for the web, the screen edition's colours are
the ones to post. The PNGs go beside the PDF as `<pdf name>-01.png`, … and are
written atomically; the same PDF gives the same bytes.
"""

from __future__ import annotations

import io
from pathlib import Path

from .errors import KmyError
from .files import write_bytes_atomic

DEFAULT_DPI = 150


def page_image_paths(pdf: Path, pages: int) -> list[Path]:
    width = max(2, len(str(pages)))
    return [pdf.with_name(f"{pdf.stem}-{number:0{width}d}.png") for number in range(1, pages + 1)]


def write_page_images(pdf: Path, dpi: int = DEFAULT_DPI) -> list[Path]:
    """Render every page of `pdf` at `dpi` to PNGs beside it; returns their paths."""
    import pypdfium2 as pdfium

    if not 18 <= dpi <= 1200:
        raise KmyError(f"--dpi {dpi}: give a resolution from 18 to 1200 dots per inch")
    document = pdfium.PdfDocument(str(pdf))
    try:
        paths = page_image_paths(pdf, len(document))
        for page, path in zip(document, paths):
            media, trim = page.get_mediabox(), page.get_trimbox()
            crop = (trim[0] - media[0], trim[1] - media[1], media[2] - trim[2], media[3] - trim[3])
            image = page.render(scale=dpi / 72, crop=tuple(max(0.0, side) for side in crop)).to_pil()
            buffer = io.BytesIO()
            image.convert("RGB").save(buffer, "PNG")
            write_bytes_atomic(path, buffer.getvalue())
            page.close()
    finally:
        document.close()
    return paths
