"""Parts rendered separately, assembled into one PDF (parallel parts, #12).

An issue rendered in parts gives one PDF per part (the cover and contents, then
each article), each from the same <head>, so with the same metadata, CSS and
fonts. `assemble` joins them into the PDF a render of the whole would have
given:

- the pages of all parts in order; everything about the document (catalog
  entries such as /Lang, /MarkInfo, /ViewerPreferences, /OutputIntents, the XMP
  /Metadata, /Names /EmbeddedFiles, /AF, the /Info dictionary) is the first
  part's;
- one font per face: WeasyPrint embeds in each part a subset of each face it
  used. Its fonts are Type0 fonts with one CIDFontType0 (CFF, /FontFile3
  /OpenType) or CIDFontType2 (TrueType, /FontFile2) descendant, /Identity-H
  encoded, whose codes are the glyph ids of the original face (the subset keeps
  them: HarfBuzz's RETAIN_GIDS, then every glyph id below the largest used one).
  The subset tag is not random but derived from the Pango font description
  (`/PGWMTB+S`, the CSS family name after the tag), so a face has the same
  /BaseFont in every part. The fonts of one /BaseFont become one font: its
  program is the original face (found among `font_files` by its PostScript
  name) subset again, as WeasyPrint does it, for the glyphs of all parts, and
  its /W, /ToUnicode (and /CIDSet) are the union of the parts'. Nothing in the
  content streams changes, since the glyph ids are those of the face;
- identical ICC profiles and images (a logo on every part's pages, the press
  profile of every part's colour spaces) are kept once;
- the bookmarks of all parts, in order, their destinations on the assembled
  pages; the named destinations of all parts in one sorted /Dests name tree,
  so that a link in one part to an anchor in another (`/Dest (name)`, which
  `pagination` keeps) resolves;
- the same parts give the same bytes; the trailer /ID is [identifier, hash of
  the content] (what WeasyPrint writes for `pdf_identifier`), or twice the hash.

Tagged parts (a /StructTreeRoot: PDF/A-a, PDF/UA) get one structure tree: the
elements under each part's /Document element under the first part's, one
parent tree, the pages' /StructParents and the annotations' /StructParent
numbered on from part to part (WeasyPrint numbers the pages from 0, then the
annotations). Tagged and untagged parts together are refused.

`deferred_font_programs(font_files)` makes the renders inside it (in the worker)
write a stand-in of a few bytes for the program of each face of `font_files`
(WeasyPrint's subsetting is about 0.1 s of a part's time, and the subsets make
the parts some 250 kB larger each): `assemble`, given the same `font_files`,
embeds the real programs, so parts rendered inside it are for `assemble` only.
The assembled bytes are the same as from parts rendered without it.

Not handled: a face not among `font_files` (a system fallback font), a variable,
bitmap or colour face, or one embedded whole (form fields) keeps one font per
part; parts that gave different characters the same code (characters missing
from a face: WeasyPrint gives them made-up glyph ids from the face's glyph count
on, all 0xFFFF for a CJK face of 65535 glyphs) keep their Type0 fonts over one
shared descendant; bookmarks are concatenated, so a part's first bookmark is
not nested under the previous part's last one; form fields (/AcroForm) and page
labels of later parts are not carried over.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import re
import threading
import warnings
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

__all__ = ["assemble", "deferred_font_programs", "MIXED"]

MIXED = "some parts are tagged and others are not: they cannot be assembled"


def assemble(parts: Sequence[bytes | Path], *, identifier: bytes | None = None,
             font_files: Sequence[Path | str] = (), xmp_transform: Callable[[bytes], bytes] | None = None) -> bytes:
    """The part PDFs (in page order: their bytes, or their files, read as needed) as one PDF.

    `xmp_transform`: applied to the first part's XMP metadata, which becomes the document's (the
    parts are rendered without it, so that what it says of the whole document, such as an id made
    from its content, does not make every part new).

    `font_files`: the font files the parts' faces come from (a layout's `font_files()`); a face found
    among them is embedded once, subset for all parts. A face not found there (a system font,
    a variable font) keeps one font per part. `identifier`: the first half of the trailer /ID (as
    WeasyPrint's `pdf_identifier`). Raises ValueError for no parts and for tagged parts."""
    if not parts:
        raise ValueError("no parts to assemble")
    sources = [pikepdf.open(part if isinstance(part, Path) else io.BytesIO(part)) for part in parts]
    try:
        return _assembled(sources, identifier, font_files, xmp_transform)
    finally:
        for source in sources:
            source.close()  # a part read from its file holds it open until then


def _assembled(sources: list[Pdf], identifier: bytes | None, font_files: Sequence[Path | str],
               xmp_transform: Callable[[bytes], bytes] | None) -> bytes:
    tagged = ["/StructTreeRoot" in source.Root for source in sources]
    if any(tagged) and not all(tagged):
        raise ValueError(MIXED)
    out = sources[0]
    pages: list[list[pikepdf.Object]] = [[page.obj for page in out.pages]]
    page_maps: list[dict[tuple[int, int], pikepdf.Object]] = [{page.objgen: page for page in pages[0]}]
    for source in sources[1:]:
        start = len(out.pages)
        with warnings.catch_warnings():
            # pikepdf ≥ 10 warns that named destinations are not carried over: they are, below.
            warnings.simplefilter("ignore", getattr(pikepdf.exceptions, "PageCopyWarning", UserWarning))
            out.pages.extend(source.pages)
        copies = [out.pages[start + i].obj for i in range(len(source.pages))]
        pages.append(copies)
        page_maps.append({page.objgen: copy for page, copy in zip(source.pages, copies)})

    if all(tagged):
        _merge_structure(out, sources, pages)
    _merge_destinations(out, sources, page_maps)
    _merge_outlines(out, sources, page_maps)
    resources = _Resources(out)
    for part_pages in pages:
        for page in part_pages:
            resources.walk(page)
    _merge_fonts(out, resources, [str(path) for path in font_files])
    if xmp_transform is not None:
        if "/Metadata" not in out.Root:
            raise ValueError("an XMP transform was given, but the parts have no XMP metadata")
        out.Root.Metadata.write(xmp_transform(out.Root.Metadata.read_bytes()))

    if identifier is not None:
        out.trailer.ID = Array([String(identifier), String(identifier)])
    elif "/ID" in out.trailer:
        del out.trailer.ID
    # Object streams came with PDF 1.5: a PDF/A-1 (1.4) part is written without them, as WeasyPrint does.
    modern = tuple(int(n) for n in out.pdf_version.split(".")) >= (1, 5)
    streams = pikepdf.ObjectStreamMode.generate if modern else pikepdf.ObjectStreamMode.disable
    buffer = io.BytesIO()
    out.save(buffer, object_stream_mode=streams, compress_streams=True, static_id=True,
             stream_decode_level=pikepdf.StreamDecodeLevel.none,  # streams as the parts wrote them: not inflated and deflated again
             fix_metadata_version=False)
    _write_version_id(buffer)
    return buffer.getvalue()


#: What qpdf writes for a half of the /ID it is told to keep fixed.
_QPDF_STATIC_ID = b"<31415926535897932384626433832795>"


def _write_version_id(buffer: io.BytesIO) -> None:
    """Over qpdf's fixed second half of the trailer's /ID (and the first, when no identifier was given),
    write one made from the file. qpdf's own deterministic /ID hashes the file again with MD5, some
    60 ms for 40 MB of photos; SHA-256 (in hardware) takes half that. The same file gets the same /ID."""
    with buffer.getbuffer() as view:
        version = hashlib.sha256(view).hexdigest()[:32].encode()
        start = max(0, len(view) - (1 << 20))  # the trailer (or cross-reference stream) ends the file
        at = bytes(view[start:]).rfind(_QPDF_STATIC_ID)
        if at < 0:
            start, at = 0, bytes(view).rfind(_QPDF_STATIC_ID)
        if at < 0:  # pragma: no cover (a qpdf that writes its fixed /ID otherwise)
            raise RuntimeError("qpdf did not write its fixed /ID")
        at += start
        halves = [at]
        if view[at - len(_QPDF_STATIC_ID):at] == _QPDF_STATIC_ID:
            halves.append(at - len(_QPDF_STATIC_ID))
    for half in halves:
        buffer.seek(half + 1)
        buffer.write(version)


# Destinations and bookmarks -----------------------------------------------------------------------

def _destination(out: Pdf, dest: pikepdf.Object, page_map: dict) -> pikepdf.Object:
    """A destination of a part, on the assembled pages (an explicit one: [page /XYZ x y z])."""
    if isinstance(dest, Dictionary) and "/D" in dest:
        return Dictionary(D=_destination(out, dest.D, page_map))
    if isinstance(dest, Array) and len(dest) and isinstance(dest[0], Dictionary):
        target = page_map.get(dest[0].objgen)
        if target is None:
            raise ValueError("a destination points to a page that is not in its part")
        return Array([target, *(_direct(out, item) for item in list(dest)[1:])])
    return _direct(out, dest)  # a named destination (a string or a name)


def _direct(out: Pdf, obj: pikepdf.Object) -> pikepdf.Object:
    """`obj` (of a part) as an object of `out`: indirect objects copied, direct ones rebuilt."""
    if not isinstance(obj, pikepdf.Object):
        return obj
    if obj.is_indirect:
        return obj if obj.is_owned_by(out) else out.copy_foreign(obj)
    if isinstance(obj, Array):
        return Array([_direct(out, item) for item in obj])
    if isinstance(obj, Dictionary):
        return Dictionary({key: _direct(out, value) for key, value in obj.items()})
    return obj


def _merge_destinations(out: Pdf, sources: list[Pdf], page_maps: list[dict]) -> None:
    """All parts' named destinations in one name tree, sorted (the first part naming an anchor wins)."""
    names: dict[str, pikepdf.Object] = {}
    for source, page_map in zip(sources, page_maps):
        tree = source.Root.get("/Names", Dictionary()).get("/Dests")
        if tree is None:
            continue
        for name, dest in pikepdf.NameTree(tree).items():
            if name not in names:
                names[name] = _destination(out, dest, page_map)
    if not names:
        if "/Names" in out.Root and "/Dests" in out.Root.Names:
            del out.Root.Names.Dests
        return
    flat = Array()
    for name in sorted(names):
        flat.append(String(name))
        flat.append(names[name])
    if "/Names" not in out.Root:
        out.Root.Names = Dictionary()
    out.Root.Names.Dests = Dictionary(Names=flat)


@dataclass
class _Bookmark:
    fields: dict[str, pikepdf.Object]
    closed: bool
    children: list[_Bookmark] = field(default_factory=list)


def _read_outlines(out: Pdf, first: pikepdf.Object | None, page_map: dict) -> list[_Bookmark]:
    items: list[_Bookmark] = []
    seen: set[tuple[int, int]] = set()
    item = first
    while item is not None and item.objgen not in seen:
        seen.add(item.objgen)
        fields = {}
        for key in ("/Title", "/C", "/F"):
            if key in item:
                fields[key] = _direct(out, item[key])
        if "/Dest" in item:
            fields["/Dest"] = _destination(out, item.Dest, page_map)
        if "/A" in item:
            action = item.A
            if action.get("/S") == Name.GoTo and "/D" in action:
                fields["/A"] = Dictionary(S=Name.GoTo, D=_destination(out, action.D, page_map))
            else:
                fields["/A"] = _direct(out, action)
        count = int(item.get("/Count", 0))
        items.append(_Bookmark(fields, count < 0, _read_outlines(out, item.get("/First"), page_map)))
        item = item.get("/Next")
    return items


def _write_outlines(out: Pdf, items: list[_Bookmark], parent: pikepdf.Object) -> int:
    """Write the items under `parent` (an indirect dictionary); answer how many of them are visible."""
    written = []
    visible = len(items)
    for item in items:
        outline = out.make_indirect(Dictionary(item.fields))
        outline.Parent = parent
        below = _write_outlines(out, item.children, outline) if item.children else 0
        outline.Count = -below if item.closed else below
        if not item.closed:
            visible += below
        if written:
            outline.Prev = written[-1]
            written[-1].Next = outline
        written.append(outline)
    if written:
        parent.First = written[0]
        parent.Last = written[-1]
    return visible


def _merge_outlines(out: Pdf, sources: list[Pdf], page_maps: list[dict]) -> None:
    items: list[_Bookmark] = []
    for source, page_map in zip(sources, page_maps):
        root = source.Root.get("/Outlines")
        if root is not None:
            items.extend(_read_outlines(out, root.get("/First"), page_map))
    if not items:
        if "/Outlines" in out.Root:
            del out.Root.Outlines
        return
    root = out.make_indirect(Dictionary(Type=Name.Outlines))
    root.Count = _write_outlines(out, items, root)
    out.Root.Outlines = root


# The structure tree (tagged PDF) ---------------------------------------------------------------------

def _document_element(root: pikepdf.Object) -> pikepdf.Object:
    """The one element under a structure tree root (WeasyPrint's /Document)."""
    kids = root.get("/K")
    if isinstance(kids, Array):
        if len(kids) != 1:
            raise ValueError("a tagged part's structure tree has more than one element at its root")
        kids = kids[0]
    if not isinstance(kids, Dictionary) or not kids.is_indirect:
        raise ValueError("a tagged part's structure tree has no element at its root")
    return kids


def _merge_structure(out: Pdf, sources: list[Pdf], pages: list[list[pikepdf.Object]]) -> None:
    """One structure tree: the elements under each part's /Document under the first part's, the parent
    trees in one, the pages' /StructParents and the annotations' /StructParent numbered on."""
    root = out.Root.StructTreeRoot
    document = _document_element(root)
    if not isinstance(document.get("/K"), Array):
        document.K = Array([document.K]) if "/K" in document else Array()
    namespaces = list(root.get("/Namespaces", ()))
    nums = Array()
    offset = 0
    for index, (source, part_pages) in enumerate(zip(sources, pages)):
        tree = source.Root.StructTreeRoot
        entries = list(pikepdf.NumberTree(tree.ParentTree).items()) if "/ParentTree" in tree else []
        for key, value in entries:
            nums.append(key + offset)
            nums.append(_direct(out, value))
        if index:
            for page in part_pages:
                if "/StructParents" in page:
                    page.StructParents = int(page.StructParents) + offset
                for annotation in page.get("/Annots", ()):
                    if "/StructParent" in annotation:
                        annotation.StructParent = int(annotation.StructParent) + offset
            for kid in out.copy_foreign(_document_element(tree)).get("/K", Array()):
                if isinstance(kid, Dictionary) and kid.is_indirect:
                    kid.P = document
                    document.K.append(kid)
            namespaces += [out.copy_foreign(namespace) for namespace in tree.get("/Namespaces", ())]
        offset += max((key for key, _value in entries), default=-1) + 1
    root.ParentTree = out.make_indirect(Dictionary(Nums=nums))
    if "/ParentTreeNextKey" in root:
        root.ParentTreeNextKey = offset
    if namespaces:
        root.Namespaces = Array(namespaces)


# Resources: fonts to merge, profiles and images kept once ------------------------------------------

class _Resources:
    """Walks the pages' resources: notes where each font is used, and points identical ICC profiles
    and images at one copy."""

    def __init__(self, out: Pdf) -> None:
        self.out = out
        self.font_slots: list[tuple[pikepdf.Object, str]] = []   # (a /Font dictionary, a key in it)
        self.fonts: dict[tuple[int, int], pikepdf.Object] = {}   # every font dictionary, in order met
        self.seen: set[tuple[int, int]] = set()
        self.streams: dict[tuple[bytes, int], list[pikepdf.Object]] = {}
        for intent in out.Root.get("/OutputIntents", ()):
            if "/DestOutputProfile" in intent:
                intent.DestOutputProfile = self.once(intent.DestOutputProfile)

    def once(self, stream: pikepdf.Object) -> pikepdf.Object:
        """The first stream met with the same data and dictionary as `stream`."""
        if not isinstance(stream, pikepdf.Stream):
            return stream
        if "/SMask" in stream:
            stream.SMask = self.once(stream.SMask)
        if "/ColorSpace" in stream:
            stream.ColorSpace = self.colour_space(stream.ColorSpace)
        entries = Dictionary({key: value for key, value in stream.stream_dict.items() if key != "/Length"})
        # Only streams of the same dictionary and length can be the same: their data is read and
        # compared then, and only then (a photo met once is never read here).
        same_size = self.streams.setdefault((entries.unparse(resolved=False), int(stream.stream_dict.Length)), [])
        if same_size:
            data = stream.read_raw_bytes()
            for other in same_size:
                if other.read_raw_bytes() == data:
                    return other
        same_size.append(stream)
        return stream

    def colour_space(self, space: pikepdf.Object) -> pikepdf.Object:
        if isinstance(space, Array) and len(space) == 2 and space[0] == Name.ICCBased:
            profile = self.once(space[1])
            if profile.objgen != space[1].objgen:
                space[1] = profile
        return space

    def walk(self, holder: pikepdf.Object) -> None:
        """The resources of a page, a form or a pattern (and of the forms and patterns they use)."""
        if holder.is_indirect:
            if holder.objgen in self.seen:
                return
            self.seen.add(holder.objgen)
        res = holder.get("/Resources")
        if res is None or (res.is_indirect and res.objgen in self.seen):
            return
        if res.is_indirect:
            self.seen.add(res.objgen)
        fonts = res.get("/Font")
        if fonts is not None:
            for key, font in fonts.items():
                if font.is_indirect:
                    self.font_slots.append((fonts, key))
                    self.fonts.setdefault(font.objgen, font)
        for _key, space in (res.get("/ColorSpace") or Dictionary()).items():
            self.colour_space(space)
        xobjects = res.get("/XObject")
        if xobjects is not None:
            for key, xobject in xobjects.items():
                if xobject.get("/Subtype") == Name.Image:
                    kept = self.once(xobject)
                    if kept.objgen != xobject.objgen:
                        xobjects[key] = kept
                elif xobject.get("/Subtype") == Name.Form:
                    self.walk(xobject)
        for _key, pattern in (res.get("/Pattern") or Dictionary()).items():
            if isinstance(pattern, (Dictionary, pikepdf.Stream)):
                self.walk(pattern)
        for annotation in holder.get("/Annots", ()) if holder.get("/Type") == Name.Page else ():
            for _key, appearance in (annotation.get("/AP") or Dictionary()).items():
                if isinstance(appearance, pikepdf.Stream):
                    self.walk(appearance)
                elif isinstance(appearance, Dictionary):
                    for _state, state in appearance.items():
                        if isinstance(state, pikepdf.Stream):
                            self.walk(state)


# Fonts ----------------------------------------------------------------------------------------------

@dataclass
class _PartFont:
    """A Type0 font of one part, read."""

    font: pikepdf.Object                  # the Type0 dictionary
    descendant: pikepdf.Object            # its CIDFont
    widths: dict[int, pikepdf.Object]     # glyph id → width
    to_unicode: dict[int, str]            # glyph id → hex UTF-16BE
    encoding: dict[int, int] | None       # code → CID when not /Identity-H (glyphs the face lacks)


def _font_program(descendant: pikepdf.Object) -> tuple[str, pikepdf.Object] | None:
    descriptor = descendant.get("/FontDescriptor")
    if descriptor is None:
        return None
    for key in ("/FontFile3", "/FontFile2"):
        if key in descriptor:
            return key, descriptor[key]
    return None


def _read_font(font: pikepdf.Object) -> _PartFont | None:
    """A WeasyPrint CID font (a Type0 with one CIDFontType0/2 descendant, glyph ids as codes), or None."""
    if font.get("/Subtype") != Name.Type0 or len(font.get("/DescendantFonts", ())) != 1:
        return None
    descendant = font.DescendantFonts[0]
    if descendant.get("/Subtype") not in (Name.CIDFontType0, Name.CIDFontType2) or _font_program(descendant) is None:
        return None
    if descendant.get("/CIDToGIDMap", Name.Identity) != Name.Identity or "/ToUnicode" not in font:
        return None
    encoding = font.get("/Encoding")
    if encoding == Name("/Identity-H"):
        codes = None
    elif isinstance(encoding, pikepdf.Stream):
        codes = _read_cid_cmap(encoding.read_bytes())
    else:
        return None
    return _PartFont(font, descendant, _read_widths(descendant.get("/W", Array())),
                     _read_unicode_cmap(font.ToUnicode.read_bytes()), codes)


def _read_widths(array: pikepdf.Object) -> dict[int, pikepdf.Object]:
    widths: dict[int, pikepdf.Object] = {}
    items = list(array)
    i = 0
    while i < len(items):
        first = int(items[i])
        if isinstance(items[i + 1], Array):
            for offset, width in enumerate(items[i + 1]):
                widths[first + offset] = width
            i += 2
        else:
            for glyph in range(first, int(items[i + 1]) + 1):
                widths[glyph] = items[i + 2]
            i += 3
    return widths


_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_CIDCHAR = re.compile(rb"begincidchar(.*?)endcidchar", re.S)
_HEX = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]*)>")


def _read_unicode_cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in _BFCHAR.findall(data):
        for code, text in _HEX.findall(block):
            mapping.setdefault(int(code, 16), text.decode().lower())
    for block in _BFRANGE.findall(data):
        for low, high, start in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            base = int(start, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping.setdefault(code, f"{base + offset:0{len(start)}x}")
    return mapping


def _read_cid_cmap(data: bytes) -> dict[int, int]:
    mapping: dict[int, int] = {}
    for block in _CIDCHAR.findall(data):
        for code, cid in re.findall(rb"<([0-9A-Fa-f]+)>\s*(\d+)", block):
            mapping[int(code, 16)] = int(cid)
    return mapping


def _cmap(lines: list[bytes], header: list[bytes], blocks: tuple[bytes, bytes]) -> bytes:
    """A CMap program: the header, then the lines in blocks of at most 100."""
    text = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap", *header,
            b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange"]
    for start in range(0, len(lines), 100):
        batch = lines[start:start + 100]
        text += [b"%d " % len(batch) + blocks[0], *batch, blocks[1]]
    text += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
    return b"\n".join(text)


def _unicode_cmap(mapping: dict[int, str]) -> bytes:
    header = [b"/CIDSystemInfo", b"<< /Registry (Adobe)", b"/Ordering (UCS)", b"/Supplement 0", b">> def",
              b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def"]
    return _cmap([b"<%04x> <%s>" % (code, text.encode()) for code, text in mapping.items()], header,
                 (b"beginbfchar", b"endbfchar"))


def _cid_cmap(mapping: dict[int, int], name: bytes) -> bytes:
    header = [b"/CIDSystemInfo", b"3 dict dup begin", b"/Registry (Adobe) def", b"/Ordering (Identity) def",
              b"/Supplement 0 def", b"end def", b"/CMapName /" + name + b" def", b"/CMapType 1 def"]
    return _cmap([b"<%04x> %d" % (code, cid) for code, cid in mapping.items()], header,
                 (b"begincidchar", b"endcidchar"))


def _widths_array(widths: dict[int, pikepdf.Object]) -> Array:
    array = Array()
    run: Array | None = None
    previous = None
    for glyph in sorted(widths):
        if previous is None or glyph != previous + 1:
            run = Array()
            array.append(glyph)
            array.append(run)
        run.append(widths[glyph])
        previous = glyph
    return array


@functools.lru_cache(maxsize=16)
def _packed_subset(source: tuple[str, int], stamp: tuple[int, int], glyphs: tuple[int, ...],
                   missing: bool) -> tuple[int, bytes]:
    """A face's subset for `glyphs`, deflated, and its size: kept for the next build in this process
    (an edit that brings no new character assembles with the same programs)."""
    data = _subset(source, list(glyphs), missing=missing)
    return len(data), zlib.compress(data, 9)


def _stamp(path: str) -> tuple[int, int]:
    stat = os.stat(path)
    return stat.st_size, stat.st_mtime_ns


def _stream(out: Pdf, data: bytes, *, packed: bool = False, **entries) -> pikepdf.Stream:
    stream = pikepdf.Stream(out, data if packed else zlib.compress(data, 9))
    stream.Filter = Name.FlateDecode
    for key, value in entries.items():
        stream[f"/{key}"] = value
    return stream


def _merge_fonts(out: Pdf, resources: _Resources, font_files: list[str]) -> None:
    groups: dict[str, list[_PartFont]] = {}
    for font in resources.fonts.values():
        read = _read_font(font)
        if read is not None:
            groups.setdefault(str(font.get("/BaseFont")), []).append(read)
    replace: dict[tuple[int, int], pikepdf.Object] = {}
    for group in groups.values():
        if len(group) < 2 and not _is_placeholder(group[0]):
            continue
        shared = _merge_face(out, group, font_files)
        if shared is not None:
            for part in group[1:]:
                replace[part.font.objgen] = shared
    for fonts, key in resources.font_slots:
        font = fonts[key]
        if font.objgen in replace:
            fonts[key] = replace[font.objgen]


def _merge_face(out: Pdf, group: list[_PartFont], font_files: list[str]) -> pikepdf.Object | None:
    """One font for the parts' fonts of one face (the first's dictionaries, rewritten), or None when each
    part keeps its own Type0 font: the face's file is not known (nothing is shared), or the parts gave
    different characters the same code (their Type0 fonts share one descendant font)."""
    first = group[0]
    key, program = _font_program(first.descendant)
    source = _source_of(program, font_files)
    if source is None:
        if any(_is_placeholder(part) for part in group):
            raise ValueError(f"the font {first.font.get('/BaseFont')} was rendered without its program "
                             "(deferred_font_programs), and no file of font_files is that face")
        return None
    widths: dict[int, pikepdf.Object] = {}
    to_unicode: dict[int, str] = {}
    encoding: dict[int, int] = {}
    conflict = False
    for part in group:
        for glyph, width in part.widths.items():
            widths.setdefault(glyph, width)
        for glyph, text in part.to_unicode.items():
            if to_unicode.setdefault(glyph, text) != text:
                conflict = True
        for code, cid in (part.encoding or {}).items():
            if encoding.setdefault(code, cid) != cid:
                conflict = True
    glyphs = tuple(sorted(set(widths) | set(to_unicode)))
    size, packed = _packed_subset(source, _stamp(source[0]), glyphs, bool(encoding))
    descendant = first.descendant
    descriptor = descendant.FontDescriptor
    entries = {"Subtype": Name.OpenType} if key == "/FontFile3" else {"Length1": size}
    descriptor[key] = _stream(out, packed, packed=True, **entries)
    descendant.W = _widths_array(widths)
    bbox = list(descriptor.get("/FontBBox", Array([0, 0, 0, 0])))
    if len(bbox) == 4:
        bbox[2] = max((float(width) for width in widths.values()), default=0)
        bbox[2] = int(bbox[2]) if bbox[2] == int(bbox[2]) else bbox[2]
        descriptor.FontBBox = Array(bbox)
    if "/Flags" in descriptor:
        flags = int(descriptor.Flags) & ~1
        if len(widths) > 1 and len({float(width) for width in widths.values()}) == 1:
            flags |= 1  # FixedPitch
        descriptor.Flags = flags
    if any("/CIDSet" in part.descendant.FontDescriptor for part in group):
        size = (max(widths) + 8) // 8
        bits = bytearray(size)
        for glyph in widths:
            bits[glyph // 8] |= 0x80 >> (glyph % 8)
        descriptor.CIDSet = _stream(out, bytes(bits))
    if conflict:
        # Glyphs the face lacks got codes per part (one code, different characters): each part keeps its
        # own Type0 font (encoding and text), all over the one descendant font.
        for part in group[1:]:
            part.font.DescendantFonts = Array([descendant])
        return None
    first.font.ToUnicode = _stream(out, _unicode_cmap(to_unicode))
    if encoding:
        first.font.Encoding = _stream(out, _cid_cmap(encoding, b"WP-Encod-0"), Type=Name.CMap,
                                      CMapName=Name("/WP-Encod-0"), CIDSystemInfo=Dictionary(
                                          Registry=String("Adobe"), Ordering=String("Identity"), Supplement=0))
    return first.font


# The original faces and their subsets ----------------------------------------------------------------

_FACES: dict[tuple[str, int, int], dict[str, tuple[str, int]]] = {}   # (path, size, mtime) → name → face
_FACES_LOCK = threading.Lock()


def _names_in(path: str) -> dict[str, tuple[str, int]]:
    """The PostScript names of the faces in a font file (each face: the file and its index)."""
    from fontTools.ttLib import TTCollection, TTFont

    stat = Path(path).stat()
    key = (path, stat.st_size, stat.st_mtime_ns)
    with _FACES_LOCK:
        if key in _FACES:
            return _FACES[key]
    names: dict[str, tuple[str, int]] = {}
    with open(path, "rb") as file:
        collection = file.read(4) == b"ttcf"
    if collection:
        for index, font in enumerate(TTCollection(path, lazy=True).fonts):
            if "fvar" not in font:
                names.setdefault(str(font["name"].getDebugName(6)), (path, index))
    else:
        font = TTFont(path, lazy=True)
        if "fvar" not in font:  # a variable font is instanced after subsetting: not found, not merged
            names[str(font["name"].getDebugName(6))] = (path, 0)
        font.close()
    with _FACES_LOCK:
        _FACES[key] = names
    return names


def _source_of(program: pikepdf.Object, font_files: list[str]) -> tuple[str, int] | None:
    """The original face of an embedded program (or of a stand-in for one), by its PostScript name."""
    name = _deferred_name(program)
    if name is None:
        from fontTools.ttLib import TTFont

        try:
            name = str(TTFont(io.BytesIO(program.read_bytes()), lazy=True)["name"].getDebugName(6))
        except Exception:
            return None
    for path in font_files:
        face = _names_in(path).get(name)
        if face is not None:
            return face
    return None


_HB = None


def _harfbuzz():
    """HarfBuzz through WeasyPrint's cffi declarations, with the two calls that open a font file."""
    global _HB
    if _HB is None:
        import cffi
        from weasyprint.text import ffi as wffi

        extra = cffi.FFI()
        extra.include(wffi.ffi)
        extra.cdef("hb_blob_t * hb_blob_create_from_file (const char *file_name);"
                   "hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);")
        for name in ("libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll", "harfbuzz"):
            try:
                library = extra.dlopen(name)
                break
            except OSError:
                continue
        else:
            raise OSError("HarfBuzz was not found")
        _HB = (wffi, library)
    return _HB


_DROPPED = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


def _subset(source: tuple[str, int], glyphs: list[int], *, missing: bool) -> bytes:
    """The face subset as WeasyPrint 70 subsets it (pdf/fonts.py, HarfBuzz): the glyphs kept at their ids,
    then every id up to the largest kept, hinting dropped; the same glyphs give the same bytes."""
    wffi, library = _harfbuzz()
    ffi, hb, hb_subset = wffi.ffi, wffi.harfbuzz, wffi.harfbuzz_subset
    if hb_subset is None:
        raise OSError("HarfBuzz's subsetter (libharfbuzz-subset) was not found")
    blob = library.hb_blob_create_from_file(source[0].encode())
    face = ffi.gc(library.hb_face_create(blob, source[1]), hb.hb_face_destroy)
    hb.hb_blob_destroy(blob)
    notdef = hb_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE if missing else 0
    common = hb_subset.HB_SUBSET_FLAGS_PASSTHROUGH_UNRECOGNIZED | hb_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE | notdef

    def subset(face, ids: list[int], flags: int, drop: bool):
        plan = ffi.gc(hb_subset.hb_subset_input_create_or_fail(), hb_subset.hb_subset_input_destroy)
        kept = hb_subset.hb_subset_input_glyph_set(plan)
        hb.hb_set_add_sorted_array(kept, ffi.new("hb_codepoint_t[]", ids), len(ids))
        hb_subset.hb_subset_input_set_flags(plan, flags)
        if drop:
            tags = sorted(hb.hb_tag_from_string(tag, -1) for tag in _DROPPED)
            dropped = hb_subset.hb_subset_input_set(plan, hb_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
            hb.hb_set_add_sorted_array(dropped, ffi.new("hb_codepoint_t[]", tags), len(tags))
        result = hb_subset.hb_subset_or_fail(face, plan)
        if result == ffi.NULL:
            raise ValueError(f"HarfBuzz could not subset {source[0]}")
        return ffi.gc(result, hb.hb_face_destroy)

    # First the glyphs at their ids (the others empty), then the ids below the largest (nothing after it).
    step = subset(face, glyphs, common | hb_subset.HB_SUBSET_FLAGS_RETAIN_GIDS, True)
    step = subset(step, list(range(max(glyphs) + 1)), common | hb_subset.HB_SUBSET_FLAGS_NO_HINTING, True)
    blob = hb.hb_face_reference_blob(step)
    try:
        length = ffi.new("unsigned int *")
        return bytes(ffi.unpack(hb.hb_blob_get_data(blob, length), length[0]))
    finally:
        hb.hb_blob_destroy(blob)


# Parts without font programs --------------------------------------------------------------------------

_MARK = b"\0kmyreport: deferred font program\0"
_deferred = threading.local()
_original_clean = None


def _deferred_name(program: pikepdf.Object) -> str | None:
    """The PostScript name a stand-in program names (None: a real program)."""
    if int(program.get("/Length", 0)) > 512:
        return None
    data = program.read_bytes()
    if data[4:4 + len(_MARK)] != _MARK:
        return None
    return data[4 + len(_MARK):].split(b"\0")[0].decode()


def _is_placeholder(part: _PartFont) -> bool:
    found = _font_program(part.descendant)
    return found is not None and _deferred_name(found[1]) is not None


@contextlib.contextmanager
def deferred_font_programs(font_files: Sequence[Path | str]) -> Iterator[None]:
    """While active (in this thread), WeasyPrint writes for each face of `font_files` a stand-in of a
    few bytes instead of the face's subset (widths, text map and glyph ids as usual): such parts are
    for `assemble` only, which embeds the subset for all parts (given the same `font_files`). Faces
    from elsewhere (system fonts), variable, bitmap and colour faces are subset as usual."""
    from weasyprint.pdf import fonts

    global _original_clean
    if _original_clean is None:
        _original_clean = fonts.Font.clean
        fonts.Font.clean = _clean
    names = set()
    for path in font_files:
        names.update(_names_in(str(path)))
    before = getattr(_deferred, "names", None)
    _deferred.names = names
    try:
        yield
    finally:
        _deferred.names = before


def _clean(self, to_unicode, hinting):
    """WeasyPrint's `Font.clean`, or a stand-in program for a face `assemble` will subset."""
    names = getattr(_deferred, "names", None)
    if names and to_unicode and not (self.bitmap or self.png or self.svg or self.colr) and "fvar" not in self.tables:
        from fontTools.ttLib import TTFont

        try:
            font = TTFont(io.BytesIO(self.file_content), lazy=True, fontNumber=self.index)
            name = str(font["name"].getDebugName(6))
        except Exception:
            name = None
        if name in names:
            # The first four bytes (the sfnt version) are kept: WeasyPrint tells CFF from TrueType by them.
            self.file_content = self.file_content[:4] + _MARK + name.encode() + b"\0"
            return
    return _original_clean(self, to_unicode, hinting)
