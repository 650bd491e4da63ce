"""Import raw correspondent copy into an article source (Markdown + YAML front matter).

The pipeline, one module per step (`model` holds the data handed from step to step,
`report` the report and the result):

1. `decode.decode_bytes` — BOMs first, then strict UTF-8, BOM-less UTF-16, strict
   GB18030 (GBK files from Windows), charset-normalizer as a last resort.
2. `clean.clean_lines` — one paragraph per raw line: newlines unified, indents,
   NBSP, zero-width and control characters cleaned, emoji removed (each one
   listed), symbol-only junk lines at the start and end dropped. Everything
   removed is noted.
3. `recognise.recognise` — the head (kicker, title, `——` subtitle, bylines), then each
   body line as editor or source line (`编辑 | 陈丽`, `来源：新疆日报`,
   `转自《…》…`), editor's note (`【编者按】…`, `编后：…`: a note block), photo caption
   with credit (`…摄`, `（图片由…提供）`, `资料图`, `新华社发（X 摄）`, credit first),
   byline, section head (`■`/`◆`/`**…**` taken off, `【聚焦】…` kept) or
   paragraph (with the origin note `（本文原载于…《…》）` and bylines in the lede
   `本报讯（记者 王某）…` or in closing brackets parsed out of it, the text kept).
   The end matter — the run of bylines, editor and source lines, `（完）`,
   `—END—`, `点击阅读原文` and a WeChat `往期推荐` list after the last paragraph — is found first:
   end marks and footers are dropped (and reported) only there. Separator
   lines (`=======`) are dropped anywhere; our own source note
   (`来源：克拉玛依融媒`) is dropped, other sources become `origin`.
   Text meant for print (paragraphs, heads, captions, title lines) goes
   through `normalize.normalize_text` here; bylines, credits and editor names
   stay as written. The state machine is in `recognise`, the rules for each
   kind of line in `rules/`.
4. `photos.assign_photos` — photo blocks get the files of the photo folder in
   name order, else `MISSING-n.jpg` placeholders (`copy_photos` copies them
   into the issue).
5. `markdown.render_article` — the front matter (the compiler's `FrontMatter` model,
   dumped with `yaml.safe_dump`), body blocks as CommonMark with the characters
   escaped that would otherwise be markup.

`import_raw` runs all of it and returns an `ImportResult` whose `report`
says what each line was taken for and lists every change.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import KmyError, display_path
from ..files import write_bytes_atomic
from ..i18n import _
from .clean import clean_lines
from .decode import decode_bytes
from .markdown import build_front_matter, render_article
from .photos import assign_photos, copy_photos, issue_folder_of, photo_prefix
from .recognise import recognise
from .report import ImportReport, ImportResult, LineRecord, PhotoRecord

__all__ = [
    "ImportReport",
    "ImportResult",
    "LineRecord",
    "PhotoRecord",
    "copy_photos",
    "import_raw",
    "photo_prefix",
    "save_article",
    "write_article",
]


def import_raw(
    path: Path,
    *,
    photos_dir: Path | None = None,
    title: str | None = None,
    photo_prefix: str = "photos/",
) -> ImportResult:
    """Read raw copy at `path` and build the article source; nothing is written."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise KmyError(_("cannot read the raw copy: {problem}").format(problem=exc.strerror or exc), file=path) from exc
    text, codec, label = decode_bytes(data, path)
    report = ImportReport(source=display_path(path), encoding=label)
    lines = clean_lines(text, report)
    found = recognise(lines, report)
    assign_photos(found, Path(photos_dir) if photos_dir is not None else None, photo_prefix, report)
    if title is not None:
        title = title.strip()
        if found.title and found.title != title:
            report.warnings.append(_("the copy's title “{found}” is replaced by “{title}” given with --title").format(
                found=found.title, title=title))
    elif not found.title:
        report.warnings.append(_("the copy has no line recognisable as its title: title is empty; give it with "
                                 "--title or fill it in in the front matter"))
    if not found.authors:
        report.warnings.append(_("no byline recognised: authors is empty"))
    front_matter = build_front_matter(found, title)
    return ImportResult(
        article_source=render_article(front_matter, found.blocks),
        report=report,
        front_matter=front_matter,
        encoding=codec,
        blocks=found.blocks,
    )


def write_article(result: ImportResult, out_path: Path) -> None:
    """Write the article source atomically (temporary file + rename), UTF-8 with LF."""
    write_bytes_atomic(Path(out_path), result.article_source.encode("utf-8"))


def save_article(result: ImportResult, out_path: Path, *, replace: bool = False) -> list[Path]:
    """Put an import in place: the matched photos into the article's issue, then the source.

    An existing article is not replaced unless `replace` (an editor may have worked on it); a
    clashing photo stops everything before anything is written. Returns the photos copied.
    """
    out_path = Path(out_path)
    if out_path.exists() and not replace:
        raise KmyError(_("already exists; an editor may have worked on it: choose another name, or pass "
                         "--force to replace it"), out_path)
    copied = copy_photos(result, issue_folder_of(out_path))
    write_article(result, out_path)
    return copied
