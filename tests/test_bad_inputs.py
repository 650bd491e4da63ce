"""The bad-input corpus (tests/bad/*.yaml): every bad input answered, nothing lost.

Each case starts from the same one-article issue in one shared workspace (so the fonts'
character maps are read once), changes some files, runs the command in-process, checks
the answer, and puts the files back. See tests/bad/README.md for the keys of a case.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import random
import re
import shutil
import zlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from .conftest import ARTICLE, MANIFEST, CliRun, Scratch, jpeg_bytes, make_workspace

BAD = Path(__file__).parent / "bad"
CASES = sorted(BAD.glob("*.yaml"))
SENTINEL = b"%PDF-1.7 the last good build\n"


@functools.cache
def noisy_jpeg(width: int = 600, height: int = 400) -> bytes:
    """A photo-like JPEG (noise compresses badly, so a cut lands inside the picture data)."""
    image = Image.effect_noise((width, height), 64).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + kind + data + zlib.crc32(kind + data).to_bytes(4, "big")


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` × `height` pixels, with a few bytes of picture data."""
    header = width.to_bytes(4, "big") + height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header)
            + png_chunk(b"IDAT", zlib.compress(b"\0" * 64)) + png_chunk(b"IEND", b""))


@functools.cache
def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((600, 400), 64).convert("RGB").save(buffer, "PNG")
    return buffer.getvalue()


def alias_bomb(levels: int = 9, width: int = 9, indent: str = "") -> str:
    """`a0: &a0 [x, x, …]`, `a1: &a1 [*a0, *a0, …]`, …: `width ** levels` values once expanded."""
    lines = [f"{indent}a0: &a0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"{indent}a{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def make(spec: dict[str, Any], ws: Scratch) -> bytes:
    kind = spec["kind"]
    rng = random.Random(13)
    if kind == "truncated-jpeg":
        return noisy_jpeg()[: spec.get("bytes", 1500)]
    if kind == "cut-jpeg":  # most of the picture data there, the end missing
        data = noisy_jpeg()
        return data[: len(data) * 2 // 3]
    if kind == "truncated-png":
        data = png_bytes()
        return data[: len(data) // 2]
    if kind == "huge-png":
        return png_header_only(spec.get("width", 60000), spec.get("height", 60000))
    if kind == "zero-size-png":
        return png_header_only(0, 10)
    if kind == "empty":
        return b""
    if kind == "text":
        return "这不是一张照片。\n".encode()
    if kind == "random":
        return bytes(rng.randrange(256) for _ in range(spec.get("bytes", 4096)))
    if kind == "corrupt-font":  # an OpenType signature and table directory, then garbage
        good = (ws.root / "fonts" / "NotoSansSC-Regular.otf").read_bytes()[:64]
        return good + bytes(rng.randrange(256) for _ in range(2048))
    if kind == "cut-font":  # a real font cut short
        return (ws.root / "fonts" / "NotoSansSC-Regular.otf").read_bytes()[:20000]
    if kind == "gbk":
        return spec["text"].encode("gbk")
    if kind == "utf16":
        return spec["text"].encode("utf-16")
    if kind == "with-bytes":  # text with raw bytes spliced in: {text, at, insert (latin-1)}
        text = spec["text"].encode()
        return text.replace(spec["at"].encode(), spec["at"].encode() + spec["insert"].encode("latin-1"), 1)
    if kind == "alias-bomb":
        return (spec.get("before", "") + alias_bomb(indent=spec.get("indent", ""))
                + spec.get("after", "")).encode()
    if kind == "deep":
        depth = spec.get("depth", 200)
        return (spec.get("before", "") + "x: " + "[" * depth + "]" * depth + "\n"
                + spec.get("after", "")).encode()
    if kind == "big":
        filler = "".join(f"  k{i}: {'长' * 60}\n" for i in range(spec.get("keys", 12000)))
        return (spec.get("before", "") + "padding:\n" + filler + spec.get("after", "")).encode()
    raise AssertionError(f"unknown maker {kind}")


@functools.cache
def _command() -> Any:
    import typer

    from kmyreport.cli import app
    return typer.main.get_command(app)


def run_cli(ws: Scratch, *args: str) -> CliRun:
    """`Scratch.cli`, with the click command built once for the whole corpus (not once a case)."""
    from unittest import mock

    import typer.testing
    from typer.testing import CliRunner

    from kmyreport.cli import app

    before = Path.cwd()
    os.chdir(ws.root)
    try:
        reuse = (mock.patch("typer.testing._get_command", lambda _app: _command())
                 if hasattr(typer.testing, "_get_command") else contextlib.nullcontext())
        with reuse:
            result = CliRunner().invoke(app, list(args), env={"SOURCE_DATE_EPOCH": None})
    finally:
        os.chdir(before)
    return CliRun(result.exit_code, result.stdout, result.stderr)


@pytest.fixture(scope="module")
def corpus_ws(tmp_path_factory: pytest.TempPathFactory, font_store: Path) -> Scratch:
    ws = make_workspace(tmp_path_factory.mktemp("bad") / "ws", font_store)
    ws.write("sources/t/issue.yaml", MANIFEST)
    ws.write("sources/t/articles/a.md", ARTICLE)
    ws.write("sources/t/photos/p.jpg", jpeg_bytes(1200, 800))
    return ws


def _put(path: Path, data: bytes) -> None:
    """Replace the file (never write through it: the fonts are hard links to a shared copy)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_symlink() or path.exists():
        path.unlink()
    path.write_bytes(data)


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_bad_input(corpus_ws: Scratch, case_file: Path) -> None:
    import weasyprint  # noqa: F401  (loaded, as in --watch, the preview server or a batch: it changes Pillow)

    case = yaml.safe_load(case_file.read_text(encoding="utf-8"))
    ws = corpus_ws
    touched: dict[Path, bytes | None] = {}

    def remember(rel: str) -> Path:
        path = ws.root / rel
        if path not in touched:
            touched[path] = path.read_bytes() if path.is_file() else None
        return path

    guard = ws.root / case.get("guard", "out/t/t.pdf")
    remember(str(guard.relative_to(ws.root)))
    try:
        for rel, text in (case.get("write") or {}).items():
            _put(remember(rel), text.encode())
        for rel, old, new in case.get("replace") or []:
            path = remember(rel)
            text = path.read_text(encoding="utf-8")
            assert old in text, (case_file.name, old)
            _put(path, text.replace(old, new, 1).encode())
        for rel, spec in (case.get("make") or {}).items():
            _put(remember(rel), make(spec, ws))
        if "guard" not in case:
            _put(guard, SENTINEL)
        before = guard.read_bytes()
        run = run_cli(ws, *case.get("run", ["compile", "sources/t/issue.yaml"]))
        message = run.stderr.strip()
        expected_code = case.get("code", 1)
        assert run.returncode == expected_code, (run.returncode, run.stdout, run.stderr)
        assert "Traceback" not in run.stderr + run.stdout
        assert "internal error" not in message, message
        errors = [line for line in message.splitlines() if line.startswith("error:")]
        assert len(errors) == case.get("errors", 1), message
        assert errors[0].startswith(f"error: {case['where']}"), (errors[0], case["where"])
        for fragment in case.get("says", []):
            assert fragment in errors[0], (fragment, errors[0])
        assert guard.read_bytes() == before, "the last good output must stay untouched"
        leftovers = [p.name for p in guard.parent.iterdir() if p.name.endswith(".tmp")]
        assert not leftovers, leftovers
        if guard.parent.name == "t" and guard.parent.parent.name == "out":
            assert [p.name for p in guard.parent.iterdir()] == [guard.name], "nothing but the last good PDF"
    finally:
        for path, data in touched.items():
            if path.is_symlink() or path.exists():
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            if data is not None:
                path.write_bytes(data)


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 25


# ---------------------------------------------------------------------------
# Faults: a full disk, Ctrl-C, two writers at once
# ---------------------------------------------------------------------------


class _FailingHandle:
    """A file handle that writes part of the data, then fails as a full disk (or a Ctrl-C) would."""

    def __init__(self, handle: Any, fault: BaseException) -> None:
        self._handle, self._fault = handle, fault

    def write(self, data: bytes) -> int:
        self._handle.write(data[: len(data) // 2])
        raise self._fault

    def __enter__(self) -> _FailingHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self._handle.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._handle, name)


def fail_writes(monkeypatch: pytest.MonkeyPatch, suffix: str, fault: BaseException) -> None:
    """Make `files.write_bytes_atomic` fail for targets whose name ends with `suffix`."""
    import kmyreport.files as files

    real = os.fdopen

    def fdopen(fd: int, *args: Any, **kwargs: Any) -> Any:
        handle = real(fd, *args, **kwargs)
        name = Path(os.readlink(f"/proc/self/fd/{fd}")).name  # .<target name>.<random>.tmp
        failing = name.startswith(".") and name.endswith(".tmp") and f"{suffix}." in name
        return _FailingHandle(handle, fault) if failing else handle

    monkeypatch.setattr(files.os, "fdopen", fdopen)


def _untouched(ws: Scratch) -> None:
    assert ws.output().read_bytes() == SENTINEL, "the last good PDF must stay as it was"
    assert [p.name for p in ws.output().parent.iterdir()] == [ws.output().name], "no temporary file left"


def test_disk_full_while_a_photo_is_cached(corpus_ws: Scratch, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    photo = corpus_ws.root / "sources/t/photos/p.jpg"
    original = photo.read_bytes()
    _put(corpus_ws.output(), SENTINEL)
    _put(photo, jpeg_bytes(1200, 800, (200, 30, 30)))  # not in the cache yet
    fail_writes(monkeypatch, ".jpg", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
    try:
        run = run_cli(corpus_ws, "compile", "sources/t/issue.yaml")
    finally:
        _put(photo, original)
    assert run.returncode == 1, run.stderr
    assert re.match(r"error: out/\.cache/photos/\w+\.jpg: cannot write this file: the disk is full", run.stderr)
    assert not list((corpus_ws.root / "out" / ".cache" / "photos").glob(".*.tmp"))
    _untouched(corpus_ws)


def test_ctrl_c_during_a_build(corpus_ws: Scratch, monkeypatch: pytest.MonkeyPatch) -> None:
    import kmyreport.photos

    photo = corpus_ws.root / "sources/t/photos/p.jpg"
    original = photo.read_bytes()
    _put(corpus_ws.output(), SENTINEL)
    _put(photo, jpeg_bytes(1200, 800, (30, 200, 30)))  # not in the cache: it is decoded

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(kmyreport.photos, "_open", interrupted)
    try:
        run = run_cli(corpus_ws, "compile", "sources/t/issue.yaml")
    finally:
        _put(photo, original)
    assert run.returncode == 130
    assert run.stderr.strip() == ("interrupted (Ctrl-C); nothing is left half-written, and the last good "
                                  "output stands")
    _untouched(corpus_ws)


def test_ctrl_c_in_the_middle_of_a_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kmyreport.files import write_bytes_atomic

    target = tmp_path / "x.pdf"
    target.write_bytes(SENTINEL)
    fail_writes(monkeypatch, ".pdf", KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        write_bytes_atomic(target, b"%PDF-1.7 new" * 1000)
    assert target.read_bytes() == SENTINEL and [p.name for p in tmp_path.iterdir()] == ["x.pdf"]


def test_two_writers_of_one_file_at_once(tmp_path: Path) -> None:
    """Two builds of one issue store the same names: each write is whole, the last one wins."""
    from concurrent.futures import ThreadPoolExecutor

    from kmyreport.files import write_bytes_atomic

    target = tmp_path / "out" / "t.pdf"
    contents = [bytes([65 + n]) * 300_000 for n in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda data: write_bytes_atomic(target, data), contents * 3))
    assert target.read_bytes() in contents
    assert [p.name for p in target.parent.iterdir()] == ["t.pdf"]


# ---------------------------------------------------------------------------
# Properties: whatever the manifest, the front matter or the raw copy holds, the loaders
# answer with a result or a KmyError, never anything else
# ---------------------------------------------------------------------------

YAML_PIECES = [
    "publication:", "  name: 克拉玛依融媒", "issue:", "  number: 3", "  date: 2024-03-01", "  date: 2024-02-30",
    "sections:", "  - title: 要闻", "    articles:", "      - articles/a.md", "      - ../../etc/passwd", "layout: x",
    "title: 标题", "authors:", "  - {name: 张三, role: 记者}", "byline: false", "origin: {publication: 报, date: 1}",
    "editors: {责任编辑: 陈丽}", "a: &a [x, y]", "b: [*a, *a]", "c: *nope", "? [k]", ": v", "---", "...", "%YAML 1.1",
    "!!python/object/apply:os.system [ls]", "x: !!binary aGk=", "x: !custom 1", "- a", "  - b", "\tkey: tab",
    "k: 'unclosed", 'k: "\\x"', "k: [", "k: {", "k: 1e999", "k: 0o17", "k: .nan", "k: ~", "k: 2024-07-20T10:00:00",
    "{a: 1}: 2", "[a]: 1", "k: |", "  block", "k: >-", "<<: {a: 1}", "k: \x00", "k: \x1b[31m", "k: 🔥", "k: \ud7ff",
    "title: " + "长" * 200, "k: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
]
yaml_text = st.one_of(
    st.lists(st.sampled_from(YAML_PIECES), max_size=14).map("\n".join),
    st.text(alphabet=":-[]{}&*!|>'\"#%@`,?\n\t 　克拉玛依ab01\x00", max_size=120),
)
PROPERTY = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@PROPERTY
@given(text=yaml_text)
def test_the_manifest_loader_answers_only_with_kmy_errors(tmp_path: Path, text: str) -> None:
    from kmyreport.errors import KmyError
    from kmyreport.manifest import load_manifest

    path = tmp_path / "issue.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        load_manifest(path)
    except KmyError as exc:
        assert exc.message and exc.file is not None


@PROPERTY
@given(text=yaml_text, body=st.text(max_size=60))
def test_the_front_matter_loader_answers_only_with_kmy_errors(tmp_path: Path, text: str, body: str) -> None:
    from kmyreport.articles import load_article
    from kmyreport.errors import KmyError
    from kmyreport.workspace import Workspace

    path = tmp_path / "sources" / "t" / "articles" / "a.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(f"---\n{text}\n---\n\n{body}\n".encode("utf-8", "surrogatepass"))
    try:
        load_article(path, path.parent.parent, Workspace(tmp_path))
    except KmyError as exc:
        assert exc.message and exc.file is not None


RAW_PIECES = ["点击蓝字 关注我们", "🔥重磅！标题", "文/ 刘思源  图/ 马晓东", "文丨古丽米拉·托合提", "【编者按】按语。", "编后",
              "编后：感想。", "新华社乌鲁木齐7月15日电（记者 艾力·买买提 王晨阳）正文。", "新华社发（王晨阳 摄）",
              "图为机房。", "本报记者 马晓宇 摄 2023年4月20日，杏花开了。", "游船（摄于2023年4月22日）", "👇 往期推荐 👇",
              "阅读原文", "编辑 | 陈丽 审核 | 周强", "（完）", "1️⃣", "\x00", "\ufeff", "\u2028", "——副题", "引题：油城"]


@PROPERTY
@given(data=st.one_of(
    st.binary(max_size=200),
    st.lists(st.one_of(st.sampled_from(RAW_PIECES), st.text(max_size=20)), max_size=10).map("\n".join).flatmap(
        lambda text: st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030"]).map(
            lambda codec: text.encode(codec, "replace"))),
))
def test_the_importer_answers_only_with_kmy_errors(tmp_path: Path, data: bytes) -> None:
    from kmyreport.errors import KmyError
    from kmyreport.ingest import import_raw

    path = tmp_path / "raw.txt"
    path.write_bytes(data)
    try:
        import_raw(path)
    except KmyError as exc:
        assert exc.message and exc.file is not None
