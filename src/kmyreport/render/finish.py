"""What is done to the PDF's objects after layout, before they are written (a WeasyPrint finisher)."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from typing import Any

import pydyf

from .marks import add_marks


def finisher(xmp_transform: Callable[[bytes], bytes] | None,
             output_intent: tuple[tuple[str, str], ...] = ()) -> Callable[[Any, pydyf.PDF], None]:
    """The finisher of one render: the job's XMP transform, its output intent entries, one /AF
    entry per associated file, and the printer's marks the pages' `--kmy-marks` ask for (`marks`)."""

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
        for intent in pdf.catalog.get("OutputIntents") or ():
            _precompress(pdf.objects[_object_number(intent["DestOutputProfile"])])
        # WeasyPrint 70 lists each associated file twice in the catalog's /AF (once from the
        # EmbeddedFiles name tree, once as the file specification): keep one of each.
        if "AF" in pdf.catalog:
            pdf.catalog["AF"] = pydyf.Array(dict.fromkeys(pdf.catalog["AF"]))
        add_marks(_document, pdf)

    return finish


#: Large profiles compressed once per process: pydyf deflates every stream at level 9 on every write,
#: which takes 0.7 s for a 1 MB press profile; level 6 is five times faster and 0.6% larger.
_COMPRESSED: dict[bytes, bytes] = {}
LARGE_PROFILE = 64 * 1024


def _precompress(stream: Any) -> None:
    """Write a large ICC profile stream already deflated (cached by content), not deflated afresh."""
    if not getattr(stream, "compress", False):
        return
    data = b"".join(part if isinstance(part, bytes) else str(part).encode() for part in stream.stream)
    if len(data) < LARGE_PROFILE:
        return
    key = hashlib.sha256(data).digest()
    if key not in _COMPRESSED:
        _COMPRESSED[key] = zlib.compress(data, 6)
    stream.stream = [_COMPRESSED[key]]
    stream.compress = False
    stream.extra["Filter"] = "/FlateDecode"


def _object_number(reference: Any) -> int:
    """`b"12 0 R"` (or its str form) → 12."""
    number = reference.split()[0]
    return int(number.decode() if isinstance(number, bytes) else number)
