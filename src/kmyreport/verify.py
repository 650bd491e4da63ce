"""Verify archive copies: veraPDF where it is installed, plus kmyreport's own checks.

Own checks read the PDF with pikepdf: a PDF/A claim in the XMP metadata, a
title and language, an output intent, every font embedded, no image drawn
with `/Interpolate true`, a structure tree for tagged levels, and, when the
sidecar `<file>.json` is beside the PDF, the PDF's checksum and every embedded
source against it.

A verdict says only what is known (`Verdict.status`):

- `compliant`: every own check passes and veraPDF validated every level the file claims;
- `NOT compliant`: an own check or veraPDF failed (or the file claims no PDF/A level);
- `not validated (…): own checks pass`: veraPDF did not run (not installed, no Java, or
  `--no-verapdf`), so nothing validated the claim;
- `own checks pass (veraPDF does not validate PDF/X)`: a print file, whose PDF/X claim has
  no validator but kmyreport's own checks.

The sentences are built here, in `VERDICTS` and `Verdict.headline`, so that they can be
translated in one place.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

from .editions import edition_for_claims
from .editions.archive import ARCHIVE_CHECKS
from .errors import KmyError
from .files import checksum_list, sha256_file
from .i18n import N_, _
from .verapdf import VeraResult, find_verapdf_jar, flavours_for, run_verapdf


@dataclass
class Check:
    name: str
    ok: bool
    detail: str = ""


@dataclass
class Verdict:
    path: Path
    claims: list[str] = field(default_factory=list)      # e.g. ["PDF/A-3A", "PDF/UA-1"]
    checks: list[Check] = field(default_factory=list)
    verapdf: list[VeraResult] | None = None               # None: veraPDF did not run
    #: Notes on what was not checked: (English text with named fields, the values), translated when shown.
    notes: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    #: Why veraPDF did not run (a key of `NOT_RUN`), or "" when it ran.
    not_run: str = ""

    @property
    def compliant(self) -> bool:
        """No check that ran failed (own checks, and veraPDF when it ran). Whether veraPDF ran at
        all is `validated`: a file is validated compliant only when both hold (`status`)."""
        own = all(check.ok for check in self.checks)
        vera = self.verapdf is None or all(result.compliant for result in self.verapdf)
        return own and vera and bool(self.claims)

    @property
    def validated(self) -> bool:
        """veraPDF checked the file against every level it claims that veraPDF knows."""
        return self.verapdf is not None

    @property
    def status(self) -> str:
        """`compliant`, `not compliant`, `not validated` (own checks pass, veraPDF did not run) or
        `own checks only` (a PDF/X file, which veraPDF does not validate, passes the own checks)."""
        if not self.compliant:
            return NOT_COMPLIANT
        if self.validated:
            return COMPLIANT
        return OWN_CHECKS_ONLY if self.not_run == "pdfx" else NOT_VALIDATED

    @property
    def exit_code(self) -> int:
        """0 compliant (or a PDF/X file that passes the own checks), 1 not compliant, 3 not validated."""
        return EXIT_CODES[self.status]

    @property
    def note(self) -> str:
        """The notes in English, as the archive's sidecar records them ("" for none)."""
        return "; ".join(text.format(**values) for text, values in self.notes)

    def note_text(self) -> str:
        """The notes in the chosen language, as the command prints them."""
        return _("; ").join(_(text).format(**values) for text, values in self.notes)

    def headline(self, *, translated: bool = True) -> str:
        """The verdict in words, e.g. `not validated (veraPDF not installed): own checks pass`;
        `translated=False`: in English whatever the language (the archive's sidecar records it so)."""
        tr = _ if translated else str
        if self.status == NOT_VALIDATED:
            return tr(VERDICTS[NOT_VALIDATED]).format(reason=tr(NOT_RUN.get(self.not_run, NOT_RUN["not asked"])))
        return tr(VERDICTS[self.status])

    def failures(self) -> list[str]:
        lines = [_("{check}: {detail}").format(check=_(check.name), detail=check.detail)
                 for check in self.checks if not check.ok]
        for result in self.verapdf or []:
            if not result.compliant:
                rules = "; ".join(f"{f.get('clause')}-{f.get('test')} {f.get('description', '')}".strip()
                                  for f in result.failures[:5])
                lines.append(_("veraPDF {flavour}: not compliant ({rules})").format(flavour=result.flavour,
                                                                                     rules=rules))
        return lines


COMPLIANT, NOT_COMPLIANT, NOT_VALIDATED, OWN_CHECKS_ONLY = ("compliant", "not compliant", "not validated",
                                                             "own checks only")
#: The exit code of `kmyreport verify` for each status (the worst file's decides).
EXIT_CODES = {COMPLIANT: 0, OWN_CHECKS_ONLY: 0, NOT_COMPLIANT: 1, NOT_VALIDATED: 3}
#: The verdicts as printed. Only a file veraPDF validated is called compliant.
VERDICTS = {
    COMPLIANT: N_("compliant"),
    NOT_COMPLIANT: N_("NOT compliant"),
    NOT_VALIDATED: N_("not validated ({reason}): own checks pass"),
    OWN_CHECKS_ONLY: N_("own checks pass (veraPDF does not validate PDF/X)"),
}
#: Why veraPDF did not run, as the verdict says it.
NOT_RUN = {
    "not installed": N_("veraPDF not installed"),
    "no java": N_("Java not installed"),
    "not asked": "--no-verapdf",
    "pdfx": N_("veraPDF does not validate PDF/X"),
    "stopped early": N_("an own check failed first"),
}
#: What to do about a verdict that is not `compliant`, printed once after the verdicts.
ADVICE = {
    "not installed": N_("veraPDF is not installed: './dev verapdf' builds it (it needs Java 17 and Maven), "
                        "then run verify again"),
    "no java": N_("veraPDF needs Java 17 or later: install it ('sudo apt-get install default-jre-headless'), "
                  "then run verify again"),
    "not asked": N_("run verify without --no-verapdf to validate with veraPDF"),
}


def worst_exit_code(verdicts: list[Verdict]) -> int:
    """One exit code for many files: 1 if any is not compliant, else 3 if any is not validated, else 0."""
    codes = {verdict.exit_code for verdict in verdicts}
    return 1 if 1 in codes else 3 if 3 in codes else 0


def sidecar_path(pdf_path: Path) -> Path:
    """`out/2024-07/2024-07-pdfa-3a.pdf` → `out/2024-07/2024-07-pdfa-3a.json`."""
    return pdf_path.with_suffix(".json")


def verify_pdf(path: Path, *, use_verapdf: bool = True, sidecar: Path | None = None,
               check_sidecar: bool = True, stop_early: bool = False) -> Verdict:
    """Check one PDF; `sidecar` defaults to `<file>.json` beside it when that exists.

    `stop_early`: do not run veraPDF when an own check has failed already (the verdict is
    "not compliant" either way; a build that refuses the copy need not wait for the validator).

    The checks are those of the edition whose claims the file makes (`Edition.verify_checks`);
    a file that claims a PDF/A level no edition makes gets the checks of the archive editions.
    """
    path = Path(path)
    if not path.is_file():
        raise KmyError(_("file not found"), path)
    verdict = Verdict(path)
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PdfError as exc:
        verdict.checks.append(Check("readable", False, _("not a readable PDF ({problem})").format(problem=exc)))
        return verdict
    with pdf:
        xmp = _xmp_text(pdf)
        verdict.claims = claims_in(xmp)
        verdict.checks += [CHECKS[name](pdf, xmp, verdict.claims) for name in checks_for(verdict.claims)]
        attachments = {name: spec.get_file().read_bytes() for name, spec in pdf.attachments.items()}
    if check_sidecar:
        sidecar = sidecar or sidecar_path(path)
        if sidecar.is_file():
            verdict.checks += _sidecar_checks(path, sidecar, attachments)
        elif any(claim.startswith("PDF/A") for claim in verdict.claims):  # only archive copies have one
            verdict.notes.append((N_("no sidecar {name}: embedded sources not cross-checked"), {"name": sidecar.name}))
    if stop_early and not all(check.ok for check in verdict.checks):
        verdict.not_run = "stopped early"
        return verdict
    if verdict.claims and not flavours_for(verdict.claims):
        verdict.not_run = "pdfx"
        verdict.notes.append((N_("veraPDF does not validate PDF/X: own checks only (kmyreport check for the full "
                                 "preflight)"), {}))
    elif not use_verapdf:
        verdict.not_run = "not asked"
    elif verdict.claims:
        if find_verapdf_jar() is None:
            verdict.not_run = "not installed"
            verdict.notes.append((N_("veraPDF not installed (./dev verapdf builds it): own checks only"), {}))
        elif shutil.which("java") is None:
            verdict.not_run = "no java"
            verdict.notes.append((N_("veraPDF not run: Java is not installed: own checks only"), {}))
        else:
            verdict.verapdf = run_verapdf([path], flavours_for(verdict.claims))
    return verdict


def checks_for(claims: list[str]) -> tuple[str, ...]:
    """The names of the checks for a file making these claims."""
    edition = edition_for_claims(claims)
    if edition is not None:
        return edition.verify_checks
    tagged = any(c.endswith(("A", "UA-1")) for c in claims)
    return ARCHIVE_CHECKS + (("tagged",) if tagged else ())


def claims_in(xmp: str) -> list[str]:
    """["PDF/A-3A", "PDF/UA-1"] from the identification properties of an XMP packet."""
    claims = []
    part = _xmp_value(xmp, "pdfaid", "part")
    if part:
        conformance = _xmp_value(xmp, "pdfaid", "conformance") or ""
        claims.append(f"PDF/A-{part}{conformance.upper()}")
    pdfx = _xmp_value(xmp, "pdfxid", "GTS_PDFXVersion")
    if pdfx:
        claims.append(pdfx.upper())
    ua = _xmp_value(xmp, "pdfuaid", "part")
    if ua:
        claims.append(f"PDF/UA-{ua}")
    return claims


def _xmp_text(pdf: pikepdf.Pdf) -> str:
    metadata = pdf.Root.get("/Metadata")
    if metadata is None:
        return ""
    return metadata.read_bytes().decode("utf-8", "replace")


def _xmp_value(xmp: str, prefix: str, name: str) -> str | None:
    """A simple property, written as attribute (`pdfaid:part="3"`) or element (`<pdfaid:part>3<`)."""
    match = re.search(rf'{prefix}:{name}\s*=\s*"([^"]*)"', xmp) or \
        re.search(rf"<{prefix}:{name}(?:\s[^>]*)?>([^<]*)</{prefix}:{name}>", xmp)  # may declare its namespace
    return match[1].strip() if match else None


def _pdfa_claim(pdf: pikepdf.Pdf, xmp: str, claims: list[str]) -> Check:
    return Check("PDF/A claim", any(c.startswith("PDF/A") for c in claims),
                 ", ".join(claims) or _("no pdfaid:part in the XMP metadata"))


def _metadata(pdf: pikepdf.Pdf, xmp: str, claims: list[str]) -> Check:
    titled = bool(xmp) and re.search(r"<dc:title[\s>]", xmp) is not None
    return Check("metadata", titled, _("XMP metadata with dc:title") if titled
                 else _("XMP metadata without dc:title") if xmp else _("no XMP metadata stream"))


def _language(pdf: pikepdf.Pdf, xmp: str, claims: list[str]) -> Check:
    return Check("language", "/Lang" in pdf.Root, str(pdf.Root.get("/Lang", _("no /Lang in the catalog"))))


def _tagged(pdf: pikepdf.Pdf, xmp: str, claims: list[str]) -> Check:
    marked = "/StructTreeRoot" in pdf.Root and bool(pdf.Root.get("/MarkInfo", {}).get("/Marked", False))
    return Check("tagged", marked, _("structure tree and /Marked true") if marked
                 else _("tagged level without a structure tree"))


def _output_intent(pdf: pikepdf.Pdf, xmp: str, claims: list[str]) -> Check:
    intents = pdf.Root.get("/OutputIntents") or []
    for intent in intents:
        if intent.get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in intent:
            return Check("output intent", True, str(intent.get("/OutputConditionIdentifier", "")))
    return Check("output intent", False, _("no GTS_PDFA1 output intent with an ICC profile"))


def _fonts_embedded(pdf: pikepdf.Pdf, xmp: str, claims: list[str]) -> Check:
    missing, count = [], 0
    for page in pdf.pages:
        fonts = page.obj.get("/Resources", {}).get("/Font", {})
        for font in fonts.values():
            if font.get("/Subtype") == "/Type3":
                continue
            descendant = font["/DescendantFonts"][0] if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor", {})
            count += 1
            if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
                missing.append(str(font.get("/BaseFont", "?")))
    if missing:
        return Check("fonts embedded", False, _("not embedded: {fonts}").format(fonts=", ".join(sorted(set(missing)))))
    return Check("fonts embedded", True, _("{count} font uses, all embedded").format(count=count))


def _no_interpolation(pdf: pikepdf.Pdf, xmp: str, claims: list[str]) -> Check:
    interpolating = [obj.objgen[0] for obj in pdf.objects
                     if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
                     and bool(obj.get("/Interpolate", False))]
    if interpolating:
        return Check("no interpolation", False, _("{count} image(s) with /Interpolate true (objects {objects})").format(
            count=len(interpolating), objects=", ".join(map(str, interpolating[:5]))))
    return Check("no interpolation", True, _("no image asks for interpolation"))


def _pdfx_claim(pdf: pikepdf.Pdf, xmp: str, claims: list[str]) -> Check:
    found = [c for c in claims if c.startswith("PDF/X")]
    trapped = str(pdf.trailer.get("/Info", {}).get("/Trapped", "")) == "/False" and "<pdf:Trapped>" in xmp
    return Check("PDF/X claim", bool(found) and trapped,
                 _("{claims}, Trapped set").format(claims=", ".join(found)) if found and trapped
                 else _("no pdfxid:GTS_PDFXVersion or no /Trapped"))


def _press_output_intent(pdf: pikepdf.Pdf, xmp: str, claims: list[str]) -> Check:
    from .check import _output_intent

    problems = _output_intent(pdf)
    intents = pdf.Root.get("/OutputIntents") or []
    return Check("press output intent", not problems, problems[0].message if problems
                 else str(intents[0].get("/OutputConditionIdentifier", "")))


def _press_preflight(pdf: pikepdf.Pdf, xmp: str, claims: list[str]) -> Check:
    """`kmyreport check`'s PDF checks with the default press settings (3 mm bleed, 300% ink)."""
    from .check import ERROR, check_pdf

    errors = [f for f in check_pdf(Path(pdf.filename), None) if f.severity == ERROR]
    return Check("press preflight", not errors, _("; ").join(str(f) for f in errors[:5]) if errors
                 else _("boxes, CMYK only, no rich-black text, ink within 300%"))


#: The own checks' names as shown (a name is also a key: editions list them, the archive sidecar records them).
CHECK_NAMES = (N_("PDF/A claim"), N_("metadata"), N_("language"), N_("output intent"), N_("fonts embedded"),
               N_("no interpolation"), N_("tagged"), N_("PDF/X claim"), N_("press output intent"),
               N_("press preflight"), N_("readable"), N_("sidecar"), N_("checksum"), N_("embedded sources"))
#: Every own check by name; an edition lists the ones its files must pass (`Edition.verify_checks`).
CHECKS: dict[str, Callable[[pikepdf.Pdf, str, list[str]], Check]] = {
    "PDF/A claim": _pdfa_claim,
    "metadata": _metadata,
    "language": _language,
    "output intent": _output_intent,
    "fonts embedded": _fonts_embedded,
    "no interpolation": _no_interpolation,
    "tagged": _tagged,
    "PDF/X claim": _pdfx_claim,
    "press output intent": _press_output_intent,
    "press preflight": _press_preflight,
}


def _sidecar_checks(path: Path, sidecar: Path, attachments: dict[str, bytes]) -> list[Check]:
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [Check("sidecar", False, _("{name} unreadable ({problem})").format(name=sidecar.name, problem=exc))]
    checks = []
    actual = sha256_file(path)
    checks.append(Check("checksum", actual == data.get("sha256"),
                        _("PDF matches its sidecar") if actual == data.get("sha256")
                        else _("PDF SHA-256 {digest}… differs from the sidecar's").format(digest=actual[:12])))
    expected = {i["embedded_as"]: i["sha256"] for i in data.get("inputs", []) if i.get("embedded_as")}
    problems = []
    for name, digest in expected.items():
        if name not in attachments:
            problems.append(_("{name} missing").format(name=name))
        elif hashlib.sha256(attachments[name]).hexdigest() != digest:
            problems.append(_("{name} differs").format(name=name))
    if data.get("checksums_embedded_as"):
        sums = attachments.get(data["checksums_embedded_as"])
        listed = checksum_list((i["sha256"], i["path"]) for i in data.get("inputs", []))
        if sums is None:
            problems.append(_("{name} missing").format(name=data["checksums_embedded_as"]))
        elif sums.decode("utf-8", "replace") != listed:
            problems.append(_("{name} differs from the sidecar").format(name=data["checksums_embedded_as"]))
    checks.append(Check("embedded sources", not problems,
                        _("; ").join(problems) if problems else _("{count} sources match the sidecar").format(
                            count=len(expected))))
    return checks
