"""A throw-away edition in one module, the way a new edition is added: a proof for the editor's desk.

It differs from print in every way an edition can: its file name, photo policy, stylesheet
variables (bleed and crop marks), post-processing (a note attached inside the PDF and an XMP
property) and storage (a note written beside the PDF).
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from kmyreport.editions import Edition, PhotoPolicy, RenderExtras
from kmyreport.files import write_bytes_atomic
from kmyreport.render import Attachment

STAMP = dt.datetime(2024, 7, 20)


def mark_as_proof(packet: bytes, *, label: str) -> bytes:
    """Put a dc:description into the packet's rdf:RDF."""
    description = (f'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" rdf:about="">'
                   f'<dc:description>{label}</dc:description></rdf:Description>').encode()
    return packet.replace(b"</rdf:RDF>", description + b"</rdf:RDF>", 1)


@dataclass(frozen=True)
class ProofEdition(Edition):
    def render_extras(self, issue) -> RenderExtras:
        note = f"校样 {issue.manifest.issue_id}: {len(issue.articles)} articles\n".encode()
        return RenderExtras(
            attachments=(Attachment(data=note, name="proof.txt", relationship="Supplement",
                                    description="proof note", created=STAMP, modified=STAMP),),
            xmp_transform=functools.partial(mark_as_proof, label="校样 proof"))

    def store(self, issue, extras, pdf: bytes, target: Path, *, validate: bool) -> list[str]:
        write_bytes_atomic(target, pdf)
        write_bytes_atomic(target.with_suffix(".txt"), f"proof: {len(pdf)} bytes\n".encode())
        return [f"proof note beside {target.name}"]


EDITIONS = [
    ProofEdition("proof", "a proof for the editor's desk: photos at 96 ppi, bleed and crop marks",
                 file_suffix="-proof", pdf_variant="pdf/ua-1", photos=PhotoPolicy(ppi=96),
                 stylesheet={"bleed_mm": 3, "marks": "crop"}),
]
