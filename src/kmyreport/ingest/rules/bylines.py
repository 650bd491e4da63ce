"""Bylines: roles, organisations and names (`克拉玛依融媒通讯员 张纪东 许涛`), on a line of their own,
in a lede's dateline (`本报讯（记者 王某）…`) or in a paragraph's closing brackets."""

from __future__ import annotations

import re

from ...articles import Author
from ...cjk import IDEOGRAPH_CLASS
from ...i18n import _
from ...normalize import MIDDLE_DOT, NAME_DOTS
from ..model import SPACES
from .frame import strip_frame

DOTS = "·" + NAME_DOTS  # U+00B7 and its look-alikes U+30FB, U+2022, U+2027
NAME = rf"(?:[{IDEOGRAPH_CLASS}]{{1,10}}(?:[{DOTS}][{IDEOGRAPH_CLASS}]{{1,10}})+|[{IDEOGRAPH_CLASS}]{{2,6}})"
NAME_RE = re.compile(rf"^{NAME}$")

BYLINE_ROLES = sorted(
    [
        "特约通讯员", "全媒体记者", "融媒体记者", "首席记者", "特约记者", "见习记者",
        "摄影记者", "融媒记者", "实习记者", "通讯员", "实习生", "记者", "摄影", "撰稿", "作者",
    ],
    key=len,
    reverse=True,
)
SHORT_ROLES = {"文", "图", "文图", "图文", "文/图", "摄"}  # only as a whole token
BYLINE_ROLE_RE = re.compile("|".join(BYLINE_ROLES))
ORG_RE = re.compile(rf"^[{IDEOGRAPH_CLASS}A-Za-z]{{1,15}}$")


def _split_role(token: str) -> tuple[str | None, str, str] | None:
    """`克拉玛依融媒通讯员` → (克拉玛依融媒, 通讯员, ''); `本报记者张三` → (本报, 记者, 张三)."""
    if token in SHORT_ROLES:
        return None, token, ""
    match = BYLINE_ROLE_RE.search(token)
    if not match:
        return None
    org, role, rest = token[: match.start()], match.group(), token[match.end() :]
    for media in ("融媒体", "融媒"):
        if org and role.startswith(media) and role != media:
            org, role = org + media, role[len(media) :]
    if org and not ORG_RE.match(org):
        return None
    return org or None, role, rest


def parse_byline(text: str) -> list[Author] | None:
    """Authors from a byline line, or None when the line is not a byline."""
    body = strip_frame(text)
    tokens = re.findall(rf"文[/／]图|[^{SPACES}、，,/／:：|｜丨]+", body)
    groups: list[tuple[str | None, str, list[str]]] = []
    for token in tokens:
        split = _split_role(token.replace("／", "/"))
        if split:
            org, role, rest = split
            if groups and not groups[-1][2]:
                groups.pop()  # `文/图 克拉玛依融媒记者 陈晓东`: the role that follows says it
            groups.append((org, role, []))
            token = rest
            if not token:
                continue
        if not groups or not NAME_RE.match(token):
            return None
        groups[-1][2].append(normal_name(token))
    if not groups or any(not names for _, _, names in groups):
        return None
    return [Author.model_construct(name=name, role=role, org=org) for org, role, names in groups for name in names]


def normal_name(name: str) -> str:
    """Names keep their middle dot, written as U+00B7."""
    return re.sub(f"[{NAME_DOTS}]", MIDDLE_DOT, name)


def names_in(text: str) -> list[str]:
    """All names in `text` when it is nothing but names, else []."""
    names = [n for n in re.split(rf"[{SPACES}、，,]+", text) if n]
    if names and all(NAME_RE.match(n) and not BYLINE_ROLE_RE.search(n) for n in names):
        return [normal_name(n) for n in names]
    return []


DATELINE_RE = re.compile(
    rf"^(?P<agency>[^（(，,。：:{SPACES}]{{2,24}}?(?:讯|电))[{SPACES}]*[（(](?P<byline>[^（）()]{{2,60}})[）)]"
)
TRAILING_BYLINE_RE = re.compile(r"(?<=.)[（(](?P<byline>[^（）()]{2,60})[）)]$")


# News agencies whose datelines (`新华社乌鲁木齐7月15日电（记者 …）`) name their reporters' employer.
WIRE_AGENCIES = ("新华社", "中新社", "中新网", "人民网", "新华网", "央视网", "天山网", "人民日报", "光明日报",
                 "经济日报", "工人日报", "中国青年报", "法治日报", "新疆日报")


def parse_dateline(text: str) -> list[Author] | None:
    """`本报讯（记者 王某）7月20日，…`, `新华社乌鲁木齐7月15日电（记者 X Y）…` → the authors in the
    brackets after the dateline; a wire agency's reporters get the agency as their organisation."""
    match = DATELINE_RE.match(text)
    authors = parse_byline(match.group("byline")) if match else None
    if not authors:
        return authors
    agency = next((a for a in WIRE_AGENCIES if match.group("agency").startswith(a)), None)
    if agency:
        authors = [Author.model_construct(name=a.name, role=a.role, org=a.org or agency) for a in authors]
    return authors


def parse_trailing_byline(text: str) -> list[Author] | None:
    """`…发展。（记者 张三 通讯员 李四）` → the authors in the closing brackets of a paragraph."""
    match = TRAILING_BYLINE_RE.search(text)
    return parse_byline(match.group("byline")) if match else None


def describe_author(author: Author) -> str:
    """`张纪东（通讯员，克拉玛依融媒）`, as the import report lists an author (in the chosen language)."""
    extra = _(", ").join(x for x in (author.role, author.org) if x)
    return _("{name} ({details})").format(name=author.name, details=extra)
