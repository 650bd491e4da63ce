"""Shared fixtures: throw-away workspaces with the real layouts and fonts, and the compiled sample.

Compiling reads nothing outside its workspace, so each test workspace holds its
own `layouts/` (copied) and `fonts/` (hard links to one session copy, so the
82 MB of fonts are copied once per test run).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

# The tests read the English messages; kmyreport picks its language when first imported, so this
# comes first (tests/test_i18n.py runs the command under each locale with this taken out).
os.environ["KMYREPORT_LANG"] = "en"

from hypothesis import settings as hypothesis_settings  # noqa: E402

from kmyreport.build import BuildResult, compile_issue  # noqa: E402
from kmyreport.files import link_or_copy

# Property tests draw the same examples on every run (a clean clone's run passes or fails as CI's
# does); HYPOTHESIS_PROFILE=explore draws new ones each run, to look for new failing cases.
hypothesis_settings.register_profile("repeatable", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", derandomize=False)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seeds" / "000_aeef03941e53131b.txt"
# The seed is real copy kept beside the repo (CI has it); a fresh clone has nothing beside it.
requires_seed = pytest.mark.skipif(not SEED.is_file(), reason=f"the seed copy is not here ({SEED}): "
                                   "it lives in ../shared beside the repo, which CI has and a fresh clone has not")
SAMPLE_ID = "2024-07"


MM = 72 / 25.4


def squash(text: str) -> str:
    """Text without any whitespace: Chinese lines wrap anywhere, so compare without it."""
    return re.sub(r"\s+", "", text)


def body_text(pdf: Path) -> str:
    """The text inside the bulletin's type area on every page: running heads and folios left out."""
    import pdfplumber
    chunks = []
    with pdfplumber.open(pdf) as doc:
        for page in doc.pages:
            left, top, right, bottom = page.trimbox  # a page with bleed: the trim lies inside the page
            area = page.crop((left, top + 26 * MM, right, bottom - 24 * MM))
            chunks.append(area.extract_text() or "")
    return squash("".join(chunks))


@pytest.fixture(scope="session")
def font_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("fonts-store") / "fonts"
    shutil.copytree(REPO / "fonts", store)
    return store


@dataclass
class CliRun:
    """What a command-line run returned, printed on stdout and printed on stderr."""

    returncode: int
    stdout: str
    stderr: str


@dataclass
class Scratch:
    root: Path

    def issue_dir(self, issue_id: str = "t") -> Path:
        return self.root / "sources" / issue_id

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    def manifest(self, issue_id: str = "t") -> Path:
        return self.issue_dir(issue_id) / "issue.yaml"

    def output(self, issue_id: str = "t") -> Path:
        return self.root / "out" / issue_id / f"{issue_id}.pdf"

    def cli(self, *args: str) -> CliRun:
        """Run the command line in this process, in this workspace (fonts stay loaded between runs)."""
        from typer.testing import CliRunner

        from kmyreport.cli import app

        before = Path.cwd()
        os.chdir(self.root)
        try:
            result = CliRunner().invoke(app, list(args), env={"SOURCE_DATE_EPOCH": None})
        finally:
            os.chdir(before)
        return CliRun(result.exit_code, result.stdout, result.stderr)

    def cli_process(self, *args: str) -> subprocess.CompletedProcess:
        """Run the real command in a new process, in this workspace (for a few smoke tests)."""
        env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
        return subprocess.run([sys.executable, "-m", "kmyreport", *args], cwd=self.root, env=env,
                              capture_output=True, text=True, timeout=300)


def make_workspace(root: Path, font_store: Path) -> Scratch:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "layouts", root / "layouts")
    shutil.copytree(font_store, root / "fonts", copy_function=link_or_copy)
    return Scratch(root)


@pytest.fixture
def workspace(tmp_path: Path, font_store: Path) -> Scratch:
    return make_workspace(tmp_path / "ws", font_store)


def snippet_chars(workspace: Scratch, tmp_path: Path, faces: dict[str, str], style: str, body: str) -> list[dict]:
    """Render a small page through kmyreport's render layer (the typography extension on) and read back the
    characters of its first page (pdfplumber). `faces`: font-weight → a font file under fonts/, loaded as
    family T."""
    import pdfplumber

    from kmyreport.render import RenderJob, render_pdf
    from kmyreport.workspace import Workspace

    rules = "".join(f'@font-face {{ font-family: T; font-weight: {weight}; src: url("fonts/{name}") }}'
                    for weight, name in faces.items())
    html = f'<html lang="zh-CN"><style>{rules}{style}</style>{body}</html>'
    pdf = render_pdf(RenderJob(html=html, base_url="file:///kmyreport-workspace/", workspace=Workspace(workspace.root),
                               source_name="test")).pdf
    path = tmp_path / "snippet.pdf"
    path.write_bytes(pdf)
    with pdfplumber.open(path) as doc:
        return doc.pages[0].chars


def chars_by_line(chars: list[dict]) -> list[list[dict]]:
    """Characters grouped into lines (by their rounded top), each line left to right, lines top to bottom."""
    rows: dict[int, list[dict]] = {}
    for char in chars:
        rows.setdefault(round(char["top"]), []).append(char)
    return [sorted(rows[top], key=lambda c: c["x0"]) for top in sorted(rows)]


MANIFEST = """\
publication:
  name: 克拉玛依融媒
issue:
  number: 3
  date: 2024-03-01
sections:
  - title: 要闻
    articles:
      - articles/a.md
"""

ARTICLE = """\
---
title: 测试标题
authors:
  - {name: 张纪东, role: 通讯员, org: 克拉玛依融媒}
editors: {责任编辑: 陈丽}
---

第一段正文，克拉玛依区以铸牢中华民族共同体意识为主线。

![克拉玛依市友谊大桥。](photos/p.jpg "克拉玛依融媒通讯员 田治民 摄")

## 牢牢把握主线

第二段正文。
"""


def jpeg_bytes(width: int = 2400, height: int = 1600, color: tuple = (40, 90, 160)) -> bytes:
    import io

    from PIL import Image
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


@pytest.fixture
def small_issue(workspace: Scratch) -> Scratch:
    """A one-article issue with one photo, ready to compile."""
    workspace.write("sources/t/issue.yaml", MANIFEST)
    workspace.write("sources/t/articles/a.md", ARTICLE)
    workspace.write("sources/t/photos/p.jpg", jpeg_bytes())
    return workspace


@dataclass
class CompiledSample:
    workspace: Scratch
    result: BuildResult

    @property
    def pdf(self) -> Path:
        return self.result.output

    @property
    def issue_dir(self) -> Path:
        return self.workspace.issue_dir(SAMPLE_ID)


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory, font_store: Path) -> CompiledSample:
    """The bundled sample issue, copied into a fresh workspace and compiled once."""
    ws = make_workspace(tmp_path_factory.mktemp("sample") / "ws", font_store)
    shutil.copytree(REPO / "sources" / SAMPLE_ID, ws.issue_dir(SAMPLE_ID))
    result = compile_issue(ws.manifest(SAMPLE_ID))
    return CompiledSample(ws, result)


@pytest.fixture(scope="session")
def sample_screen(sample: CompiledSample) -> tuple[subprocess.CompletedProcess, Path]:
    """The sample's screen edition, built once by the real command in a new process (the CLI's smoke
    test reads its output; the print tests compare the PDF with the print edition)."""
    run = sample.workspace.cli_process("compile", f"sources/{SAMPLE_ID}/issue.yaml", "--edition", "screen",
                                       "--timings")
    return run, sample.workspace.root / "out" / SAMPLE_ID / f"{SAMPLE_ID}-screen.pdf"
