"""A Cisco IOS running-config, parsed once into the shapes the rules read.

Lines are stripped; a block is a top-level line with its indented children (``line vty 0 4``
and its ``transport input ssh``). Banner text is dropped so that words inside a banner never
match a command pattern. Lines are also indexed by first word, because a rule pattern anchored
on a literal command word only needs the handful of lines that start with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Block:
    header: str
    children: tuple[str, ...]


@dataclass(frozen=True)
class ParsedConfig:
    global_lines: tuple[str, ...]
    all_lines: tuple[str, ...]
    blocks: tuple[Block, ...]
    global_index: dict[str, tuple[str, ...]] = field(repr=False)
    any_index: dict[str, tuple[str, ...]] = field(repr=False)
    # lines a platform-defaults model added because the running-config hides them
    supplied: frozenset[str] = frozenset()

    def lines(self, scope: str, key: str | None = None) -> tuple[str, ...]:
        """The lines of `scope` ("global" or "any"), only those starting with `key` if given."""
        if key is None:
            return self.global_lines if scope == "global" else self.all_lines
        index = self.global_index if scope == "global" else self.any_index
        return index.get(key, ())


def _banner_end(line: str) -> str | None:
    """The delimiter a multi-line banner ends with, or None when the banner fits on this line."""
    parts = line.split(maxsplit=2)
    if len(parts) < 3:
        return None
    text = parts[2]
    delim = "^C" if text.startswith("^C") else text[0]
    return None if delim in text[len(delim) :] else delim


def _index(lines: list[str]) -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for line in lines:
        grouped.setdefault(line.split(" ", 1)[0], []).append(line)
    return {key: tuple(value) for key, value in grouped.items()}


def build(
    global_lines: list[str], all_lines: list[str], blocks: list[Block], supplied: frozenset[str]
) -> ParsedConfig:
    return ParsedConfig(
        tuple(global_lines),
        tuple(all_lines),
        tuple(blocks),
        _index(global_lines),
        _index(all_lines),
        supplied,
    )


def parse(text: str) -> ParsedConfig:
    global_lines: list[str] = []
    all_lines: list[str] = []
    blocks: list[Block] = []
    header: str | None = None
    children: list[str] = []
    banner_delim: str | None = None
    for raw in text.splitlines():
        if banner_delim is not None:
            if banner_delim in raw:
                banner_delim = None
            continue
        stripped = raw.strip()
        if not stripped or stripped.startswith("!"):
            continue
        if raw[0] in " \t":
            all_lines.append(stripped)
            if header is not None:
                children.append(stripped)
            continue
        if header is not None:
            blocks.append(Block(header, tuple(children)))
        header, children = stripped, []
        global_lines.append(stripped)
        all_lines.append(stripped)
        if stripped.startswith("banner "):
            banner_delim = _banner_end(stripped)
    if header is not None:
        blocks.append(Block(header, tuple(children)))
    return build(global_lines, all_lines, blocks, frozenset())
