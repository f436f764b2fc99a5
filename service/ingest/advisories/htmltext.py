"""A forgiving HTML tree for advisory bodies (stdlib only; no scripts, no network).

Advisory HTML is hand-edited and often mis-nested (``<p><div><ul>`` inside a ``<p>``), so the
builder closes to the nearest matching open tag and ignores stray end tags rather than fail.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

_VOID = {"br", "img", "hr", "input", "meta", "link", "source", "wbr", "col", "area"}
_BLOCK = {"p", "li", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "tr", "br"}


@dataclass
class Node:
    """An element with its attributes and children (text children are plain strings)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self, *tags: str) -> Iterator[Node]:
        """Descendants (document order) whose tag is one of ``tags`` (all when none given)."""
        for child in self.children:
            if isinstance(child, Node):
                if not tags or child.tag in tags:
                    yield child
                yield from child.iter(*tags)

    def text(self, *, skip: frozenset[str] = frozenset()) -> str:
        """Visible text, single-spaced, with block elements separated by a space."""
        parts: list[str] = []
        self._collect(parts, skip)
        return " ".join("".join(parts).replace("\u00a0", " ").split())

    def own_text(self) -> str:
        """Text of this element without nested lists (a list item's own words)."""
        return self.text(skip=frozenset({"ul", "ol"}))

    def _collect(self, parts: list[str], skip: frozenset[str]) -> None:
        for child in self.children:
            if isinstance(child, str):
                parts.append(child)
            elif child.tag not in skip:
                if child.tag in _BLOCK:
                    parts.append(" ")
                child._collect(parts, skip)
                if child.tag in _BLOCK:
                    parts.append(" ")


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self._stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self._stack[-1].children.append(node)
        if tag not in _VOID:
            self._stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self._stack) - 1, 0, -1):
            if self._stack[depth].tag == tag:
                del self._stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self._stack[-1].children.append(data)


def parse_html(markup: str) -> Node:
    """The tree of an HTML fragment; never raises on malformed markup."""
    builder = _Builder()
    builder.feed(markup)
    builder.close()
    return builder.root
