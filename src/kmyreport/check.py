"""`kmyreport check`: what a printer's preflight looks at, before and after rendering.

Before rendering (from the sources, fast):

- **glyphs**: every character of the manifest and the copy that the layout's fonts lack,
  each at its file:line:column (the compile stops at the first one; this lists them all);
- **photo resolution**: each photo's effective resolution at the size its composer places it
  (the bulletin: the column; a newspaper: across its story's columns), from the original's pixels (prepared photos are never upscaled): below 200 ppi a warning, below
  120 ppi an error, at the article line that places it. Only for editions that print (CMYK).

After rendering the edition to a scratch file (read back with pikepdf and pdfplumber):

- **boxes**: every page has a TrimBox and a BleedBox the press section's bleed beyond it;
- **output intent**: a PDF/X output intent with a CMYK profile;
- **colour**: RGB or spot colour (Separation, DeviceN) in text, rules or images;
- **rich black**: text that is black but printed with cyan, magenta or yellow too
  (an error below 12 pt, where misregistration blurs it; a warning above);
- **ink**: images and fills whose total ink exceeds the press section's limit;
- **fonts**: fonts not embedded;
- **safety margin**: text nearer the trim than `press.safety_mm`;
- **registration colour** (`/Separation /All`, every plate): only for printer's marks, outside
  the BleedBox; anything painted in it inside the bleed, or text in it, is an error.

Findings carry a severity (error or warning), a code, a message and, where the source is
known, its file:line:column, otherwise the page. The exit code is 0 when clean, 1 for
warnings under `--strict`, 2 for errors.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pdfplumber
import pikepdf
from PIL import Image

from .colour import CMYK, PressSettings, max_ink
from .errors import KmyError, display_path
from .i18n import _
from .photos import MM_PER_INCH, Placement, placed_size
from .preflight import missing_glyphs

ERROR, WARNING = "error", "warning"
PPI_WARNING, PPI_ERROR = 200, 120
RICH_BLACK_K = 0.8           # text this black…
RICH_BLACK_COLOUR = 0.02     # …with more than this of C, M or Y is rich black
SMALL_TEXT_PT = 12           # below this, rich black is an error
MM = 72 / MM_PER_INCH


@dataclass
class Finding:
    severity: str                  # error or warning
    code: str                      # glyph, photo-ppi, boxes, output-intent, rgb, spot, rich-black, ink, font, safety
    message: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    page: int | None = None

    def where(self) -> str:
        if self.file:
            return ":".join([self.file] + [str(v) for v in (self.line, self.column) if v is not None])
        return _("page {page}").format(page=self.page) if self.page else ""

    def __str__(self) -> str:
        where = self.where()
        said = (_("error: {message}") if self.severity == ERROR else _("warning: {message}")).format(message=self.message)
        return f"{where}: {said}" if where else said


@dataclass
class CheckReport:
    manifest: Path
    edition: str
    findings: list[Finding] = field(default_factory=list)
    rendered: bool = False         # False: the sources already failed, no PDF was made

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == WARNING]

    def exit_code(self, strict: bool = False) -> int:
        if self.errors:
            return 2
        return 1 if strict and self.warnings else 0

    def to_dict(self, strict: bool = False) -> dict[str, Any]:
        return {"manifest": display_path(self.manifest), "edition": self.edition, "rendered": self.rendered,
                "errors": len(self.errors), "warnings": len(self.warnings), "exit_code": self.exit_code(strict),
                "findings": [asdict(f) for f in self.findings]}


def check_issue(manifest_path: Path, *, edition: str = "print", level: str | None = None,
                workspace_root: Path | None = None, render: bool = True) -> CheckReport:
    """Check an issue's sources, render the edition to a scratch file and check the PDF
    (`render=False`: the sources only, the fast part)."""
    from .build import compile_issue, prepare_issue
    from .editions import get_edition
    from .layouts import load_layout
    from .manifest import load_manifest
    from .workspace import find_workspace

    chosen = get_edition(edition, level)
    report = CheckReport(Path(manifest_path), chosen.name)
    try:
        manifest = load_manifest(Path(manifest_path))
        workspace = find_workspace(manifest.path, workspace_root)
        layout = load_layout(manifest.model.layout, workspace)
        files = [manifest.path] + [(manifest.folder / rel).resolve() for _, rel in manifest.article_entries()]
        report.findings += glyph_findings([f for f in files if f.is_file()], layout.font_files(), workspace.cache_dir)
        if report.errors:
            return report
        issue = prepare_issue(Path(manifest_path), edition=edition, level=level, workspace_root=workspace_root)
    except KmyError as exc:
        report.findings.append(_from_error(exc))
        return report
    prints = chosen.photos.colour == CMYK
    if prints:  # each photo at the place its composer gives it (a newspaper's: across its story's columns)
        report.findings += photo_findings(issue.articles, issue.composer.placement_for(
            issue.manifest, issue.layout, issue.articles, issue.layout.photo_placement))
    if not render:
        return report
    with tempfile.TemporaryDirectory(prefix="kmyreport-check-") as scratch:
        try:
            result = compile_issue(Path(manifest_path), edition=edition, level=level, workspace_root=workspace_root,
                                   output=Path(scratch) / issue.edition.file_name(issue.manifest.issue_id),
                                   validate=False, cache=False)  # a scratch output: a record could never be hit
        except KmyError as exc:
            report.findings.append(_from_error(exc))
            return report
        report.rendered = True
        if prints:
            report.findings += check_pdf(result.output, issue.layout.config.press)
    return report


def _from_error(exc: KmyError) -> Finding:
    return Finding(ERROR, "source", exc.message, display_path(exc.file) if exc.file else None, exc.line, exc.column)


def glyph_findings(files: Iterable[Path], fonts: list[Path], cache_dir: Path) -> list[Finding]:
    """Every character the fonts lack, at its file:line:column (one finding per place)."""
    return [Finding(ERROR, "glyph", _("character {character} is not in the layout's fonts ({lacking}); replace "
                                      "it").format(character=missing.label, lacking=missing.lacking),
                    display_path(missing.path), missing.line, missing.column)
            for missing in missing_glyphs(files, fonts, cache_dir)]


def photo_findings(articles: Iterable[Any], placement: Placement | Callable[[Any], Placement]) -> list[Finding]:
    """Each photo's effective resolution at its placed size, from the original's pixels. `placement`:
    one for every photo, or the composer's, photo → its `Placement`."""
    place = placement if callable(placement) else (lambda photo: placement)
    findings = []
    for article in articles:
        for photo in article.photos:
            try:
                with Image.open(photo.source) as image:  # the header only
                    width, height = image.size
                    if image.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # stored sideways
                        width, height = height, width
            except (OSError, ValueError):
                continue  # an unreadable photo already failed the build
            width_mm = placed_size(width, height, place(photo))[0]
            ppi = width / (width_mm / MM_PER_INCH)
            if ppi < PPI_WARNING:
                severity = ERROR if ppi < PPI_ERROR else WARNING
                findings.append(Finding(
                    severity, "photo-ppi", _("{photo} is {width} px wide; placed {width_mm} mm wide it prints at {ppi} "
                                             "ppi (below {limit}); use a larger original or place it smaller").format(
                        photo=photo.source.name, width=width, width_mm=f"{width_mm:.0f}", ppi=f"{ppi:.0f}",
                        limit=PPI_ERROR if severity == ERROR else PPI_WARNING),
                    display_path(article.path), photo.line))
    return findings


def check_pdf(path: Path, press: PressSettings | None) -> list[Finding]:
    """The printer's checks on a rendered print PDF."""
    press = press or PressSettings(profile="")
    findings: list[Finding] = []
    checked_images: set[tuple[int, int]] = set()
    with pikepdf.open(path) as pdf, pdfplumber.open(path) as doc:
        findings += _output_intent(pdf)
        for number, (page, plumb) in enumerate(zip(pdf.pages, doc.pages), start=1):
            findings += _boxes(page, number, press.bleed_mm)
            findings += _fonts(page, number)
            drawn = {image["name"] for image in plumb.images}
            for name, image in _page_images(page):
                if name in drawn and image.objgen not in checked_images:
                    checked_images.add(image.objgen)
                    findings += _image(name, image, number, press.ink_limit)
            findings += _text(plumb, number, press)
            findings += _graphics(plumb, number, press.ink_limit)
            findings += _registration(page, number)
    return findings


def _output_intent(pdf: pikepdf.Pdf) -> list[Finding]:
    for intent in pdf.Root.get("/OutputIntents") or []:
        profile = intent.get("/DestOutputProfile")
        if intent.get("/S") == "/GTS_PDFX" and profile is not None and int(profile.get("/N", 0)) == 4:
            return []
    return [Finding(ERROR, "output-intent", _("no PDF/X output intent with a CMYK profile; the layout's press "
                                              "section names the profile"))]


def _boxes(page: pikepdf.Page, number: int, bleed_mm: float) -> list[Finding]:
    missing = [name for name in ("/TrimBox", "/BleedBox") if name not in page.obj]
    if missing:
        return [Finding(ERROR, "boxes", _("no {boxes}").format(boxes=_(" or ").join(m[1:] for m in missing)),
                        page=number)]
    trim = [float(v) for v in page.obj.TrimBox]
    bleed = [float(v) for v in page.obj.BleedBox]
    short = min(trim[0] - bleed[0], trim[1] - bleed[1], bleed[2] - trim[2], bleed[3] - trim[3])
    if short < bleed_mm * MM - 0.01:
        return [Finding(ERROR, "boxes", _("bleed is {bleed} mm, the press wants {wanted} mm").format(
            bleed=f"{short / MM:.1f}", wanted=f"{bleed_mm:g}"), page=number)]
    return []


def _fonts(page: pikepdf.Page, number: int) -> list[Finding]:
    findings = []
    for font in (page.obj.get("/Resources", {}).get("/Font", {}) or {}).values():
        if font.get("/Subtype") == "/Type3":
            continue
        descendant = font["/DescendantFonts"][0] if "/DescendantFonts" in font else font
        descriptor = descendant.get("/FontDescriptor", {})
        if not any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3")):
            findings.append(Finding(ERROR, "font", _("font {font} is not embedded").format(
                font=font.get("/BaseFont", "?")), page=number))
    return findings


def _colour_space_name(space: Any) -> str:
    if isinstance(space, pikepdf.Array) and len(space):
        name = str(space[0])
        if name == "/ICCBased":
            return {1: "/DeviceGray", 3: "/DeviceRGB", 4: "/DeviceCMYK"}.get(int(space[1].get("/N", 0)), name)
        return name
    return str(space)


def _image(name: str, image: pikepdf.Stream, number: int, ink_limit: int) -> list[Finding]:
    space = _colour_space_name(image.get("/ColorSpace"))
    if space in ("/Separation", "/DeviceN"):
        return [Finding(ERROR, "spot", _("image {image} is in a spot colour ({space})").format(image=name, space=space[1:]),
                        page=number)]
    if space not in ("/DeviceCMYK", "/DeviceGray"):
        return [Finding(ERROR, "rgb", _("image {image} ({width}×{height} px) is {space}, not CMYK; convert it "
                                        "through the press profile").format(
            image=name, width=int(image.Width), height=int(image.Height), space=space[1:]), page=number)]
    if space == "/DeviceCMYK":
        try:
            if image.get("/Filter") == "/DCTDecode":
                decoded = Image.open(io.BytesIO(image.read_raw_bytes()))
                # at half size (the decoder averages 2×2 pixels): the limit is about areas of ink,
                # and this is four times faster
                decoded.draft("CMYK", (decoded.width // 2, decoded.height // 2))
            else:
                decoded = pikepdf.PdfImage(image).as_pil_image()
            ink = max_ink(decoded.convert("CMYK"))
        except (pikepdf.PdfError, NotImplementedError, OSError, ValueError):
            return []
        if ink > ink_limit + 3:  # JPEG noise aside
            return [Finding(ERROR, "ink", _("image {image} reaches {ink}% total ink (limit {limit}%)").format(
                image=name, ink=f"{ink:.0f}", limit=ink_limit), page=number)]
    return []


def _page_images(page: pikepdf.Page) -> Iterable[tuple[str, pikepdf.Stream]]:
    """Image XObjects a page draws, also inside its form XObjects (each image once per page)."""
    seen: set[tuple[int, int]] = set()
    stack = [page.obj.get("/Resources", {})]
    while stack:
        resources = stack.pop()
        for name, xobject in (resources.get("/XObject", {}) or {}).items():
            if xobject.objgen in seen:
                continue
            seen.add(xobject.objgen)
            if xobject.get("/Subtype") == "/Image":
                yield str(name)[1:], xobject
            elif xobject.get("/Subtype") == "/Form":
                stack.append(xobject.get("/Resources", {}))


def _cmyk(colour: Any) -> tuple[float, ...] | None:
    if isinstance(colour, (tuple, list)) and len(colour) == 4 and all(isinstance(v, (int, float)) for v in colour):
        return tuple(float(v) for v in colour)
    return None


def _space_problem(space: str | None, colour: Any) -> tuple[str, str] | None:
    """(code, words) when a colour is not process CMYK (grey is fine: it prints on black)."""
    if space in (None, "DeviceCMYK", "DeviceGray"):
        if space is None and isinstance(colour, (tuple, list)) and len(colour) == 3:
            return "rgb", "RGB"
        return None
    if space in ("Separation", "DeviceN") or (space or "").startswith(("Separation", "DeviceN")):
        return "spot", _("a spot colour ({space})").format(space=space)
    if "RGB" in space or (space == "ICCBased" and isinstance(colour, (tuple, list)) and len(colour) == 3):
        return "rgb", "RGB"
    if space == "Pattern":
        return None
    return None


def _text(page: Any, number: int, press: PressSettings) -> list[Finding]:
    findings: list[Finding] = []
    left, top, right, bottom = getattr(page, "trimbox", None) or page.bbox  # no TrimBox: the page (a finding)
    margin = press.safety_mm * MM
    reported: set[str] = set()
    rich: tuple[dict, tuple[float, ...]] | None = None  # the smallest rich-black character
    for char in page.chars:
        if not char["text"].strip():
            continue
        colour, space, size = char.get("non_stroking_color"), char.get("ncs"), char["size"]
        problem = _space_problem(space, colour)
        if problem and problem[0] not in reported:
            reported.add(problem[0])
            findings.append(Finding(ERROR, problem[0], _("text in {colour} (\"{text}\"); give the layout's colours "
                                                         "in CMYK").format(colour=problem[1], text=_context(page, char)),
                                    page=number))
        cmyk = _cmyk(colour) if space in (None, "DeviceCMYK") else None
        if cmyk and cmyk[3] >= RICH_BLACK_K and max(cmyk[:3]) > RICH_BLACK_COLOUR:
            if rich is None or size < rich[0]["size"]:
                rich = (char, cmyk)
        if cmyk and sum(cmyk) * 100 > press.ink_limit + 0.5 and "ink" not in reported:
            reported.add("ink")
            findings.append(Finding(ERROR, "ink", _("text colour has {ink}% total ink (limit {limit}%)").format(
                ink=f"{sum(cmyk) * 100:.0f}", limit=press.ink_limit), page=number))
        inside = (char["x0"] >= left + margin and char["x1"] <= right - margin
                  and char["top"] >= top + margin and char["bottom"] <= bottom - margin)
        if not inside and "safety" not in reported:
            reported.add("safety")
            findings.append(Finding(WARNING, "safety", _("text \"{text}\" lies within {margin} mm of the trim (or "
                                                         "beyond it)").format(text=_context(page, char),
                                                                             margin=f"{press.safety_mm:g}"),
                                    page=number))
    if rich is not None:
        char, cmyk = rich
        findings.append(Finding(
            ERROR if char["size"] < SMALL_TEXT_PT else WARNING, "rich-black",
            _("{size} pt text in rich black (C {c} M {m} Y {y} K {k}, \"{text}\"); black text prints on K "
              "only").format(size=f"{char['size']:.1f}", c=f"{cmyk[0]:.0%}", m=f"{cmyk[1]:.0%}", y=f"{cmyk[2]:.0%}",
                             k=f"{cmyk[3]:.0%}", text=_context(page, char)), page=number))
    return findings


def _context(page: Any, char: dict) -> str:
    """A few characters of the line a character sits on, for messages."""
    line = [c["text"] for c in page.chars if abs(c["top"] - char["top"]) < 1 and abs(c["x0"] - char["x0"]) < 60]
    return "".join(line)[:12]


def _graphics(page: Any, number: int, ink_limit: int) -> list[Finding]:
    findings: list[Finding] = []
    reported: set[str] = set()
    for item in page.rects + page.lines + page.curves:
        for key, space_key in (("non_stroking_color", "ncs"), ("stroking_color", "scs")):
            colour, space = item.get(key), item.get(space_key)
            if colour is None or (key == "non_stroking_color" and not item.get("fill", True)) or \
                    (key == "stroking_color" and not item.get("stroke", True)):
                continue
            problem = _space_problem(space, colour)
            if problem and problem[0] not in reported:
                reported.add(problem[0])
                findings.append(Finding(ERROR, problem[0], _("a rule or shape in {colour}; give the layout's "
                                                             "colours in CMYK").format(colour=problem[1]),
                                        page=number))
            cmyk = _cmyk(colour)
            if cmyk and space in (None, "DeviceCMYK") and sum(cmyk) * 100 > ink_limit + 0.5 and "ink" not in reported:
                reported.add("ink")
                findings.append(Finding(ERROR, "ink", _("a rule or shape has {ink}% total ink (limit {limit}%)").format(
                    ink=f"{sum(cmyk) * 100:.0f}", limit=ink_limit), page=number))
    return findings


_PATH_OPS = {"m": 2, "l": 2, "c": 6, "v": 4, "y": 4, "re": 4}
_TEXT_OPS = {"Tj", "TJ", "'", '"'}


def _registration(page: pikepdf.Page, number: int) -> list[Finding]:
    """Paths or text in the registration colour (`/Separation /All`) inside the BleedBox. Printer's
    marks (`render.marks`) use it in the slug outside the bleed, which is where it belongs."""
    spaces = page.obj.get("/Resources", {}).get("/ColorSpace", {}) or {}
    everything = {str(name) for name, space in spaces.items()
                  if isinstance(space, pikepdf.Array) and len(space) > 1 and space[0] == "/Separation"
                  and space[1] == "/All"}
    if not everything:
        return []
    box = page.obj.get("/BleedBox") or page.obj.get("/TrimBox") or page.obj.MediaBox
    x0, y0, x1, y1 = (float(v) for v in box)
    ctm, stroke, fill = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), False, False
    stack: list[tuple] = []
    for operands, operator in pikepdf.parse_content_stream(page):
        op = str(operator)
        if op == "q":
            stack.append((ctm, stroke, fill))
        elif op == "Q" and stack:
            ctm, stroke, fill = stack.pop()
        elif op == "cm" and len(operands) == 6:
            a, b, c, d, e, f = (float(v) for v in operands)
            p, q, r, t, u, w = ctm
            ctm = (a * p + b * r, a * q + b * t, c * p + d * r, c * q + d * t, e * p + f * r + u, e * q + f * t + w)
        elif op in ("CS", "cs") and operands:
            chosen = str(operands[0]) in everything
            stroke, fill = (chosen, fill) if op == "CS" else (stroke, chosen)
        elif op in ("G", "RG", "K"):
            stroke = False
        elif op in ("g", "rg", "k"):
            fill = False
        elif op in _TEXT_OPS and fill:
            return [Finding(ERROR, "registration", _("text in the registration colour (every plate at 100%); "
                                                     "give it a CMYK colour"), page=number)]
        elif op in _PATH_OPS and (stroke or fill) and len(operands) == _PATH_OPS[op]:
            values = [float(v) for v in operands]
            points = list(zip(values[::2], values[1::2]))
            if op == "re":
                (x, y), (w, h) = points
                points = [(x, y), (x + w, y + h)]
            for x, y in points:
                px, py = ctm[0] * x + ctm[2] * y + ctm[4], ctm[1] * x + ctm[3] * y + ctm[5]
                if x0 + 0.01 < px < x1 - 0.01 and y0 + 0.01 < py < y1 - 0.01:
                    return [Finding(ERROR, "registration", _("something is painted in the registration colour "
                                                             "(every plate at 100%) inside the bleed; it is for "
                                                             "printer's marks only"), page=number)]
    return []
