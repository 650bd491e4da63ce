"""What an import found and changed: per-line records, photo records, the report and the result."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..normalize import Change
from .model import Block

KIND_LABELS = {
    "kicker": "引题",
    "title": "标题",
    "subtitle": "副题",
    "byline": "署名",
    "heading": "小标题",
    "photo": "图片说明",
    "paragraph": "正文段落",
    "origin": "正文（含原载说明）",
    "editors": "编辑人员",
    "junk": "杂字行（已删除）",
    "source": "来源说明",
    "end-matter": "文末杂项（已删除）",
    "byline-in-text": "正文（含署名）",
    "note": "编者按／编后",
    "boilerplate": "公众号引导语（已删除）",
}


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
            return PAIRING_MISSING.format(line=self.line, caption=_short(self.caption), path=self.path)
        return PAIRING.format(line=self.line, caption=_short(self.caption), file=_shown_file(self.source),
                              path=self.path)


PAIRING = "line {line} “{caption}”: {file} → {path}"
PAIRING_MISSING = "line {line} “{caption}”: no photo file; the article refers to {path} (a placeholder)"


@dataclass
class ImportReport:
    """Everything an editor needs to check an import: recognition, changes, drops."""

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
        out = [f"导入报告：{self.source}", f"编码：{self.encoding}", "", "识别结果："]
        for record in self.lines:
            label = KIND_LABELS.get(record.kind, record.kind)
            out.append(f"  第{record.line}行  [{label}]  {record.text}")
            if record.detail:
                out.append(f"      → {record.detail}")
        if self.photos:
            out.append("")
            out.extend(self.photo_section())
        out.append("")
        out.append(f"标点规范化（{len(self.changes)} 处）：")
        for change in self.changes:
            out.append(
                f"  第{change.line}行第{change.column}列  “{_visible(change.before)}” → "
                f"“{_visible(change.after)}”  {change.label}  （原文：…{change.excerpt}…）"
            )
        if self.cleaning:
            out.append("")
            out.append("字符清理：")
            out.extend(f"  {note}" for note in self.cleaning)
        if self.emoji:
            out.append("")
            out.append(f"删除的表情符号（{len(self.emoji)} 个）：")
            for line, column, char, replacement in self.emoji:
                instead = f"，改为“{replacement}”" if replacement else ""
                out.append(f"  第{line}行第{column}列  {char}  U+{ord(char[0]):04X}{instead}")
        if self.dropped:
            out.append("")
            out.append("删除的行：")
            for record in self.dropped:
                out.append(f"  第{record.line}行  “{record.text}”  {record.detail}")
        out.append("")
        out.append("警告：" if self.warnings else "警告：无")
        out.extend(f"  - {warning}" for warning in self.warnings)
        return "\n".join(out) + "\n"


    def photo_section(self) -> list[str]:
        """图片与说明: each caption with the photo file that goes with it (matched in file-name order),
        or the placeholder the article refers to when there is none."""
        missing = sum(photo.source is None for photo in self.photos)
        head = f"图片与说明（{len(self.photos)} 条说明，{len(self.photos) - missing} 张图片按文件名顺序配对"
        lines = [head + (f"，{missing} 张缺图）：" if missing else "）：")]
        for number, photo in enumerate(self.photos, start=1):
            if photo.source is None:
                lines.append(f"  {number}. 第{photo.line}行  “{_short(photo.caption)}”  ← 缺图，暂用占位文件名 {photo.path}")
            else:
                lines.append(f"  {number}. 第{photo.line}行  “{_short(photo.caption)}”  ← {_shown_file(photo.source)}"
                             f"（文中：{photo.path}）")
        return lines


@dataclass
class ImportResult:
    article_source: str  # the full .md text (front matter + body)
    report: ImportReport
    front_matter: dict
    encoding: str  # Python codec name the file was decoded with
    blocks: list[Block] = field(default_factory=list)  # the body before Markdown escaping


def _visible(text: str) -> str:
    """Make spaces visible in the report."""
    names = {" ": "␠", "\u3000": "［全角空格］", "\t": "␉"}
    return "".join(names.get(ch, ch) for ch in text) if text else "（删除）"


def _short(caption: str, limit: int = 24) -> str:
    """A caption cut to `limit` characters, enough to know it again."""
    return caption if len(caption) <= limit else caption[:limit - 1] + "…"


def _shown_file(path: Path) -> str:
    from ..errors import display_path

    return display_path(path)
