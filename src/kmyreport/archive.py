"""Archival copies: PDF/A (by default PDF/A-3a that is also PDF/UA-1) holding their sources.

An archive build is the print pipeline with three additions, all here:

- metadata: the XMP packet WeasyPrint writes is completed inside its own
  `rdf:RDF` with the publisher, issue identifier, date, language, keywords
  and, for tagged levels, the PDF/UA-1 identification and the extension
  schema that PDF/A requires for the `pdfuaid` namespace;
- sources inside: the manifest, the article sources and a checksum list of
  every input, embedded as associated files (levels 3 and 4);
- a sidecar `<file>.json` with the SHA-256 of the PDF and of every input,
  tool and font versions, the level and the validation result.

All dates come from the manifest or `SOURCE_DATE_EPOCH`, so two builds of the
same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pydyf
import weasyprint
from fontTools.ttLib import TTFont

from . import __version__
from .errors import KmyError, display_path
from .files import checksum_list, sha256_file, write_bytes_atomic
from .manifest import source_date_epoch
from .validation import verapdf_version
from .verify import sidecar_path, verify_pdf

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC = "http://purl.org/dc/elements/1.1/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
EXTENSION = "http://www.aiim.org/pdfa/ns/extension/"
SCHEMA = "http://www.aiim.org/pdfa/ns/schema#"
PROPERTY = "http://www.aiim.org/pdfa/ns/property#"
for _prefix, _uri in (("pdfaExtension", EXTENSION), ("pdfaSchema", SCHEMA), ("pdfaProperty", PROPERTY)):
    ET.register_namespace(_prefix, _uri)

CHECKSUMS_NAME = "SHA256SUMS"


@dataclass(frozen=True)
class ArchiveLevel:
    """One PDF/A level as kmyreport offers it."""

    name: str                 # "3a"
    pdf_variant: str          # WeasyPrint's variant, "pdf/a-3a"
    embeds_sources: bool      # PDF/A-2 allows only PDF/A attachments: sources go in the sidecar only
    also_pdf_ua: bool         # tagged levels are also identified as PDF/UA-1

    @property
    def label(self) -> str:
        return f"PDF/A-{self.name}"

    @property
    def verapdf_flavours(self) -> list[str]:
        return [self.name] + (["ua1"] if self.also_pdf_ua else [])


LEVELS: dict[str, ArchiveLevel] = {
    level.name: level for level in (
        ArchiveLevel("3a", "pdf/a-3a", embeds_sources=True, also_pdf_ua=True),
        ArchiveLevel("3b", "pdf/a-3b", embeds_sources=True, also_pdf_ua=False),
        ArchiveLevel("3u", "pdf/a-3u", embeds_sources=True, also_pdf_ua=False),
        ArchiveLevel("2a", "pdf/a-2a", embeds_sources=False, also_pdf_ua=True),
        ArchiveLevel("2b", "pdf/a-2b", embeds_sources=False, also_pdf_ua=False),
        ArchiveLevel("2u", "pdf/a-2u", embeds_sources=False, also_pdf_ua=False),
        ArchiveLevel("4e", "pdf/a-4e", embeds_sources=True, also_pdf_ua=False),
        ArchiveLevel("4f", "pdf/a-4f", embeds_sources=True, also_pdf_ua=False),
    )
}
DEFAULT_LEVEL = "3a"


def get_level(name: str) -> ArchiveLevel:
    key = name.lower().removeprefix("pdf/a-").removeprefix("pdfa-").removeprefix("a-")
    if key not in LEVELS:
        raise KmyError(f"unknown PDF/A level '{name}'; choose one of: {', '.join(LEVELS)}")
    return LEVELS[key]


@dataclass
class InputFile:
    """One file the archive copy was made from."""

    path: Path                # absolute
    rel: str                  # relative to the workspace, POSIX
    role: str                 # manifest, article, photo, layout, font
    sha256: str
    size: int
    embedded_as: str | None = None


@dataclass
class ArchivePlan:
    """What goes into (and beside) one archive copy."""

    level: ArchiveLevel
    inputs: list[InputFile]
    stamp: dt.datetime
    metadata: dict[str, Any]
    checksums: bytes
    attachments: list[weasyprint.Attachment] = field(default_factory=list)


def archive_stamp(issue_date: dt.date) -> dt.datetime:
    """The one timestamp of an archive: SOURCE_DATE_EPOCH when set, else the issue date (UTC)."""
    return source_date_epoch() or dt.datetime(issue_date.year, issue_date.month, issue_date.day)


def plan_archive(issue: Any, level: ArchiveLevel) -> ArchivePlan:
    """Collect inputs, checksums, attachments and metadata for a prepared issue (`build.PreparedIssue`)."""
    workspace, manifest = issue.workspace, issue.manifest
    inputs: list[InputFile] = []

    def add(path: Path, role: str, embed: bool) -> None:
        path = path.resolve()
        rel = path.relative_to(workspace.root).as_posix()
        if any(item.rel == rel for item in inputs):
            return
        embedded_as = path.relative_to(manifest.folder.resolve()).as_posix() if embed else None
        inputs.append(InputFile(path, rel, role, sha256_file(path), path.stat().st_size, embedded_as))

    embed = level.embeds_sources
    add(manifest.path, "manifest", embed)
    for article in issue.articles:
        add(article.path, "article", embed)
    for article in issue.articles:
        for photo in article.photos:
            add(photo.source, "photo", False)
    for path in sorted(p for p in issue.layout.folder.rglob("*") if p.is_file()):
        add(path, "layout", False)
    for path in issue.layout.font_files():
        add(path, "font", False)

    checksums = checksum_list((item.sha256, item.rel) for item in inputs).encode()
    stamp = archive_stamp(manifest.model.issue.date)
    plan = ArchivePlan(level=level, inputs=inputs, stamp=stamp, metadata=archive_metadata(issue),
                       checksums=checksums)
    if embed:
        for item in inputs:
            if item.embedded_as:
                plan.attachments.append(weasyprint.Attachment(
                    string=item.path.read_bytes(), name=item.embedded_as, relationship="Source",
                    description=f"{item.role} source", created=stamp, modified=stamp))
        plan.attachments.append(weasyprint.Attachment(
            string=checksums, name=CHECKSUMS_NAME, relationship="Data",
            description="SHA-256 of every input (sources, photos, layout, fonts), relative to the workspace",
            created=stamp, modified=stamp))
    return plan


def archive_metadata(issue: Any) -> dict[str, Any]:
    model = issue.manifest.model
    publisher = model.publication.publisher or model.publication.name
    return {
        "publisher": publisher,
        "identifier": f"{model.publication.name} {issue.manifest.issue_id} 第{model.issue.number}期",
        "date": model.issue.date.isoformat(),
        "language": "zh-CN",
        "keywords": list(model.keywords),
    }


def xmp_finisher(plan: ArchivePlan):
    """A WeasyPrint `finisher` completing the XMP packet inside WeasyPrint's own `rdf:RDF`."""

    def finish(document: Any, pdf: Any) -> None:
        reference = pdf.catalog["Metadata"]  # b"12 0 R"
        number = reference.split()[0]
        stream = pdf.objects[int(number.decode() if isinstance(number, bytes) else number)]
        packet = b"".join(part if isinstance(part, bytes) else str(part).encode() for part in stream.stream)
        stream.stream = [complete_xmp(packet, plan)]
        # WeasyPrint 70 lists each associated file twice in the catalog's /AF (once from the
        # EmbeddedFiles name tree, once as the file specification): keep one of each.
        if "AF" in pdf.catalog:
            unique = list(dict.fromkeys(pdf.catalog["AF"]))
            pdf.catalog["AF"] = pydyf.Array(unique)

    return finish


def complete_xmp(packet: bytes, plan: ArchivePlan) -> bytes:
    """Add publisher, identifier, date, language, keywords and (if asked) PDF/UA-1 to an XMP packet."""
    start = packet.index(b"<rdf:RDF")
    end = packet.index(b"</rdf:RDF>") + len(b"</rdf:RDF>")
    rdf = ET.fromstring(packet[start:end])
    meta = plan.metadata
    description = ET.SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    _rdf_list(description, f"{{{DC}}}publisher", "Bag", [meta["publisher"]])
    ET.SubElement(description, f"{{{DC}}}identifier").text = meta["identifier"]
    _rdf_list(description, f"{{{DC}}}date", "Seq", [meta["date"]])
    _rdf_list(description, f"{{{DC}}}language", "Bag", [meta["language"]])
    if meta["keywords"]:
        _rdf_list(description, f"{{{DC}}}subject", "Bag", meta["keywords"])
    if plan.level.also_pdf_ua:
        ua = ET.SubElement(rdf, f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
        ET.SubElement(ua, f"{{{PDFUAID}}}part").text = "1"
        rdf.append(_pdfua_extension_schema())
    return packet[:start] + ET.tostring(rdf, encoding="utf-8", xml_declaration=False) + packet[end:]


def _rdf_list(parent: ET.Element, tag: str, kind: str, values: list[str]) -> None:
    container = ET.SubElement(ET.SubElement(parent, tag), f"{{{RDF}}}{kind}")
    for value in values:
        ET.SubElement(container, f"{{{RDF}}}li").text = value


def _pdfua_extension_schema() -> ET.Element:
    """The PDF/A extension schema entry declaring the `pdfuaid` namespace and its `part` property."""
    description = ET.Element(f"{{{RDF}}}Description", {f"{{{RDF}}}about": ""})
    bag = ET.SubElement(ET.SubElement(description, f"{{{EXTENSION}}}schemas"), f"{{{RDF}}}Bag")
    schema = ET.SubElement(bag, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
    ET.SubElement(schema, f"{{{SCHEMA}}}schema").text = "PDF/UA identification"
    ET.SubElement(schema, f"{{{SCHEMA}}}namespaceURI").text = PDFUAID
    ET.SubElement(schema, f"{{{SCHEMA}}}prefix").text = "pdfuaid"
    properties = ET.SubElement(ET.SubElement(schema, f"{{{SCHEMA}}}property"), f"{{{RDF}}}Seq")
    part = ET.SubElement(properties, f"{{{RDF}}}li", {f"{{{RDF}}}parseType": "Resource"})
    ET.SubElement(part, f"{{{PROPERTY}}}name").text = "part"
    ET.SubElement(part, f"{{{PROPERTY}}}valueType").text = "Integer"
    ET.SubElement(part, f"{{{PROPERTY}}}category").text = "internal"
    ET.SubElement(part, f"{{{PROPERTY}}}description").text = "Part of ISO 14289 the file conforms to"
    return description


def font_versions(paths: list[Path]) -> list[dict[str, str]]:
    versions = []
    for path in paths:
        names = TTFont(path, lazy=True, fontNumber=0)["name"]
        versions.append({"file": path.name, "name": str(names.getDebugName(4)),
                         "version": str(names.getDebugName(5))})
    return versions


def sidecar_data(issue: Any, plan: ArchivePlan, pdf_path: Path, pdf_bytes: bytes,
                 validation: dict[str, Any]) -> dict[str, Any]:
    """The content of `<file>.json`: checksums, versions, level and validation."""
    return {
        "file": pdf_path.name,
        "sha256": hashlib.sha256(pdf_bytes).hexdigest(),
        "size": len(pdf_bytes),
        "level": plan.level.label,
        "conformance": [plan.level.label] + (["PDF/UA-1"] if plan.level.also_pdf_ua else []),
        "issue": {"id": issue.manifest.issue_id, **plan.metadata},
        "date": plan.stamp.isoformat(),
        "inputs": [{"path": i.rel, "role": i.role, "sha256": i.sha256, "size": i.size,
                    "embedded_as": i.embedded_as} for i in plan.inputs],
        "checksums_embedded_as": CHECKSUMS_NAME if plan.level.embeds_sources else None,
        "tools": {"kmyreport": __version__, "weasyprint": weasyprint.__version__,
                  "pydyf": pydyf.__version__},
        "fonts": font_versions(issue.layout.font_files()),
        "validation": validation,
    }


def write_sidecar(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))


def store_archive(issue: Any, plan: ArchivePlan, pdf: bytes, target: Path, *, validate: bool) -> list[str]:
    """Check the new archive copy, then put it in place with its sidecar; returns warnings.

    The copy is written beside the target under a temporary name and checked there; a copy
    that fails is deleted and the previous one (if any) stays.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.checking.pdf")
    temporary.write_bytes(pdf)
    try:
        verdict = verify_pdf(temporary, use_verapdf=validate, check_sidecar=False)
        if not verdict.compliant:
            problems = "; ".join(verdict.failures()) or "no PDF/A claim"
            raise KmyError(f"the {plan.level.label} copy fails validation: {problems}; "
                           "the previous archive copy is kept", target)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    validation = {
        "compliant": True,
        "claims": verdict.claims,
        "own_checks": {check.name: check.ok for check in verdict.checks},
        "verapdf": None if verdict.verapdf is None else {
            "version": verapdf_version(),
            "results": {result.flavour: result.compliant for result in verdict.verapdf}},
        "note": verdict.note,
    }
    write_sidecar(sidecar_path(target), sidecar_data(issue, plan, target, pdf, validation))
    return [f"{display_path(target)}: {verdict.note}"] if verdict.verapdf is None else []
