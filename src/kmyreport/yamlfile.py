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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pydantic
import yaml

from .errors import KmyError

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
            raise _LimitExceeded(f"values nested more than {MAX_DEPTH} levels deep; these files need a "
                                 "handful of levels: check the brackets and the indentation", event.start_mark)
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
            raise _LimitExceeded(f"the alias *{event.anchor} stands inside the value it names, an endless "
                                 "loop; write the value out", event.start_mark)
        if self._aliases > MAX_ALIASES:
            raise _LimitExceeded(f"more than {MAX_ALIASES} aliases (*name) in one file; write the values "
                                 "out", event.start_mark)
        values, depth = self._expanded(target)
        if self._depth + depth > MAX_DEPTH:
            raise _LimitExceeded(f"the alias *{event.anchor} nests values more than {MAX_DEPTH} levels "
                                 "deep; write the values out", event.start_mark)
        self._count(values, event.start_mark, alias=event.anchor)

    def _count(self, values: int, mark: yaml.Mark, alias: str | None = None) -> None:
        self._values += values
        if self._values > MAX_VALUES:
            how = f"the alias *{alias} expands" if alias else "expands"
            raise _LimitExceeded(f"{how} the document to more than {MAX_VALUES:,} values (an alias "
                                 "bomb?); these files need a few hundred: write the values out instead of "
                                 "repeating them through aliases", mark)

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
    """The index and character of the first control character (other than tab and newlines)."""
    for index, char in enumerate(text):
        if (ord(char) < 0x20 and char not in "\t\n\r") or 0x7F <= ord(char) <= 0x9F:
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
    return KmyError(f"control character U+{ord(char):04X} in the text (it prints as nothing or as a box, "
                    "and often comes with a paste from another program); delete it", file, line, column)


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


def load_yaml(text: str, file: Path, *, first_line: int = 1) -> tuple[Any, Positions]:
    """Parse one YAML document; `first_line` is the file line where `text` starts."""
    offset = first_line - 1
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_YAML_BYTES:
        raise KmyError(f"the YAML here is {size / 1_000_000:.1f} MB, more than the {MAX_YAML_BYTES // 1024} KB "
                       "allowed (these files are a few KB); remove what was pasted in by mistake, or split "
                       "the issue", file, first_line)
    control = control_character_error(text, file, first_line)
    if control is not None:
        raise control
    too_deep = _too_deep_brackets(text)
    if too_deep is not None:  # before PyYAML, whose scanner is quadratic in bracket nesting
        raise KmyError(f"values nested more than {MAX_DEPTH} levels deep; these files need a handful of "
                       "levels: check the brackets and the indentation", file, too_deep[0] + offset, too_deep[1])
    try:
        node = yaml.compose(text, Loader=_BoundedLoader)
    except _LimitExceeded as exc:
        line = exc.mark.line + 1 + offset if exc.mark else first_line
        column = exc.mark.column + 1 if exc.mark else None
        raise KmyError(exc.message, file, line, column) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH stops nesting long before
        raise KmyError("values nested too deep; check the brackets and the indentation", file,
                       first_line) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 + offset if mark else None
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise KmyError(f"YAML syntax error: {problem}; check the indentation, colons and quotes on this line",
                       file, line, column) from None
    except yaml.YAMLError as exc:  # pragma: no cover - non-marked YAML errors are rare
        raise KmyError(f"YAML error: {exc}", file) from None
    positions = Positions()
    if node is None:
        return None, positions
    constructor = yaml.SafeLoader("")
    data = _build(node, (), positions, constructor, file, offset)
    return data, positions


def _build(node: yaml.Node, loc: Loc, positions: Positions, constructor: yaml.SafeLoader,
           file: Path, offset: int) -> Any:
    positions.values[loc] = (node.start_mark.line + 1 + offset, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise KmyError("a merge key ('<<') is not supported here; write the keys out", file,
                               key_node.start_mark.line + 1 + offset, key_node.start_mark.column + 1)
            try:
                key = constructor.construct_object(key_node, deep=True)
            except (ValueError, yaml.constructor.ConstructorError) as exc:
                raise KmyError(f"cannot read the key {key_node.value!r} ({exc}); a key is a plain word", file,
                               key_node.start_mark.line + 1 + offset, key_node.start_mark.column + 1) from None
            if isinstance(key, (dict, list)):
                raise KmyError("a mapping key must be a plain word", file,
                               key_node.start_mark.line + 1 + offset, key_node.start_mark.column + 1)
            key = str(key)
            if key in result:
                raise KmyError(f"{format_loc(loc + (key,))}: key given twice; keep one of them",
                               file, key_node.start_mark.line + 1 + offset, key_node.start_mark.column + 1)
            positions.keys[loc + (key,)] = (key_node.start_mark.line + 1 + offset,
                                            key_node.start_mark.column + 1)
            result[key] = _build(value_node, loc + (key,), positions, constructor, file, offset)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, loc + (index,), positions, constructor, file, offset)
                for index, item in enumerate(node.value)]
    try:
        return constructor.construct_object(node, deep=True)
    except (ValueError, yaml.constructor.ConstructorError) as exc:
        raise KmyError(f"{format_loc(loc)}: cannot read the value {node.value!r} ({exc}); dates are "
                       "written YYYY-MM-DD", file, node.start_mark.line + 1 + offset,
                       node.start_mark.column + 1) from None


class StrictModel(pydantic.BaseModel):
    """The base of every model users write in YAML: unknown keys are errors, text is trimmed."""

    model_config = pydantic.ConfigDict(extra="forbid", str_strip_whitespace=True)


M = TypeVar("M", bound=pydantic.BaseModel)


def load_model(text: str, file: Path, model: type[M], what: str, expected: str, *,
               first_line: int = 1) -> tuple[M, Positions]:
    """Parse YAML and validate it into `model`; every problem becomes a located `KmyError`.

    `what` names the document in messages ("the manifest"); `expected` says what it should
    hold when it is not a mapping ("publication, issue and sections").
    """
    data, positions = load_yaml(text, file, first_line=first_line)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise KmyError(f"{what} must be a mapping of keys ({expected})", file, first_line, 1)
    try:
        return model.model_validate(data), positions
    except pydantic.ValidationError as exc:
        raise validation_error(exc, model, data, positions, file, what) from None


def format_loc(loc: Loc) -> str:
    """`("sections", 0, "articles", 2)` → `sections[0].articles[2]`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "(top level)"


def validation_error(exc: pydantic.ValidationError, model: type[pydantic.BaseModel], data: Any,
                     positions: Positions, file: Path, what: str) -> KmyError:
    """Turn the first pydantic error into a `KmyError` at the right line and column."""
    errors = exc.errors(include_url=False)
    # A misspelt key shows up as an unknown key *and* a missing one: report the typo.
    error = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
    loc = _clean_loc(error["loc"], model, keep_last=error["type"] == "extra_forbidden")
    kind = error["type"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        allowed = _allowed_keys(model, loc[:-1])
        hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
        advice = f"did you mean '{hint[0]}'?" if hint else f"allowed keys here: {', '.join(allowed)}"
        line, column = positions.of(loc, key=True)
        return KmyError(f"{format_loc(loc)}: unknown key '{key}' in {what}; {advice}", file, line, column)
    if kind == "missing":
        parent = loc[:-1]
        line, column = positions.of(parent)
        where = f"{format_loc(parent)}: " if parent else ""
        return KmyError(f"{where}required key '{loc[-1]}' is missing in {what}; add it", file, line, column)
    line, column = positions.of(loc)
    message = error["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, "):]
    got = error.get("input")
    got_text = f" (got {got!r})" if kind not in ("missing",) and not isinstance(got, (dict, list)) else ""
    return KmyError(f"{format_loc(loc)}: {message}{got_text}", file, line, column)


_MARKER = re.compile(r"^[a-z][a-z0-9-]*\[.*\]$")  # function-after[...], list[...]: not a key of the user's


def _clean_loc(loc: tuple, model: type[pydantic.BaseModel], *, keep_last: bool = False) -> Loc:
    """Drop pydantic's union-branch markers (e.g. 'str', 'function-after[...]') from a location.

    A part that is a key of the user's (a field of the model there, or the unknown key itself
    when `keep_last`) stays, even when it is called 'date'.
    """
    cleaned: list[str | int] = []
    for index, part in enumerate(loc):
        marker = isinstance(part, str) and (_MARKER.match(part) or part in ("str", "int", "list", "dict", "date"))
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
