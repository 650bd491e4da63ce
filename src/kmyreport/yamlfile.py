"""YAML with positions: load a document and remember where every value came from.

Both the issue manifest and article front matter are YAML. Users need errors
that point at the exact line and column, so loading keeps a map from each
value's path (``("sections", 0, "articles", 2)``) to its position in the file,
and pydantic validation errors are translated into `KmyError`s through it.

Loading is bounded before anything is built: a document larger than `MAX_YAML_BYTES`,
nested deeper than `MAX_DEPTH`, with more than `MAX_ALIASES` aliases, or whose aliases
expand it beyond `MAX_VALUES` values (a "billion laughs" alias bomb) is refused at the
line where it goes over, while it is being composed. The documents users write here
(a manifest, front matter, `layout.yaml`) need a few hundred values at most.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml

from .errors import KmyError, Problems
from .i18n import N_, _, ngettext

Loc = tuple[str | int, ...]


@dataclass
class Positions:
    """Where each value (and each mapping key) of a loaded YAML document sits (1-based)."""

    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def of(self, loc: Loc, *, key: bool = False) -> tuple[int | None, int | None]:
        """The position of `loc`, or of its nearest ancestor that has one."""
        table = self.keys if key else self.values
        probe = tuple(loc)
        while probe:
            if probe in table:
                return table[probe]
            if probe in self.values:
                return self.values[probe]
            probe = probe[:-1]
        return self.values.get((), (None, None))


MAX_YAML_BYTES = 512 * 1024  # a manifest is a few KB; front matter and layout.yaml less
MAX_DEPTH = 32               # mappings and lists inside each other (a manifest needs 4)
MAX_ALIASES = 100            # `*name` references in one document
MAX_VALUES = 20_000          # values in the document once every alias is expanded


class _LimitExceeded(Exception):
    def __init__(self, message: str, mark: yaml.Mark | None) -> None:
        super().__init__(message)
        self.message, self.mark = message, mark


class _BoundedLoader(yaml.SafeLoader):
    """A SafeLoader whose composer counts depth, aliases and expanded values as it goes."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = 0
        self._values = 0
        self._open_anchors: set[str] = set()
        self._sizes: dict[int, tuple[int, int]] = {}  # id(node) → (values, depth) once expanded

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            target = self.anchors.get(event.anchor)
            if target is not None:
                self._alias(event, target)
            return super().compose_node(parent, index)
        collection = isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent))
        self._count(1, event.start_mark)
        if not collection:
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _LimitExceeded(_too_deep(), event.start_mark)
        if event.anchor:
            self._open_anchors.add(event.anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1
            self._open_anchors.discard(event.anchor)

    def _alias(self, event: yaml.AliasEvent, target: yaml.Node) -> None:
        self._aliases += 1
        if event.anchor in self._open_anchors:
            raise _LimitExceeded(_("the alias *{alias} stands inside the value it names, an endless loop; "
                                   "write the value out").format(alias=event.anchor), event.start_mark)
        if self._aliases > MAX_ALIASES:
            raise _LimitExceeded(_("more than {count} aliases (*name) in one file; write the values out").format(
                count=MAX_ALIASES), event.start_mark)
        values, depth = self._expanded(target)
        if self._depth + depth > MAX_DEPTH:
            raise _LimitExceeded(_("the alias *{alias} nests values more than {depth} levels deep; write the "
                                   "values out").format(alias=event.anchor, depth=MAX_DEPTH), event.start_mark)
        self._count(values, event.start_mark, alias=event.anchor)

    def _count(self, values: int, mark: yaml.Mark, alias: str | None = None) -> None:
        self._values += values
        if self._values > MAX_VALUES:
            message = (_("the alias *{alias} expands the document to more than {count} values (an alias bomb?); "
                         "these files need a few hundred: write the values out instead of repeating them "
                         "through aliases") if alias else
                       _("expands the document to more than {count} values (an alias bomb?); these files need a "
                         "few hundred: write the values out instead of repeating them through aliases"))
            raise _LimitExceeded(message.format(alias=alias, count=f"{MAX_VALUES:,}"), mark)

    def _expanded(self, node: yaml.Node) -> tuple[int, int]:
        """How many values `node` stands for once its aliases are expanded, and how deep it goes."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.ScalarNode):
            result = (1, 0)
        else:
            children = ([n for pair in node.value for n in pair] if isinstance(node, yaml.MappingNode)
                        else list(node.value))
            sizes = [self._expanded(child) for child in children]
            result = (1 + sum(s for s, _ in sizes), 1 + max((d for _, d in sizes), default=0))
        self._sizes[id(node)] = result
        return result


def _control_character(text: str) -> tuple[int, str] | None:
    """The index and character of the first control character (other than tab and newlines), or of
    the first character that is not text at all (half a surrogate pair, U+FFFE, U+FFFF), which
    PyYAML refuses with no line number."""
    for index, char in enumerate(text):
        code = ord(char)
        if (code < 0x20 and char not in "\t\n\r") or 0x7F <= code <= 0x9F or 0xD800 <= code <= 0xDFFF \
                or code in (0xFFFE, 0xFFFF):
            return index, char
    return None


def control_character_error(text: str, file: Path, first_line: int = 1) -> KmyError | None:
    """A located error for the first control character in `text` (NUL, ESC, …), else None."""
    found = _control_character(text)
    if found is None:
        return None
    index, char = found
    line = text.count("\n", 0, index) + first_line
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    if ord(char) >= 0xD800:
        return KmyError(_("U+{code} in the text is not a character (a broken conversion leaves it; it prints as "
                          "nothing or as a box); delete it").format(code=f"{ord(char):04X}"), file, line, column)
    return KmyError(_("control character U+{code} in the text (it prints as nothing or as a box, and often comes "
                      "with a paste from another program); delete it").format(code=f"{ord(char):04X}"),
                    file, line, column)


def _too_deep() -> str:
    return _("values nested more than {depth} levels deep; these files need a handful of levels: check the "
             "brackets and the indentation").format(depth=MAX_DEPTH)


def _too_deep_brackets(text: str) -> tuple[int, int] | None:
    """(line, column) where `[`/`{` brackets open more than `MAX_DEPTH` deep, else None.

    A rough count, outside quotes and comments; brackets inside plain text rarely go deep.
    """
    depth, quote = 0, ""
    for number, line in enumerate(text.split("\n"), start=1):
        quote = "" if quote == "'" else quote  # a single-quoted scalar may span lines, rarely does
        for column, char in enumerate(line, start=1):
            if quote:
                if char == quote:
                    quote = ""
            elif char in "'\"":
                quote = char
            elif char == "#" and (column == 1 or line[column - 2] in " \t"):
                break
            elif char in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return number, column
            elif char in "]}":
                depth = max(0, depth - 1)
    return None


# ---------------------------------------------------------------------------
# Slips of a Chinese typist: found in the text before it is parsed, each at its own place
# ---------------------------------------------------------------------------

_KEY_START = r"[^\s:：#'\"\[\]{},&*!|>%@`\-?]"
_KEY = _KEY_START + r"[^\s:：#'\"\[\]{},]*"
_LINE_HEAD = re.compile(r"^(?P<indent>[ \t\u3000]*)(?P<dashes>(?:-[ \t\u3000]+)*)")
_FULL_COLON_KEY = re.compile(rf"(?P<key>{_KEY})[ \t]*：")
_KEY_THEN_WIDE_SPACE = re.compile(rf"(?P<key>{_KEY})[ \t]*:(?P<space>\u3000+)")
_BLOCK_HEADER = re.compile(r"(?:^|[:\-][ \t]+)[|>][-+0-9]*[ \t]*(?:#.*)?$")
_PLAIN_VALUE = re.compile(rf"^[ \t]*(?:-[ \t]+)*{_KEY}[ \t]*:[ \t]+[^\s|>\[{{\"'&*!#]")


@dataclass
class Slip:
    """A typing slip in YAML text: where it is (1-based, in the text), what to say, how to mend it."""

    line: int
    column: int
    message: str
    length: int            # characters replaced, from `column`
    replacement: str
    guess: bool = False    # the mend guesses what was meant (an indentation)


def _ascii_key(key: str) -> bool:
    return re.fullmatch(r"[a-z_][a-z0-9_-]*", key) is not None


def _full_colon(key: str, line: int, column: int, after: str) -> Slip:
    rest = after.strip()
    if len(rest) > 16:
        rest = rest[:15] + "…"
    example = f"{key}: {rest}" if rest else f"{key}:"
    length = 2 if after[:1] == "\u3000" else 1
    return Slip(line, column, _("YAML syntax error: the key '{key}' ends with a full-width colon '：'; replace it "
                                "with ':' followed by a space (type '{example}')").format(key=key, example=example),
                length, ": " if after[:1] != " " else ":")


def find_slips(text: str) -> list[Slip]:
    """Full-width colons ending a key, tabs, full-width spaces (U+3000) in the indentation, in text order.

    Block scalar content (`|`, `>`), the continuation lines of a plain value, quoted text and
    comments are left alone; so is a full-width colon inside a value (`title: 专访：油田人`) or in
    a list item that is text (`- 专访：油田人`).
    """
    slips: list[Slip] = []
    block_parent: int | None = None      # indentation of the line that opened a block scalar
    plain_parent: int | None = None      # indentation of a `key: value` line whose value may continue
    quote = ""                           # a quoted value left open at the end of the previous line
    for number, line in enumerate(text.split("\n"), start=1):
        head = _LINE_HEAD.match(line)
        assert head is not None
        indent = head.group("indent")
        width = len(indent.replace("\t", "  "))
        blank = not line.strip() or line.strip().startswith("#")
        if block_parent is not None:
            if blank or width > block_parent:
                continue
            block_parent = None
        if quote:
            quote = _scan_rest(line, 0, number, slips, quote, tabs=False)
            continue
        for run in re.finditer(r"\t+|\u3000+", indent):
            count = len(run.group())
            if run.group()[0] == "\t":
                message = ngettext("YAML syntax error: a tab in the indentation; YAML indents with spaces only: "
                                   "replace each tab with spaces (two for each level)",
                                   "YAML syntax error: {count} tabs in the indentation; YAML indents with spaces "
                                   "only: replace each tab with spaces (two for each level)", count)
                slips.append(Slip(number, run.start() + 1, message.format(count=count), count, "  " * count,
                                  guess=True))
            else:
                message = ngettext("YAML syntax error: a full-width space '　' (U+3000) in the indentation; replace "
                                   "each with an ordinary space (switch the input method to half-width)",
                                   "YAML syntax error: {count} full-width spaces '　' (U+3000) in the indentation; "
                                   "replace each with an ordinary space (switch the input method to half-width)",
                                   count)
                slips.append(Slip(number, run.start() + 1, message.format(count=count), count, " " * count,
                                  guess=True))
        if blank:
            continue
        continuing = plain_parent is not None and width > plain_parent
        if not continuing:
            plain_parent = None
        dashes = head.group("dashes")
        start = head.end()
        for index in range(len(indent), start):
            if line[index] == "\t":
                slips.append(Slip(number, index + 1, _("YAML syntax error: a tab after '-'; YAML allows only "
                                                       "spaces here: replace the tab with a space"), 1, " "))
            elif line[index] == "\u3000":
                slips.append(Slip(number, index + 1, _("YAML syntax error: a full-width space '　' (U+3000) after "
                                                       "'-'; replace it with an ordinary space"), 1, " "))
        if not continuing:
            colon = _FULL_COLON_KEY.match(line, start)
            wide = _KEY_THEN_WIDE_SPACE.match(line, start)
            if colon and (not dashes or _ascii_key(colon.group("key"))):
                at = colon.end() - 1
                slips.append(_full_colon(colon.group("key"), number, at + 1, line[at + 1:]))
            elif wide:
                at = wide.start("space")
                slips.append(Slip(number, at + 1, _("YAML syntax error: a full-width space '　' (U+3000) after "
                                                    "'{key}:'; replace it with an ordinary space").format(
                                                        key=wide.group("key")), 1, " "))
        quote = _scan_rest(line, start, number, slips, "", tabs=True)
        if _BLOCK_HEADER.search(line.split(" #")[0].strip()) and not quote:  # a header may stand alone
            block_parent = width
        elif not continuing and _PLAIN_VALUE.match(line):
            plain_parent = width + len(dashes)
    return slips


def _scan_rest(line: str, start: int, number: int, slips: list[Slip], quote: str, *, tabs: bool) -> str:
    """Tabs outside quotes and comments, and full-width colons after keys inside `{…}`, from `start`;
    returns the quote still open at the end of the line."""
    depth = 0
    index = start
    while index < len(line):
        char = line[index]
        if quote:
            if char == quote:
                if quote == "'" and line[index + 1:index + 2] == "'":
                    index += 1
                else:
                    quote = ""
            elif char == "\\" and quote == '"':
                index += 1
        elif char in "'\"" and (index == start or line[index - 1] in " \t[{,:-"):
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            break
        elif char == "\t" and tabs:
            before = line[:index].rstrip(" \t")
            message = (_("YAML syntax error: a tab after '{before}'; YAML does not allow tabs here: replace it "
                         "with a space") if before else
                       _("YAML syntax error: a tab; YAML does not allow tabs here: replace it with a space"))
            slips.append(Slip(number, index + 1, message.format(before=before[-12:].lstrip()), 1, " "))
        elif char == "{":
            depth += 1
        elif char == "}":
            depth = max(0, depth - 1)
        if depth and char in "{," and not quote:
            position = index + 1
            while position < len(line) and line[position] == " ":
                position += 1
            colon = _FULL_COLON_KEY.match(line, position)
            if colon:
                at = colon.end() - 1
                slips.append(_full_colon(colon.group("key"), number, at + 1,
                                         line[at + 1:].split(",")[0].rstrip().rstrip("}")))
        index += 1
    return quote


def mend(text: str, slips: list[Slip]) -> tuple[str, dict[int, list[tuple[int, int, int]]]]:
    """The text with every slip mended, and per line the (column, length, growth) of each mend."""
    lines = text.split("\n")
    growth: dict[int, list[tuple[int, int]]] = {}
    for slip in sorted(slips, key=lambda s: (s.line, -s.column)):
        row = lines[slip.line - 1]
        lines[slip.line - 1] = row[:slip.column - 1] + slip.replacement + row[slip.column - 1 + slip.length:]
        if len(slip.replacement) != slip.length:
            growth.setdefault(slip.line, []).append((slip.column, slip.length,
                                                     len(slip.replacement) - slip.length))
    for changes in growth.values():
        changes.sort()
    return "\n".join(lines), growth


def _original_column(column: int, changes: list[tuple[int, int, int]]) -> int:
    """A column of the mended line as a column of the line as written."""
    grown = 0
    for at, length, delta in changes:
        if column >= at + grown + length + delta:
            grown += delta
        elif column > at + grown:
            return at
        else:
            break
    return column - grown


def load_yaml(text: str, file: Path, *, first_line: int = 1) -> tuple[Any, Positions]:
    """Parse one YAML document; `first_line` is the file line where `text` starts.

    Every slip and error found is raised at once (`KmyErrors` when there are several)."""
    data, positions, errors = read_yaml(text, file, first_line=first_line)
    if errors:
        problems = Problems()
        for error in errors:
            problems.add(error)
        problems.check()
    return data, positions


def read_yaml(text: str, file: Path, *, first_line: int = 1) -> tuple[Any, Positions, list[KmyError]]:
    """Parse one YAML document and return what it holds with every error found, in text order.

    Typing slips (`find_slips`) are each reported at their place, then mended, and the mended
    text is parsed, so that the errors after them are found in the same run. When a mend had to
    guess (an indentation) and the mended text still does not parse, only the slips are reported.
    The data is None when the text cannot be parsed.
    """
    offset = first_line - 1
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_YAML_BYTES:
        raise KmyError(_("the YAML here is {size} MB, more than the {limit} KB allowed (these files are a few "
                         "KB); remove what was pasted in by mistake, or split the issue").format(
                             size=f"{size / 1_000_000:.1f}", limit=MAX_YAML_BYTES // 1024), file, first_line)
    control = control_character_error(text, file, first_line)
    if control is not None:
        raise control
    too_deep = _too_deep_brackets(text)
    if too_deep is not None:  # before PyYAML, whose scanner is quadratic in bracket nesting
        raise KmyError(_too_deep(), file, too_deep[0] + offset, too_deep[1])
    slips = find_slips(text)
    errors = [KmyError(slip.message, file, slip.line + offset, slip.column) for slip in slips]
    mended, growth = mend(text, slips) if slips else (text, {})

    def at(mark: yaml.Mark) -> tuple[int, int]:
        return mark.line + 1 + offset, _original_column(mark.column + 1, growth.get(mark.line + 1, []))

    positions = Positions()
    try:
        node = yaml.compose(mended, Loader=_BoundedLoader)
    except _LimitExceeded as exc:
        line, column = at(exc.mark) if exc.mark else (first_line, None)
        return None, positions, errors + [KmyError(exc.message, file, line, column)]
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops nesting long before
        return None, positions, errors + [KmyError(_("values nested too deep; check the brackets and the "
                                                     "indentation"), file, first_line)]
    except yaml.MarkedYAMLError as exc:
        if not any(slip.guess for slip in slips):
            errors.append(_syntax_error(exc, mended, file, at))
        return None, positions, errors
    except yaml.YAMLError as exc:  # pragma: no cover - non-marked YAML errors are rare
        return None, positions, errors + [KmyError(_("YAML error: {error}").format(error=exc), file)]
    if node is None:
        return None, positions, errors
    constructor = yaml.SafeLoader("")
    data = _build(node, (), positions, constructor, file, at, errors)
    return data, positions, errors


_OPENED = {"while parsing a flow sequence": ("[", "]"), "while parsing a flow mapping": ("{", "}")}


def _syntax_error(exc: yaml.MarkedYAMLError, text: str, file: Path,
                  at: Callable[[yaml.Mark], tuple[int, int]]) -> KmyError:
    """A PyYAML syntax error in plain words, at the line of the fault.

    PyYAML notices an unclosed bracket or quote only where the text goes on without it, often
    lines later: the error then points at the bracket or quote that was opened (and says where
    the parser stopped)."""
    problem = exc.problem or exc.context or "invalid YAML"
    stop = exc.problem_mark or exc.context_mark
    stop_line, stop_column = at(stop) if stop else (None, None)
    opened = exc.context_mark
    if opened is not None and exc.context in _OPENED:
        line, column = at(opened)
        left, right = _OPENED[exc.context]
        return KmyError(_("YAML syntax error: the '{left}' opened here is never closed (the parser stopped at line "
                          "{line}, column {column}: {problem}); add the '{right}' where it should end, and check "
                          "the commas between the items").format(left=left, right=right, line=stop_line,
                                                                 column=stop_column, problem=problem),
                        file, line, column)
    if opened is not None and exc.context == "while scanning a quoted scalar":
        line, column = at(opened)
        quote = text[opened.index] if opened.index < len(text) else '"'
        return KmyError(_("YAML syntax error: the quote {quote} opened here is never closed (the parser stopped at "
                          "line {line}, column {column}); add the closing {quote} at the end of the value").format(
                              quote=quote, line=stop_line, column=stop_column), file, line, column)
    if opened is not None and exc.context == "while scanning a simple key":
        line, column = at(opened)
        return KmyError(_("YAML syntax error: this line has no ':' after its key; write 'key: value' (an ASCII "
                          "colon, then a space)"), file, line, column)
    if problem == "mapping values are not allowed here" and stop is not None:
        row = text.split("\n")[stop.line]
        if ": " in row[:stop.column].lstrip(" -"):
            key = row.lstrip(" -").split(":")[0]
            return KmyError(_("YAML syntax error: a second ': ' on this line; if it is part of the value, put the "
                              "value in quotes: {key}: \"…\"").format(key=key), file, stop_line, stop_column)
        return KmyError(_("YAML syntax error: a key where none may be; check the indentation of this line against "
                          "the line above (a key with a value on its own line cannot have keys under it)"),
                        file, stop_line, stop_column)
    return KmyError(_("YAML syntax error: {problem}; check the indentation, colons and quotes on this "
                      "line").format(problem=problem), file, stop_line, stop_column)


def _build(node: yaml.Node, loc: Loc, positions: Positions, constructor: yaml.SafeLoader,
           file: Path, at: Callable[[yaml.Mark], tuple[int, int]], errors: list[KmyError]) -> Any:
    """The value of `node`; what cannot be read is added to `errors` and left out (a key) or kept
    as written (a value), so that the rest of the document is still checked."""
    positions.values[loc] = at(node.start_mark)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            where = at(key_node.start_mark)
            if key_node.tag == "tag:yaml.org,2002:merge":
                errors.append(KmyError(_("a merge key ('<<') is not supported here; write the keys out"), file,
                                       *where))
                continue
            try:
                key = constructor.construct_object(key_node, deep=True)
            except (ValueError, yaml.constructor.ConstructorError) as exc:
                errors.append(KmyError(_("cannot read the key {key} ({error}); a key is a plain word").format(
                    key=repr(key_node.value), error=exc), file, *where))
                continue
            if isinstance(key, (dict, list)):
                errors.append(KmyError(_("a mapping key must be a plain word"), file, *where))
                continue
            key = str(key)
            if key in result:
                errors.append(KmyError(located(loc + (key,), _("key given twice; keep one of them")), file,
                                       *where))
                continue
            positions.keys[loc + (key,)] = where
            result[key] = _build(value_node, loc + (key,), positions, constructor, file, at, errors)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, loc + (index,), positions, constructor, file, at, errors)
                for index, item in enumerate(node.value)]
    try:
        return constructor.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError) as exc:
        errors.append(KmyError(located(loc, _("cannot read the value {value} ({error}); dates are written "
                                              "YYYY-MM-DD").format(value=repr(node.value), error=exc)),
                               file, *at(node.start_mark)))
        return node.value


class StrictModel(pydantic.BaseModel):
    """The base of every model users write in YAML: unknown keys are errors, text is trimmed."""

    model_config = pydantic.ConfigDict(extra="forbid", str_strip_whitespace=True)


M = TypeVar("M", bound=pydantic.BaseModel)


def load_model(text: str, file: Path, model: type[M], what: str, expected: str, *,
               first_line: int = 1) -> tuple[M, Positions]:
    """Parse YAML and validate it into `model`; every problem becomes a located `KmyError`.

    `what` names the document in messages ("the manifest"); `expected` says what it should
    hold when it is not a mapping ("publication, issue and sections"). All the problems found
    are raised at once (`KmyErrors` when there are several).
    """
    result, _, positions, errors = read_model(text, file, model, what, expected, first_line=first_line)
    if errors or result is None:
        problems = Problems()
        for error in errors:
            problems.add(error)
        problems.check()
    assert result is not None
    return result, positions


def read_model(text: str, file: Path, model: type[M], what: str, expected: str, *,
               first_line: int = 1) -> tuple[M | None, Any, Positions, list[KmyError]]:
    """`load_model` that returns every error instead of raising: (model or None, data, positions, errors).

    The model is None when the data does not validate (it may be there while `errors` holds slips
    that were mended); the data is what the YAML holds (None when it does not parse), for a caller
    that wants to look further (the articles a broken manifest lists)."""
    data, positions, errors = read_yaml(text, file, first_line=first_line)
    if data is None and errors:
        return None, None, positions, errors
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return None, data, positions, errors + [
            KmyError(_("{what} must be a mapping of keys ({expected})").format(what=what, expected=expected),
                     file, first_line, 1)]
    try:
        validated = model.model_validate(data)
    except pydantic.ValidationError as exc:
        taken = {(error.line, error.column) for error in errors}  # a value already reported as unreadable
        return None, data, positions, errors + [error for error in validation_errors(exc, model, positions, file, what)
                                                if (error.line, error.column) not in taken]
    return validated, data, positions, errors


def format_loc(loc: Loc) -> str:
    """`("sections", 0, "articles", 2)` → `sections[0].articles[2]`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or _("(top level)")


def located(loc: Loc | str, message: str) -> str:
    """`message` about the value at `loc` (a location or its text): `sections[0].title: message`."""
    where = loc if isinstance(loc, str) else format_loc(loc)
    return _("{where}: {message}").format(where=where, message=message)


def validation_error(exc: pydantic.ValidationError, model: type[pydantic.BaseModel], data: Any,
                     positions: Positions, file: Path, what: str) -> KmyError:
    """The first of `validation_errors` (a misspelt key before the rest)."""
    return validation_errors(exc, model, positions, file, what)[0]


def validation_errors(exc: pydantic.ValidationError | list[Any], model: type[pydantic.BaseModel],
                      positions: Positions, file: Path, what: str) -> list[KmyError]:
    """Every pydantic error (of `exc`, or the list of its `errors()` given) as a `KmyError` in plain
    words, at its line and column, misspelt keys first.

    A misspelt key shows up as an unknown key *and* a missing one: only the typo is reported.
    A value that fails several branches of a union (`str | false`) is reported once."""
    errors = list(exc) if isinstance(exc, list) else exc.errors(include_url=False)
    errors.sort(key=lambda e: e["type"] != "extra_forbidden")
    found: list[KmyError] = []
    seen: set[Loc] = set()
    meant: set[Loc] = set()
    missing: set[Loc] = set()
    for error in errors:
        kind = error["type"]
        loc = _clean_loc(error["loc"], model, keep_last=kind == "extra_forbidden")
        if loc in seen or loc in meant:
            continue
        seen.add(loc)
        if kind == "extra_forbidden":
            key = str(loc[-1])
            allowed = _allowed_keys(model, loc[:-1])
            hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
            advice = (_("did you mean '{key}'?").format(key=hint[0]) if hint else
                      _("allowed keys here: {keys}").format(keys=", ".join(allowed)))
            if hint:
                meant.add(loc[:-1] + (hint[0],))
            line, column = positions.of(loc, key=True)
            found.append(KmyError(located(loc, _("unknown key '{key}' in {what}; {advice}").format(
                key=key, what=what, advice=advice)), file, line, column))
        elif kind == "missing":
            parent = loc[:-1]
            if parent in missing:
                continue
            keys = [str(e["loc"][-1]) for e in errors if e["type"] == "missing"
                    and _clean_loc(e["loc"], model)[:-1] == parent
                    and _clean_loc(e["loc"], model) not in meant]
            missing.add(parent)
            line, column = positions.of(parent)
            if len(keys) > 1:
                names = ", ".join(f"'{key}'" for key in keys)
                message = _("required keys {keys} are missing in {what}; add them").format(keys=names, what=what)
            else:
                message = _("required key '{key}' is missing in {what}; add it").format(key=loc[-1], what=what)
            found.append(KmyError(located(parent, message) if parent else message, file, line, column))
        else:
            found.append(_value_error(error, loc, positions, file))
    return found


#: What a value should be, in an editor's words, by pydantic error type.
EXPECTED = {
    "int_type": N_("a whole number, e.g. 8"), "int_parsing": N_("a whole number, e.g. 8"),
    "int_from_float": N_("a whole number, e.g. 8"),
    "float_type": N_("a number, e.g. 12.5"), "float_parsing": N_("a number, e.g. 12.5"),
    "bool_type": N_("true or false"), "bool_parsing": N_("true or false"),
    "string_type": N_("text"),
    "date_type": N_("a date like 2024-07-20"), "date_parsing": N_("a date like 2024-07-20"),
    "date_from_datetime_parsing": N_("a date like 2024-07-20"), "date_from_datetime_inexact": N_("a date like 2024-07-20"),
    "list_type": N_("a list (one item per line, each after '- ')"),
    "dict_type": N_("keys with values ('key: value', one per line below it)"),
    "model_type": N_("keys with values ('key: value', one per line below it)"),
    "model_attributes_type": N_("keys with values ('key: value', one per line below it)"),
    "literal_error": N_("one of the values allowed here"),
}

#: What to write after a key whose value was left empty.
EMPTY_HINT = {
    "title": N_("the headline"), "name": N_("the name"), "publication": N_("the publication's name"),
    "number": N_("the issue number, e.g. 8"), "date": N_("the date, e.g. 2024-07-20"), "layout": N_("the layout's name"),
    "articles": N_("the articles, one per line after '- '"), "family": N_("the font family's name"),
    "file": N_("the file name"),
}


def _value_error(error: Any, loc: Loc, positions: Positions, file: Path) -> KmyError:
    """One pydantic error about a value (not a key) in plain words."""
    kind, got, context = error["type"], error.get("input"), error.get("ctx") or {}
    where = format_loc(loc)
    key = next((str(part) for part in reversed(loc) if isinstance(part, str)), "")
    empty = got is None or (kind in ("string_too_short", "too_short") and got in ("", [], {}))
    if empty and key and (kind in EXPECTED or kind in ("string_too_short", "too_short")):
        line, column = positions.of(loc, key=True)
        what = _(EMPTY_HINT[key]) if key in EMPTY_HINT else _("its value")
        return KmyError(_("{where} is empty; write {what} after '{key}: '").format(where=where, what=what, key=key),
                        file, line, column)
    line, column = positions.of(loc)
    shown = _shown(got)
    if kind in EXPECTED:
        return KmyError(_("{where} should be {expected}, not {shown}").format(where=where, expected=_(EXPECTED[kind]),
                                                                             shown=shown), file, line, column)
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": _("{value} or more"), "greater_than": _("more than {value}"),
                 "less_than_equal": _("{value} or less"), "less_than": _("less than {value}")}[kind]
        limit = context.get({"greater_than_equal": "ge", "greater_than": "gt", "less_than_equal": "le",
                             "less_than": "lt"}[kind])
        if isinstance(limit, float) and limit.is_integer():
            limit = int(limit)  # "more than 0", not "more than 0.0"
        return KmyError(_("{where} should be {expected}, not {shown}").format(
            where=where, expected=bound.format(value=limit), shown=shown), file, line, column)
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
        if not loc or message.startswith(f"{where} "):  # the message names the key itself
            return KmyError(message, file, line, column)
        return KmyError(located(where, message), file, line, column)
    if not isinstance(got, (dict, list)):
        message = _("{message} (got {value})").format(message=message, value=repr(got))
    return KmyError(located(where, message), file, line, column)


def _shown(value: Any) -> str:
    """A value as an editor wrote it, for a message: 'abc', 8, a list, keys with values."""
    if isinstance(value, dict):
        return _("keys with values")
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f"'{value}'"
    return str(value)


_MARKER = re.compile(r"^[a-z][a-z0-9-]*\[.*\]$")  # function-after[...], list[...]: not a key of the user's


def _clean_loc(loc: tuple, model: type[pydantic.BaseModel], *, keep_last: bool = False) -> Loc:
    """Drop pydantic's union-branch markers (e.g. 'str', 'function-after[...]') from a location.

    A part that is a key of the user's (a field of the model there, or the unknown key itself
    when `keep_last`) stays, even when it is called 'date'.
    """
    cleaned: list[str | int] = []
    for index, part in enumerate(loc):
        marker = isinstance(part, str) and (_MARKER.match(part) or part.startswith("constrained-")
                                            or part in ("str", "int", "float", "bool", "list", "dict", "date"))
        if marker and not (keep_last and index == len(loc) - 1) \
                and part not in _allowed_keys(model, tuple(cleaned)):
            continue
        cleaned.append(part)
    return tuple(cleaned)


def _allowed_keys(model: type[pydantic.BaseModel], loc: Loc) -> list[str]:
    """The field names of the (nested) model found at `loc`."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        field_info = getattr(current, "model_fields", {}).get(part)
        if field_info is None:
            return []
        current = _model_in(field_info.annotation)
    return [f.alias or name for name, f in getattr(current, "model_fields", {}).items()]


def _model_in(annotation: Any) -> Any:
    """The pydantic model inside an annotation such as `list[Section]` or `Origin | None`."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _model_in(arg)
        if found is not None:
            return found
    return None
