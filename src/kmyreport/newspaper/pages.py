"""One single-page PDF per 版 beside the whole issue: presses take pages one by one.

`out/<id>/<file>.pdf` gets `<file>-page01.pdf`, `<file>-page02.pdf`, … next to it,
each a copy of one page with its own resources and the issue's output intent and XMP
(a PDF/X issue gives PDF/X pages), written atomically and byte for byte the same for
the same issue.
"""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf

from ..files import write_bytes_atomic


def page_file(target: Path, number: int) -> Path:
    return target.with_name(f"{target.stem}-page{number:02d}{target.suffix}")


def write_page_files(pdf: bytes, target: Path, numbers: list[int]) -> list[Path]:
    written = []
    with pikepdf.open(io.BytesIO(pdf)) as whole:
        title = str(whole.docinfo.get("/Title", ""))
        press = any(intent.get("/S") == "/GTS_PDFX" for intent in whole.Root.get("/OutputIntents", []))
        for index, page in enumerate(whole.pages):
            number = numbers[index] if index < len(numbers) else index + 1
            single = pikepdf.new()
            single.pages.append(page)
            # A PDF/X page stays PDF/X: its output intent and XMP go with it. Other claims (PDF/A,
            # PDF/UA) need the whole file's structure and attachments, so their XMP stays behind.
            keys = ["/OutputIntents", "/Metadata", "/Lang"] if press else ["/Lang"]
            for key in keys:
                if key in whole.Root:
                    value = whole.Root[key]
                    if isinstance(value, pikepdf.Object) and not value.is_indirect:
                        value = whole.make_indirect(value)  # copy_foreign copies indirect objects only
                    single.Root[key] = single.copy_foreign(value)
            for key, value in whole.docinfo.items():  # dates, producer, the PDF/X version …
                single.docinfo[key] = value
            single.docinfo["/Title"] = f"{title} 第{number:02d}版".strip()
            buffer = io.BytesIO()
            single.save(buffer, deterministic_id=True, min_version=whole.pdf_version)
            path = page_file(target, number)
            write_bytes_atomic(path, buffer.getvalue())
            written.append(path)
    return written
