"""Reading YAML written by people or scraped from pages: bounded work, and a line for every error.

``yaml.safe_load`` runs no code, but a hostile or broken document still hurts in three ways, and
this module turns each into a :class:`YamlProblem` (a :class:`yaml.MarkedYAMLError`, so callers
report it with a line like any syntax error):

- **Nesting** is composed by recursion: ``[`` nested 5,000 deep raises ``RecursionError``, which
  no caller expects. Documents deeper than :data:`MAX_NESTING` are refused while composing.
- **Impossible values** (``date: 2018-13-45``, an integer of 5,000 digits) raise ``ValueError``
  from the constructor, with no line and no key. They are re-raised naming both.
- **Aliases** share one node many times: a few hundred bytes of nested ``&a [*b, *b, ...]``
  ("billion laughs") become a billion strings as soon as anything walks the value. Front matter
  and sidecars never need anchors, so :func:`load_yaml` refuses them unless asked not to.

The document is composed into nodes before it is constructed, so every top-level key's line
comes from PyYAML's own marks (``node.start_mark``), not from a guess at the text; and a
duplicate key, which PyYAML silently resolves in favour of the last one, can be refused
(the config does; front matter keeps the last one, as YAML readers do, and reports its line).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.error import MarkedYAMLError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

#: Deepest nesting accepted: metadata and settings are two or three levels deep; 64 keeps the
#: composer's recursion (three frames a level) far below Python's limit.
MAX_NESTING = 64
#: Longest value quoted in a message.
_QUOTE_CHARS = 40

__all__ = ["MAX_NESTING", "YamlProblem", "load_yaml", "too_deep"]


class YamlProblem(MarkedYAMLError):
    """A document that parses but cannot be used: the problem, its line, and the key (dotted)
    whose value it is, when there is one."""

    def __init__(self, problem: str, mark: Any, key: str | None = None) -> None:
        super().__init__(None, None, problem, mark)
        self.key = key


class _Loader(yaml.SafeLoader):
    """``SafeLoader`` with bounded nesting, marked value errors and (optionally) no aliases."""

    allow_aliases = False

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.depth = 0
        self.names: dict[int, str] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()
        if not self.allow_aliases:
            if isinstance(event, AliasEvent):
                raise YamlProblem(
                    f"YAML aliases are not allowed (*{event.anchor})", event.start_mark
                )
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                raise YamlProblem(f"YAML anchors are not allowed (&{anchor})", event.start_mark)
        if self.depth >= MAX_NESTING:
            raise YamlProblem(f"nested more than {MAX_NESTING} levels deep", event.start_mark)
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:  # YAMLError is neither: not wrapped twice
            key = self.names.get(id(node))
            raise YamlProblem(_bad_value(node, exc), node.start_mark, key) from None
        except RecursionError:  # cannot happen below MAX_NESTING; named rather than raw if it does
            key = self.names.get(id(node))
            raise YamlProblem("nested too deeply", node.start_mark, key) from None


class _AliasLoader(_Loader):
    allow_aliases = True


def load_yaml(
    text: str, *, allow_aliases: bool = False, unique_keys: bool = False
) -> tuple[Any, dict[str, int]]:
    """The value of a one-document YAML text and the line (1-based, in ``text``) of each
    top-level key; for a repeated key, the line of the one that counts (the last).

    Raises
    ------
    yaml.YAMLError
        A syntax error (with ``problem_mark``), or a :class:`YamlProblem`: an alias or anchor
        (unless ``allow_aliases``), nesting deeper than :data:`MAX_NESTING`, a value that cannot
        be built (an impossible date), or a duplicate key (with ``unique_keys``).
    """
    loader = (_AliasLoader if allow_aliases else _Loader)(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        loader.names = _key_names(node, unique_keys)
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    lines: dict[str, int] = {}
    if isinstance(node, MappingNode):
        for key, _value in node.value:
            if isinstance(key, ScalarNode):
                lines[key.value] = key.start_mark.line + 1
    return data, lines


def _key_names(root: Node, unique_keys: bool) -> dict[int, str]:
    """The dotted key of every value node (by ``id``), for messages; walked once per node (an
    aliased node is not walked again), so it costs what the text costs."""
    names: dict[int, str] = {}
    seen: set[int] = set()
    stack: list[tuple[Node, str]] = [(root, "")]
    while stack:
        node, name = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend((item, name) for item in node.value)
            continue
        if not isinstance(node, MappingNode):
            continue
        first: dict[str, int] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                continue
            dotted = f"{name}.{key.value}" if name else str(key.value)
            line = key.start_mark.line + 1
            if unique_keys and key.value in first:
                raise YamlProblem(
                    f"duplicate key (first on line {first[key.value]})", key.start_mark, dotted
                )
            first.setdefault(key.value, line)
            names[id(value)] = dotted
            stack.append((value, dotted))
    return names


def _bad_value(node: Node, exc: Exception) -> str:
    value = str(node.value) if isinstance(node, ScalarNode) else ""
    quoted = value if len(value) <= _QUOTE_CHARS else value[:_QUOTE_CHARS] + "..."
    if node.tag.endswith(":timestamp"):
        return f"bad date {quoted!r} ({exc})"
    if node.tag.endswith(":int"):
        return f"number too long ({len(value):,} characters)"
    return f"bad value {quoted!r} ({str(exc).split(';')[0]})"


def too_deep(value: Any, limit: int = MAX_NESTING) -> bool:
    """True when lists and mappings in ``value`` nest deeper than ``limit`` (walked without
    recursion, so a hostile value cannot exhaust the stack while being measured)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
