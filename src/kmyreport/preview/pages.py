"""A compiled PDF as page images: a content key per page, and PNGs rendered with pypdfium2.

A page's key is a digest of what draws it: its content stream and the resources it
names (images, patterns, graphics states, with their own contents), with each font
named by its face rather than by its subset. The subset of a font changes whenever
any text of the issue changes, but the glyph numbers in a page's content do not, so
a page whose key is unchanged looks the same, and its image is not rendered again.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
from dataclasses import dataclass

import pikepdf
import pypdfium2 as pdfium

FULL_SCALE = 1.5      # 108 dpi: an A4 page is 893 × 1263 pixels
THUMB_SCALE = 0.25    # 18 dpi: 149 × 211
_NAME = re.compile(rb"/([^\s/\[\]<>(){}%]+)")
_SUBSET_TAG = re.compile(r"^/?[A-Z]{6}\+")


@dataclass(frozen=True)
class PageInfo:
    number: int      # 1-based
    key: str         # the content key (hex)
    width_pt: float
    height_pt: float


def page_keys(pdf: bytes) -> list[PageInfo]:
    """A content key for every page of a PDF."""
    pages = []
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for number, page in enumerate(doc.pages, start=1):
            box = [float(x) for x in page.obj.get("/MediaBox", [0, 0, 0, 0])]
            pages.append(PageInfo(number, _page_key(page.obj), box[2] - box[0], box[3] - box[1]))
    return pages


def _page_key(page: pikepdf.Dictionary) -> str:
    contents = page.get("/Contents")
    if contents is None:
        data = b""
    elif isinstance(contents, pikepdf.Array):
        data = b"\n".join(part.read_bytes() for part in contents)
    else:
        data = contents.read_bytes()
    digest = hashlib.sha256()
    for key in ("/MediaBox", "/CropBox", "/Rotate"):
        if key in page:
            digest.update(key.encode() + page[key].unparse())
    used = set(_NAME.findall(data))
    resources = page.get("/Resources", pikepdf.Dictionary())
    fonts = resources.get("/Font", pikepdf.Dictionary())
    renames = {}
    for name in fonts.keys():
        face = _face(fonts[name])
        renames[name[1:].encode()] = b"font:" + face
    if renames:
        data = _NAME.sub(lambda m: b"/" + renames.get(m.group(1), m.group(1)), data)
    digest.update(hashlib.sha256(data).digest())
    seen: set[tuple[int, int]] = set()
    for category in sorted(resources.keys()):
        if category == "/Font":
            continue
        entries = resources[category]
        if not isinstance(entries, pikepdf.Dictionary):
            digest.update(category.encode())
            _digest(entries, digest, seen)
            continue
        for name in sorted(entries.keys()):
            if name[1:].encode() in used:
                digest.update(category.encode() + name.encode())
                _digest(entries[name], digest, seen)
    return digest.hexdigest()[:24]


def _face(font: pikepdf.Object) -> bytes:
    base = str(font.get("/BaseFont", "")) if isinstance(font, pikepdf.Dictionary) else ""
    return _SUBSET_TAG.sub("", base).encode()


def _digest(obj: pikepdf.Object, digest: hashlib._Hash, seen: set[tuple[int, int]]) -> None:
    if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
        if obj.is_indirect:
            if obj.objgen in seen:
                digest.update(b"@seen")
                return
            seen.add(obj.objgen)
        if obj.get("/Type") == pikepdf.Name.Font:
            digest.update(b"font:" + _face(obj))
            return
        for key in sorted(obj.keys()):
            if key == "/Parent":
                continue
            digest.update(key.encode())
            _digest(obj[key], digest, seen)
        if isinstance(obj, pikepdf.Stream):
            digest.update(hashlib.sha256(obj.read_raw_bytes()).digest())
    elif isinstance(obj, pikepdf.Array):
        digest.update(b"[")
        for item in obj:
            _digest(item, digest, seen)
        digest.update(b"]")
    elif isinstance(obj, pikepdf.Object):
        digest.update(obj.unparse() + b" ")
    else:  # pikepdf hands numbers and booleans over as Python values
        digest.update(repr(obj).encode() + b" ")


class PageImages:
    """PNGs of the pages of the current build, rendered when first asked for and kept by key.

    pdfium is not thread-safe: one lock serialises every call into it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._docs: dict[str, tuple[pdfium.PdfDocument, int]] = {}  # key → (document, page index)
        self._images: dict[tuple[str, str], bytes] = {}            # (key, size) → PNG
        self.rendered: list[tuple[str, str]] = []                    # every render, in order (for tests)

    def update(self, pdf: bytes, pages: list[PageInfo]) -> list[int]:
        """Take a new build; returns the numbers of the pages whose key is new."""
        with self._lock:
            doc = pdfium.PdfDocument(pdf)
            changed = [page.number for page in pages if page.key not in self._docs]
            keep = {page.key for page in pages}
            for key in [key for key in self._docs if key not in keep]:
                del self._docs[key]
            for page in pages:
                if page.key not in self._docs:
                    self._docs[page.key] = (doc, page.number - 1)
            self._images = {k: v for k, v in self._images.items() if k[0] in keep}
            return changed

    def known(self, key: str) -> bool:
        with self._lock:
            return key in self._docs

    def png(self, key: str, size: str) -> bytes | None:
        """The page image for `key` at "full" or "thumb" size; None for a key of no current page."""
        with self._lock:
            if (key, size) in self._images:
                return self._images[(key, size)]
            if key not in self._docs or size not in ("full", "thumb"):
                return None
            doc, index = self._docs[key]
            page = doc[index]
            try:
                bitmap = page.render(scale=FULL_SCALE if size == "full" else THUMB_SCALE)
                image = bitmap.to_pil()
            finally:
                page.close()
            buffer = io.BytesIO()
            image.save(buffer, "PNG", compress_level=1)
            self._images[(key, size)] = buffer.getvalue()
            self.rendered.append((key, size))
            return self._images[(key, size)]
