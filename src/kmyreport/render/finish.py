"""What is done to the PDF's objects after layout, before they are written (a WeasyPrint finisher)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydyf


def finisher(xmp_transform: Callable[[bytes], bytes] | None,
             output_intent: tuple[tuple[str, str], ...] = ()) -> Callable[[Any, pydyf.PDF], None]:
    """The finisher of one render: the job's XMP transform, its output intent entries, and one /AF
    entry per associated file."""

    def finish(_document: Any, pdf: pydyf.PDF) -> None:
        if xmp_transform is not None:
            if "Metadata" not in pdf.catalog:
                raise ValueError("an XMP transform was given, but the PDF variant writes no XMP metadata; "
                                 "give the edition a pdf_variant (PDF/A, PDF/UA, PDF/X)")
            stream = pdf.objects[_object_number(pdf.catalog["Metadata"])]
            packet = b"".join(part if isinstance(part, bytes) else str(part).encode() for part in stream.stream)
            stream.stream = [xmp_transform(packet)]
        if output_intent:
            if "OutputIntents" not in pdf.catalog:
                raise ValueError("output intent entries were given, but the render has no output intent; "
                                 "declare the profile in the stylesheet (@color-profile device-cmyk)")
            for key, value in output_intent:
                pdf.catalog["OutputIntents"][0][key] = pydyf.String(value)
        # WeasyPrint 70 lists each associated file twice in the catalog's /AF (once from the
        # EmbeddedFiles name tree, once as the file specification): keep one of each.
        if "AF" in pdf.catalog:
            pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))

    return finish


def _object_number(reference: Any) -> int:
    """`b"12 0 R"` (or its str form) → 12."""
    number = reference.split()[0]
    return int(number.decode() if isinstance(number, bytes) else number)
