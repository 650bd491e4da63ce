"""What an import found and changed: per-line records, photo records, the report and the result.

The report's texts are English message ids translated through `kmyreport.i18n` (the Chinese wording is in
the catalogue); the copy's own text in it (lines, names, editors' roles) is shown as written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import N_, _, ngettext
from ..normalize import Change
from .model import Block

# What each kind of line is called in the report (translated where the report is written).
KIND_LABELS = {
    "kicker": N_("kicker"),
    "title": N_("title"),
    "subtitle": N_("subtitle"),
    "byline": N_("byline"),
    "heading": N_("section head"),
    "photo": N_("photo caption"),
    "paragraph": N_("paragraph"),
    "origin": N_("paragraph (with an origin note)"),
    "editors": N_("editors"),
    "junk": N_("junk line (dropped)"),
    "source": N_("source note"),
    "end-matter": N_("end matter (dropped)"),
    "byline-in-text": N_("paragraph (with a byline)"),
    "note": N_("editor's note"),
    "boilerplate": N_("account boilerplate (dropped)"),
}

# The report's names of the punctuation changes (`Change.rule`; `normalize.RULE_LABELS` has the Chinese
# ones, which are their translations in the catalogue).
CHANGE_LABELS = {
    "fullwidth": N_("half-width punctuation made full-width"),
    "full-stop": N_("half-width full stop made 。"),
    "parens": N_("pair of brackets made full-width"),
    "quotes": N_("straight quotes made curly"),
    "ellipsis": N_("ellipsis made “……”"),
    "dash": N_("dash made “——”"),
    "name-dot": N_("dot between names made “·”"),
    "space-punct": N_("space beside Chinese punctuation removed"),
    "space-phrase": N_("space between phrases made a full-width space (the pause kept)"),
    "credit-brackets": N_("brackets around the photo credit removed"),
    "subtitle-dash": N_("dash before the subtitle removed"),
    "head-marker": N_("bullet or bold marks of the section head removed"),
    "byline-brackets": N_("brackets around the byline removed"),
    "house-source": N_("own source note removed"),
    "end-mark": N_("end mark at the end removed"),
}


def change_label(change: Change) -> str:
    """What a punctuation change did, in the chosen language."""
    label = CHANGE_LABELS.get(change.rule)
    return _(label) if label else change.label


@dataclass
class LineRecord:
    """What one raw line was recognised as."""

    line: int
    kind: str
    text: str  # the cleaned raw line
    detail: str = ""


@dataclass
class PhotoRecord:
    line: int
    caption: str
    credit: str
    credit_names: list[str]
    path: str
    missing: bool
    source: Path | None = None  # the matched file in the photo folder

    def pairing(self) -> str:
        """Which file goes with this caption, in one line (for the CLI after an import is written)."""
        if self.source is None:
            return _(PAIRING_MISSING).format(line=self.line, caption=_short(self.caption), path=self.path)
        return _(PAIRING).format(line=self.line, caption=_short(self.caption), file=_shown_file(self.source),
                              path=self.path)


PAIRING = N_("line {line} “{caption}”: {file} → {path}")
PAIRING_MISSING = N_("line {line} “{caption}”: no photo file; the article refers to {path} (a placeholder)")


@dataclass
class ImportReport:
    """Everything an editor needs to check an import: recognition, changes, drops.

    In the language chosen in `kmyreport.i18n`: the details and warnings are translated as the import
    runs, the headings and labels as `to_text` writes the report (the command does both in one language).
    """

    source: str
    encoding: str
    lines: list[LineRecord] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    cleaning: list[str] = field(default_factory=list)
    dropped: list[LineRecord] = field(default_factory=list)
    photos: list[PhotoRecord] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    emoji: list[tuple[int, int, str, str]] = field(default_factory=list)  # (line, column, emoji, replacement)

    def kinds(self) -> dict[int, str]:
        return {record.line: record.kind for record in self.lines}

    def to_text(self) -> str:
        """The report an editor reads (`kmyreport import --dry-run`), in the chosen language."""
        out = [_("Import report: {source}").format(source=self.source),
               _("Encoding: {encoding}").format(encoding=self.encoding), "", _("Recognised lines:")]
        for record in self.lines:
            label = _(KIND_LABELS[record.kind]) if record.kind in KIND_LABELS else record.kind
            out.append("  " + _("line {line}  [{label}]  {text}").format(line=record.line, label=label,
                                                                        text=record.text))
            if record.detail:
                out.append(f"      → {record.detail}")
        if self.photos:
            out.append("")
            out.extend(self.photo_section())
        out.append("")
        out.append(ngettext("Punctuation normalised ({count} change):", "Punctuation normalised ({count} changes):",
                            len(self.changes)).format(count=len(self.changes)))
        for change in self.changes:
            out.append("  " + _("line {line} column {column}  “{before}” → “{after}”  {label}  "
                                "(original: …{excerpt}…)").format(
                line=change.line, column=change.column, before=_visible(change.before),
                after=_visible(change.after), label=change_label(change), excerpt=change.excerpt))
        if self.cleaning:
            out.append("")
            out.append(_("Characters cleaned:"))
            out.extend(f"  {note}" for note in self.cleaning)
        if self.emoji:
            out.append("")
            out.append(_("Emoji removed ({count}):").format(count=len(self.emoji)))
            for line, column, char, replacement in self.emoji:
                where = _("line {line} column {column}").format(line=line, column=column)
                code = f"U+{ord(char[0]):04X}"
                out.append("  " + (_("{where}  {emoji}  {code}, replaced by “{replacement}”") if replacement
                                   else _("{where}  {emoji}  {code}")).format(
                    where=where, emoji=char, code=code, replacement=replacement))
        if self.dropped:
            out.append("")
            out.append(_("Lines dropped:"))
            for record in self.dropped:
                out.append("  " + _("line {line}  “{text}”  {detail}").format(line=record.line, text=record.text,
                                                                            detail=record.detail))
        out.append("")
        out.append(_("Warnings:") if self.warnings else _("Warnings: none"))
        out.extend(f"  - {warning}" for warning in self.warnings)
        return "\n".join(out) + "\n"

    def photo_section(self) -> list[str]:
        """Photos and captions: each caption with the photo file that goes with it (matched in file-name
        order), or the placeholder the article refers to when there is none."""
        missing = sum(photo.source is None for photo in self.photos)
        counts = {"captions": len(self.photos), "paired": len(self.photos) - missing, "missing": missing}
        if missing:
            head = ngettext("Photos and captions ({captions} caption, {paired} paired with photo files in order "
                            "of file name, {missing} without a photo):",
                            "Photos and captions ({captions} captions, {paired} paired with photo files in order "
                            "of file name, {missing} without a photo):", len(self.photos))
        else:
            head = ngettext("Photos and captions ({captions} caption, {paired} paired with photo files in order "
                            "of file name):",
                            "Photos and captions ({captions} captions, {paired} paired with photo files in order "
                            "of file name):", len(self.photos))
        lines = [head.format(**counts)]
        for number, photo in enumerate(self.photos, start=1):
            if photo.source is None:
                row = _("line {line}  “{caption}”  ← no photo; placeholder file name {path} for now").format(
                    line=photo.line, caption=_short(photo.caption), path=photo.path)
            else:
                row = _("line {line}  “{caption}”  ← {file} (in the article: {path})").format(
                    line=photo.line, caption=_short(photo.caption), file=_shown_file(photo.source),
                    path=photo.path)
            lines.append(f"  {number}. {row}")
        return lines


@dataclass
class ImportResult:
    article_source: str  # the full .md text (front matter + body)
    report: ImportReport
    front_matter: dict
    encoding: str  # Python codec name the file was decoded with
    blocks: list[Block] = field(default_factory=list)  # the body before Markdown escaping


def name_list(names: list[str]) -> str:
    """Names in a row, as the report lists them: `a, b, c` in English, `a、b、c` in Chinese."""
    listed = names[0] if names else ""
    for name in names[1:]:
        listed = _("{names}, {name}").format(names=listed, name=name)
    return listed


def _visible(text: str) -> str:
    """Make spaces visible in the report."""
    names = {" ": "␠", "\u3000": _("[full-width space]"), "\t": "␉"}
    return "".join(names.get(ch, ch) for ch in text) if text else _("(removed)")


def _short(caption: str, limit: int = 24) -> str:
    """A caption cut to `limit` characters, enough to know it again."""
    return caption if len(caption) <= limit else caption[:limit - 1] + "…"


def _shown_file(path: Path) -> str:
    from ..errors import display_path

    return display_path(path)
