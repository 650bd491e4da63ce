"""The bundled sample issue compiles to a bulletin a printer would take, read back from the PDF."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
import yaml
from fontTools.ttLib import TTFont

from kmyreport.build import compile_issue

from .conftest import MM, REPO, SAMPLE_ID, CompiledSample, body_text, make_workspace, squash


def source_parts(article: Path) -> tuple[dict, list[str], list[tuple[str, str, str]], list[str]]:
    """Front matter, paragraphs, photos (target, caption, credit) and heads, read from the raw source."""
    text = article.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    paragraphs, photos, heads = [], [], []
    for block in re.split(r"\n\s*\n", body.strip()):
        block = block.strip()
        if match := re.fullmatch(r'!\[(.*)\]\((\S+) "(.*)"\)', block):
            photos.append((match[2], match[1], match[3]))
        elif block.startswith("#"):
            heads.append(block.lstrip("#").strip())
        else:
            assert not re.search(r"[*_`\[\]<>\\]", block), f"sample copy should be plain text: {block[:30]}"
            paragraphs.append(block.replace("\n", ""))
    return yaml.safe_load(front), paragraphs, photos, heads


def articles_in_order() -> list[Path]:
    manifest = yaml.safe_load((REPO / "sources" / SAMPLE_ID / "issue.yaml").read_text(encoding="utf-8"))
    return [REPO / "sources" / SAMPLE_ID / rel for s in manifest["sections"] for rel in s["articles"]]


def page_texts(pdf: Path) -> list[str]:
    with pdfplumber.open(pdf) as doc:
        return [squash(page.extract_text() or "") for page in doc.pages]


def test_every_paragraph_caption_and_head_is_in_the_pdf(sample: CompiledSample) -> None:
    text = body_text(sample.pdf)
    position = 0
    for article in articles_in_order():
        front, paragraphs, photos, heads = source_parts(article)
        assert paragraphs, article
        for paragraph in paragraphs:
            found = text.find(squash(paragraph), position)
            assert found >= 0, f"{article.name}: paragraph missing or out of order: {paragraph[:40]}"
            position = found
        for _, caption, credit in photos:
            assert squash(caption) + squash(credit) in text, f"{article.name}: caption/credit {caption[:20]}"
        for head in heads:
            assert squash(head) in text
        for role, name in front.get("editors", {}).items():
            assert f"{role}：{name}" in text


def test_fonts_are_embedded_subsets_of_the_workspace_fonts(sample: CompiledSample) -> None:
    listing = subprocess.run(["pdffonts", str(sample.pdf)], capture_output=True, text=True, check=True).stdout
    rows = [line.split() for line in listing.splitlines()[2:] if line.strip()]
    assert len(rows) >= 3
    for row in rows:
        name, emb, sub, uni = row[0], row[-5], row[-4], row[-3]
        assert re.fullmatch(r"[A-Z]{6}\+KMY-(Serif|Sans)(-Bold)?", name), name
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
    # The embedded programs are the fonts in fonts/, not system look-alikes.
    workspace_names = {TTFont(path, lazy=True)["CFF "].cff.fontNames[0]
                       for path in (REPO / "fonts").glob("*.otf")}
    with pikepdf.open(sample.pdf) as pdf:
        embedded = set()
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                stream = obj.get("/FontFile3") or obj.get("/FontFile2")
                assert stream is not None
                assert stream.get("/Subtype") == "/OpenType"
                embedded.add(TTFont(io.BytesIO(stream.read_bytes()))["CFF "].cff.fontNames[0])
    assert embedded and embedded <= workspace_names, (embedded, workspace_names)


def test_photos_are_placed_at_the_target_resolution_without_interpolation(sample: CompiledSample) -> None:
    photos = sum(len(source_parts(a)[2]) for a in articles_in_order())
    with pdfplumber.open(sample.pdf) as doc:
        placed = [(img, page) for page in doc.pages for img in page.images]
        assert len(placed) == photos
        for image, _page in placed:
            width_px, _height_px = image["srcsize"]
            ppi = width_px / ((image["x1"] - image["x0"]) / 72)
            assert abs(ppi - 300) <= 30, ppi
    with pikepdf.open(sample.pdf) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image":
                assert obj.get("/Interpolate") in (None, False)


def test_rotated_photo_is_upright(sample: CompiledSample) -> None:
    # river-bridge.jpg is stored sideways with EXIF orientation 6; placed, it must be landscape.
    from PIL import Image, ImageOps
    stored = Image.open(sample.issue_dir / "photos" / "river-bridge.jpg")
    assert stored.height > stored.width and stored.getexif().get(0x0112) == 6
    upright = [ImageOps.exif_transpose(Image.open(sample.issue_dir / target)).size
               for article in articles_in_order() for target, _, _ in source_parts(article)[2]]
    with pikepdf.open(sample.pdf) as pdf:
        placed = [(int(o.Width), int(o.Height)) for o in pdf.objects
                  if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
    assert sorted(w > h for w, h in placed) == sorted(w > h for w, h in upright)
    assert sum(w > h for w, h in placed) == sum(w > h for w, h in upright) > 0


def test_contents_page_numbers_are_the_start_pages(sample: CompiledSample) -> None:
    pages = page_texts(sample.pdf)
    contents_index = next(i for i, text in enumerate(pages) if text.startswith("目录") or "目录" in text[:20])
    with pdfplumber.open(sample.pdf) as doc:
        lines = (doc.pages[contents_index].extract_text() or "").splitlines()
    entries = {}
    for line in lines:
        if match := re.fullmatch(r"(.+?)\s*[.·…]{3,}\s*(\d+)", line.strip()):
            entries[squash(match[1])] = int(match[2])
    titles = [squash(source_parts(a)[0]["title"]) for a in articles_in_order()]
    assert set(entries) == set(titles), entries
    for title in titles:
        start = next(i for i in range(contents_index + 1, len(pages)) if title in pages[i]) + 1
        assert entries[title] == start, title
        assert f"—{start}—" in pages[start - 1], "the folio on the start page prints the same number"


def test_cover_running_heads_and_folios(sample: CompiledSample) -> None:
    pages = page_texts(sample.pdf)
    cover = pages[0]
    assert "克拉玛依融媒" in cover and "第7期" in cover and "2024年7月20日" in cover
    assert "—1—" not in cover and "·第7期" not in cover, "no folio or running head on the cover"
    for number, text in enumerate(pages[1:], start=2):
        assert "克拉玛依融媒·第7期" in text, number
        assert f"—{number}—" in text, number


def test_running_heads_and_folios_sit_in_the_margins(sample: CompiledSample) -> None:
    """Page furniture by position: the running head in the top margin (26 mm), the folio in the
    bottom margin (24 mm), each once, centred on the type area, which sits 22 mm from the spine
    and 20 mm from the outer edge (layout.yaml): centre 106 mm on a right (odd) page, 104 mm on a
    left one. The numbers are worked out by hand from the layout, not read from the code."""
    with pdfplumber.open(sample.pdf) as doc:
        assert len(doc.pages) >= 8
        for number, page in enumerate(doc.pages, start=1):
            left, top, right, bottom = page.trimbox
            assert round((right - left) / MM) == 210 and round((bottom - top) / MM) == 297
            words = page.extract_words(keep_blank_chars=True, x_tolerance=6)
            heads = [w for w in words if squash(w["text"]) == "克拉玛依融媒·第7期"]
            folios = [w for w in words if re.fullmatch(r"—\d+—", squash(w["text"]))]
            if number == 1:
                assert not heads and not folios, "the cover has neither"
                continue
            assert len(heads) == 1 and len(folios) == 1, (number, heads, folios)
            head, folio = heads[0], folios[0]
            assert squash(folio["text"]) == f"—{number}—"
            assert 10 * MM < head["bottom"] - top < 26 * MM, (number, "running head in the top margin")
            assert bottom - 24 * MM < folio["top"] and folio["bottom"] < bottom - 10 * MM, (number, "folio")
            centre = (106 if number % 2 else 104) * MM + left
            for word in (head, folio):
                assert abs((word["x0"] + word["x1"]) / 2 - centre) < 0.5 * MM, (number, word["text"])


# The article heads as an editor expects them printed, written out by hand from the sources' front
# matter: (kicker, title, subtitle, byline). A byline built from authors keeps their order,
# grouping the names of one organisation and role.
ARTICLE_HEADS = [
    ("油城科技创新一线见闻", "把二氧化碳“注”回地层", "——克拉玛依CCUS示范工程预计全年注碳首次突破50万吨",
     "克拉玛依融媒记者马晓宇通讯员古丽米拉·托合提"),
    ("15分钟便民生活圈建设走笔", "家门口的“幸福驿站”", None, "克拉玛依融媒记者赵文静通讯员努尔比亚·阿不力孜彭博"),
    ("2024年克拉玛依市青少年河畔定向越野赛举行", "青春奔跑在克拉玛依河畔", None, "克拉玛依融媒记者孙浩然通讯员韩雪"),
    ("生态文明建设在行动", "戈壁滩上“种”出绿色屏障", "——城市周边防护林今年新增造林1.5万亩",
     "克拉玛依融媒通讯员刘晓东热依拉·吐尔逊记者陈思远"),
    (None, "非遗夜市点亮油城夏夜", None, "克拉玛依融媒记者周雨桐通讯员哈斯也提·吾斯曼"),
]


def test_kicker_title_subtitle_and_byline_in_order_and_size(sample: CompiledSample) -> None:
    """On each article's first page: kicker (12 pt) above the title (21 pt), then the subtitle (13 pt)
    after ——, then the byline (10 pt), then the first paragraph (10.5 pt), each a line of its own."""
    sizes = {"kicker": 12.0, "title": 21.0, "subtitle": 13.0, "byline": 10.0}
    with pdfplumber.open(sample.pdf) as doc:
        lines = [[(squash(line["text"]), line["top"], round(line["chars"][0]["size"], 1))
                  for line in page.extract_text_lines()] for page in doc.pages]
    for article, (kicker, title, subtitle, byline) in zip(articles_in_order(), ARTICLE_HEADS):
        first_paragraph = squash(source_parts(article)[1][0])
        page = next(page for page in lines if any(text == title for text, _, _ in page))
        texts = [text for text, _, _ in page]
        expected = [(kind, text) for kind, text in (("kicker", kicker), ("title", title), ("subtitle", subtitle),
                                                   ("byline", byline)) if text]
        at = texts.index(title) - (1 if kicker else 0)
        printed = page[at:at + len(expected)]
        assert [text for text, _, _ in printed] == [text for _, text in expected], article.name
        assert [size for _, _, size in printed] == [sizes[kind] for kind, _ in expected], article.name
        after = page[at + len(expected)]
        assert first_paragraph.startswith(after[0]) and after[2] == 10.5, (article.name, after)
        assert [top for _, top, _ in printed] == sorted(top for _, top, _ in printed)


def test_photos_carry_their_caption_just_below(sample: CompiledSample) -> None:
    """Each photo's caption and credit are printed under that photo, on its page, within its width."""
    captions = [(squash(caption), squash(credit)) for article in articles_in_order()
                for _, caption, credit in source_parts(article)[2]]
    found = []
    with pdfplumber.open(sample.pdf) as doc:
        for page in doc.pages:
            for image in page.images:
                below = page.crop((image["x0"] - 1, image["bottom"], image["x1"] + 1,
                                   min(image["bottom"] + 16 * MM, page.height)))
                found.append(squash(below.extract_text() or ""))
    assert len(found) == len(captions)
    for (caption, credit), text in zip(captions, found):
        assert text.startswith(caption) and credit in text, (caption, text)


def test_section_heads_are_bookmarks_under_their_article(sample: CompiledSample) -> None:
    heads = {source_parts(a)[0]["title"]: source_parts(a)[3] for a in articles_in_order()}
    assert heads["把二氧化碳“注”回地层"] == ["从“排出去”到“埋下去”", "老油田焕发新活力"]  # as in the source
    pages = page_texts(sample.pdf)
    with pikepdf.open(sample.pdf) as pdf, pdf.open_outline() as outline:
        for item in outline.root:
            assert [child.title for child in item.children] == heads[item.title]
            for child in item.children:
                index = pikepdf.Page(child.destination[0]).index
                assert squash(child.title) in pages[index], child.title


def test_editors_close_their_own_article(sample: CompiledSample) -> None:
    """责任编辑 and 本期编辑 follow an article's last paragraph, before the next article begins."""
    text = body_text(sample.pdf)
    articles = articles_in_order()
    for article, following in zip(articles, articles[1:] + [None]):
        front, paragraphs, _, _ = source_parts(article)
        end = text.find(squash(paragraphs[-1])) + len(squash(paragraphs[-1]))
        stop = text.find(squash(source_parts(following)[1][0])) if following else len(text)
        for role, name in front["editors"].items():
            assert end <= text.find(f"{role}：{name}", end) < stop, (article.name, role)


def test_bookmarks_metadata_and_language(sample: CompiledSample) -> None:
    titles = [source_parts(a)[0]["title"] for a in articles_in_order()]
    pages = page_texts(sample.pdf)
    with pikepdf.open(sample.pdf) as pdf:
        with pdf.open_outline() as outline:
            top = list(outline.root)
            assert [item.title for item in top] == titles
            for item in top:
                page_number = pikepdf.Page(item.destination[0]).index + 1 if isinstance(
                    item.destination, pikepdf.Array) else None
                if page_number:
                    assert squash(item.title) in pages[page_number - 1]
        info = pdf.docinfo
        assert str(info["/Title"]) == "克拉玛依融媒 第7期 盛夏油城专刊"
        assert "马晓宇" in str(info["/Author"])
        assert str(info["/CreationDate"]).startswith("D:20240720")
        assert str(pdf.Root.Lang) == "zh-CN"


def test_same_inputs_same_bytes_wherever_the_workspace_is(sample: CompiledSample, tmp_path: Path,
                                                         font_store: Path) -> None:
    # A second build, in another folder with an empty photo cache: the same bytes as the first.
    elsewhere = make_workspace(tmp_path / "another" / "place", font_store)
    shutil.copytree(sample.issue_dir, elsewhere.issue_dir(SAMPLE_ID))
    moved = compile_issue(elsewhere.manifest(SAMPLE_ID))
    assert moved.output.read_bytes() == sample.pdf.read_bytes()


def test_cli_compiles_the_sample_and_reports(sample: CompiledSample, sample_screen) -> None:
    run, screen = sample_screen
    assert run.returncode == 0, run.stderr
    summary = re.search(r"wrote (\S+): (\d+) pages, ([\d.]+) MB, 5 articles, 8 photos, ([\d.]+) s, 0 warnings",
                        run.stdout)
    assert summary, run.stdout
    with pikepdf.open(screen) as pdf:
        assert summary[1].endswith(f"{SAMPLE_ID}-screen.pdf") and int(summary[2]) == len(pdf.pages)
    assert abs(float(summary[3]) - screen.stat().st_size / 1e6) < 0.06
    # --timings: every stage with its seconds, in order; together they make the build's time
    stages = re.search(r"sources ([\d.]+) s · photos ([\d.]+) s · html ([\d.]+) s · layout\+pdf ([\d.]+) s · "
                       r"store ([\d.]+) s", run.stdout)
    assert stages, run.stdout
    total = float(summary[4])
    assert abs(sum(float(t) for t in stages.groups()) - total) <= 0.1 + 0.1 * total, run.stdout
    assert float(stages[4]) > 0.2, "layout and PDF are most of a build"
    assert screen.stat().st_size < sample.pdf.stat().st_size
    # the screen edition's photos are placed at 150 ppi (every sample photo is large enough for it)
    with pdfplumber.open(screen) as doc:
        placed = [image for page in doc.pages for image in page.images]
    assert len(placed) == 8
    for image in placed:
        width_px, height_px = image["srcsize"]
        assert abs(width_px / ((image["x1"] - image["x0"]) / 72) - 150) < 2, image["srcsize"]
        assert abs(height_px / ((image["bottom"] - image["top"]) / 72) - 150) < 2, image["srcsize"]


@pytest.mark.parametrize("article", articles_in_order(), ids=lambda p: p.stem)
def test_sample_articles_follow_the_conventions(article: Path) -> None:
    front, paragraphs, photos, _ = source_parts(article)
    assert front["title"] and front["editors"]
    assert front.get("authors") or front.get("byline")
    for target, caption, credit in photos:
        assert (REPO / "sources" / SAMPLE_ID / target).is_file()
        assert caption and credit.endswith("摄")
