"""The archive editions: PDF/A (by default PDF/A-3a that is also PDF/UA-1) holding their sources.

One entry per PDF/A level (`--edition archive --level 3a`). Each adds to the
print pipeline:

- metadata: the XMP packet is completed with the publisher, issue identifier,
  date, language, keywords and, for tagged levels, the PDF/UA-1 identification
  (`xmp.complete_xmp`);
- sources inside: the manifest, the article sources and a checksum list of
  every input, embedded as associated files (levels 3 and 4);
- storage that validates before it replaces: the copy is checked (own checks
  and veraPDF) under a temporary name, and only a passing copy replaces the
  previous one, with a sidecar `<file>.json` holding the SHA-256 of the PDF and
  of every input, tool and font versions, the level and the validation result.

All dates come from the manifest or `SOURCE_DATE_EPOCH`, so two builds of the
same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import __version__
from ..errors import KmyError, display_path
from ..files import checksum_list, sha256_file, write_bytes_atomic
from ..i18n import _
from ..manifest import source_date_epoch
from ..render import Attachment, engine_versions
from ..verapdf import flavours_for
from ..xmp import complete_xmp
from . import Edition, RenderExtras

if TYPE_CHECKING:
    from ..build import PreparedIssue
    from ..verify import Verdict

CHECKSUMS_NAME = "SHA256SUMS"
ARCHIVE_CHECKS = ("PDF/A claim", "metadata", "language", "output intent", "fonts embedded",
                  "no interpolation")


@dataclass(frozen=True)
class ArchiveEdition(Edition):
    """One PDF/A level as kmyreport offers it."""

    embeds_sources: bool = True   # PDF/A-2 allows only PDF/A attachments: sources go in the sidecar only
    also_pdf_ua: bool = False     # tagged levels are also identified as PDF/UA-1

    @property
    def label(self) -> str:
        return f"PDF/A-{self.level}"

    @property
    def verapdf_flavours(self) -> list[str]:
        return flavours_for(list(self.claims))

    def render_extras(self, issue: PreparedIssue) -> RenderExtras:
        plan = plan_archive(issue, self)
        transform = functools.partial(complete_xmp, metadata=plan.metadata, pdf_ua=self.also_pdf_ua)
        return RenderExtras(attachments=tuple(plan.attachments), xmp_transform=transform, plan=plan)

    def store(self, issue: PreparedIssue, extras: RenderExtras, pdf: bytes, target: Path,
              *, validate: bool) -> list[str]:
        return store_archive(issue, extras.plan, pdf, target, validate=validate)


def _level(name: str, *, embeds_sources: bool, also_pdf_ua: bool) -> ArchiveEdition:
    ua = " + PDF/UA-1" if also_pdf_ua else ""
    part, conformance = name[0], name[1:].upper()
    claims = (f"PDF/A-{part}{conformance}",) + (("PDF/UA-1",) if also_pdf_ua else ())
    return ArchiveEdition(
        name=f"archive-{name}", family="archive", level=name,
        description=f"archival copy, PDF/A-{name}{ua}, sources embedded",
        file_suffix=f"-pdfa-{name}", pdf_variant=f"pdf/a-{name}", claims=claims,
        verify_checks=ARCHIVE_CHECKS + (("tagged",) if also_pdf_ua else ()),
        embeds_sources=embeds_sources, also_pdf_ua=also_pdf_ua)


EDITIONS = [
    _level("3a", embeds_sources=True, also_pdf_ua=True),
    _level("3b", embeds_sources=True, also_pdf_ua=False),
    _level("3u", embeds_sources=True, also_pdf_ua=False),
    _level("2a", embeds_sources=False, also_pdf_ua=True),
    _level("2b", embeds_sources=False, also_pdf_ua=False),
    _level("2u", embeds_sources=False, also_pdf_ua=False),
    _level("4e", embeds_sources=True, also_pdf_ua=False),
    _level("4f", embeds_sources=True, also_pdf_ua=False),
]
DEFAULT_LEVEL = "3a"
LEVELS: dict[str, ArchiveEdition] = {edition.level: edition for edition in EDITIONS}


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

    edition: ArchiveEdition
    inputs: list[InputFile]
    stamp: dt.datetime
    metadata: dict[str, Any]
    checksums: bytes
    attachments: list[Attachment]


def archive_stamp(issue_date: dt.date) -> dt.datetime:
    """The one timestamp of an archive: SOURCE_DATE_EPOCH when set, else the issue date (UTC)."""
    return source_date_epoch() or dt.datetime(issue_date.year, issue_date.month, issue_date.day)


def plan_archive(issue: PreparedIssue, edition: ArchiveEdition) -> ArchivePlan:
    """Collect inputs, checksums, attachments and metadata for a prepared issue."""
    workspace, manifest = issue.workspace, issue.manifest
    inputs: list[InputFile] = []

    def add(path: Path, role: str, embed: bool) -> None:
        path = path.resolve()
        rel = path.relative_to(workspace.root).as_posix()
        if any(item.rel == rel for item in inputs):
            return
        embedded_as = path.relative_to(manifest.folder.resolve()).as_posix() if embed else None
        inputs.append(InputFile(path, rel, role, sha256_file(path), path.stat().st_size, embedded_as))

    embed = edition.embeds_sources
    add(manifest.path, "manifest", embed)
    for article in issue.articles:
        add(article.path, "article", embed)
    for article in issue.articles:
        for photo in article.photos:
            add(photo.source, "photo", False)
    for path in issue.layout.files:  # with the files of the layouts it extends
        add(path, "layout", False)
    for path in issue.layout.font_files():
        add(path, "font", False)

    checksums = checksum_list((item.sha256, item.rel) for item in inputs).encode()
    stamp = archive_stamp(manifest.model.issue.date)
    attachments = []
    if embed:
        for item in inputs:
            if item.embedded_as:
                attachments.append(Attachment(
                    data=item.path.read_bytes(), name=item.embedded_as, relationship="Source",
                    description=f"{item.role} source", created=stamp, modified=stamp))
        attachments.append(Attachment(
            data=checksums, name=CHECKSUMS_NAME, relationship="Data",
            description="SHA-256 of every input (sources, photos, layout, fonts), relative to the workspace",
            created=stamp, modified=stamp))
    return ArchivePlan(edition=edition, inputs=inputs, stamp=stamp, metadata=archive_metadata(issue),
                       checksums=checksums, attachments=attachments)


def archive_metadata(issue: PreparedIssue) -> dict[str, Any]:
    model = issue.manifest.model
    publisher = model.publication.publisher or model.publication.name
    return {
        "publisher": publisher,
        "identifier": f"{model.publication.name} {issue.manifest.issue_id} 第{model.issue.number}期",
        "date": model.issue.date.isoformat(),
        "language": "zh-CN",
        "keywords": list(model.keywords),
    }


def font_versions(paths: list[Path]) -> list[dict[str, str]]:
    from fontTools.ttLib import TTFont

    versions = []
    for path in paths:
        names = TTFont(path, lazy=True, fontNumber=0)["name"]
        versions.append({"file": path.name, "name": str(names.getDebugName(4)),
                         "version": str(names.getDebugName(5))})
    return versions


def sidecar_data(issue: PreparedIssue, plan: ArchivePlan, pdf_path: Path, pdf_bytes: bytes,
                 validation: dict[str, Any]) -> dict[str, Any]:
    """The content of `<file>.json`: checksums, versions, level and validation."""
    edition = plan.edition
    return {
        "file": pdf_path.name,
        "sha256": hashlib.sha256(pdf_bytes).hexdigest(),
        "size": len(pdf_bytes),
        "level": edition.label,
        "conformance": [edition.label] + (["PDF/UA-1"] if edition.also_pdf_ua else []),
        "issue": {"id": issue.manifest.issue_id, **plan.metadata},
        "date": plan.stamp.isoformat(),
        "inputs": [{"path": i.rel, "role": i.role, "sha256": i.sha256, "size": i.size,
                    "embedded_as": i.embedded_as} for i in plan.inputs],
        "checksums_embedded_as": CHECKSUMS_NAME if edition.embeds_sources else None,
        "tools": {"kmyreport": __version__, **engine_versions()},
        "fonts": font_versions(issue.layout.font_files()),
        "validation": validation,
    }


def write_sidecar(path: Path, data: dict[str, Any]) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
    write_bytes_atomic(path, text.encode("utf-8"))


def store_archive(issue: PreparedIssue, plan: ArchivePlan, pdf: bytes, target: Path, *,
                  validate: bool) -> list[str]:
    """Check the new archive copy, then put it in place with its sidecar; returns warnings.

    The copy is written beside the target under a temporary name and checked there; a copy
    that fails is deleted and the previous one (if any) stays.
    """
    from ..verify import sidecar_path, verify_pdf

    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.checking.pdf")
    temporary.write_bytes(pdf)
    try:
        verdict = verify_pdf(temporary, use_verapdf=validate, check_sidecar=False, stop_early=True)
        if not verdict.compliant:
            problems = _("; ").join(verdict.failures()) or _("no PDF/A claim")
            raise KmyError(_("the {edition} copy fails validation: {problems}; the previous archive copy is "
                             "kept").format(edition=plan.edition.label, problems=problems), target)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    write_sidecar(sidecar_path(target), sidecar_data(issue, plan, target, pdf, validation_record(verdict)))
    return [f"{display_path(target)}: {verdict.note_text()}"] if verdict.verapdf is None else []


def validation_record(verdict: Verdict) -> dict[str, Any]:
    """The sidecar's `validation`: `compliant` is true only when veraPDF validated the copy, and null
    when only the own checks ran (they pass, or the copy would not be stored); `verdict` says it in words."""
    from ..verapdf import verapdf_version

    return {
        "compliant": True if verdict.validated and verdict.compliant else None,
        "verdict": verdict.headline(translated=False),
        "claims": verdict.claims,
        "own_checks": {check.name: check.ok for check in verdict.checks},
        "verapdf": None if verdict.verapdf is None else {
            "version": verapdf_version(),
            "results": {result.flavour: result.compliant for result in verdict.verapdf}},
        "note": verdict.note,
    }
