"""The print edition: PDF/X-4 for the press.

- **Printing condition.** The layout's `press:` section (`colour.PressSettings`) names the
  CMYK ICC profile, the condition and the paper. The profile is declared in the stylesheet
  as `@color-profile device-cmyk`, which makes it the PDF's GTS_PDFX output intent; this
  edition then gives the intent the condition's identifier, registry and the profile's
  description (the engine would name it `device-cmyk`).
- **Trim and bleed.** The page size of the layout is the trim; the stylesheet gets a bleed
  (`edition.bleed_mm`, the amount from `press.bleed_mm`), so every page has a TrimBox and a
  BleedBox that much larger. Printer's marks only when the press section asks (`marks: [crop,
  registration]`): the stylesheet passes them on as `--kmy-marks` and `render.marks` draws them
  in the registration colour in a slug outside the bleed (the engine's own CSS marks are RGB and
  inside the bleed).
- **Colour.** Photos are separated to CMYK through the profile (`PhotoPolicy(colour="cmyk")`,
  `colour.to_target`), total ink within `press.ink_limit`. The stylesheet gets the layout's
  tokens in CMYK (`colour.tokens_for`): body text and rules on the black plate only.
- **Identification.** The engine writes the PDF/X-4 identification and `Trapped False` into
  the XMP packet; this edition replaces its random DocumentID by one derived from the
  content, so the same inputs give the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..colour import CMYK, press_settings, profile_description, profile_path
from ..i18n import N_
from . import Edition, PhotoPolicy, RenderExtras

if TYPE_CHECKING:
    from ..build import PreparedIssue

#: What `kmyreport verify` checks on a print file (names in `verify.CHECKS`; veraPDF does not validate PDF/X).
PDFX_CHECKS = ("PDF/X claim", "press output intent", "press preflight", "fonts embedded", "no interpolation")


def set_document_id(packet: bytes, *, document_id: str) -> bytes:
    """Replace the XMP DocumentID (the engine writes a random one) by `document_id`."""
    new, count = re.subn(rb"<xmpMM:DocumentID>[^<]*</xmpMM:DocumentID>",
                         f"<xmpMM:DocumentID>{document_id}</xmpMM:DocumentID>".encode(), packet)
    if count != 1:
        raise ValueError("the XMP packet has no DocumentID to replace (is the variant PDF/X-4?)")
    return new


def document_id(issue: PreparedIssue, family: str, profile_digest: str) -> str:
    """`uuid:`-shaped identifier from the issue, the edition, its HTML and the press profile."""
    digest = hashlib.sha256(f"{issue.manifest.issue_id}/{family}/{profile_digest}/{issue.html}".encode()).hexdigest()
    return f"uuid:{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:32]}"


@dataclass(frozen=True)
class PrintEdition(Edition):
    """PDF/X-4 for the printing condition the layout names."""

    def render_extras(self, issue: PreparedIssue) -> RenderExtras:
        press = press_settings(issue.layout)
        profile = profile_path(issue.layout)
        digest = hashlib.sha256(profile.read_bytes()).hexdigest()
        intent = (("OutputConditionIdentifier", press.condition), ("RegistryName", press.registry),
                  ("OutputCondition", press.paper or press.condition), ("Info", profile_description(profile)))
        return RenderExtras(
            xmp_transform=functools.partial(set_document_id,
                                            document_id=document_id(issue, self.family, digest)),
            output_intent=intent)


EDITIONS = [
    PrintEdition("print", N_("for the press: PDF/X-4, CMYK, bleed, photos at the layout's resolution"),
                 pdf_variant="pdf/x-4", photos=PhotoPolicy(colour=CMYK),
                 stylesheet={"bleed_mm": 3, "colour_space": CMYK}, claims=("PDF/X-4",), verify_checks=PDFX_CHECKS),
]
