"""Values a platform hides in its configuration listing, and the running-config with them added.

Cisco IOS leaves defaults out of `show running-config`: a vty whose idle timeout is the default
10 minutes prints no `exec-timeout` line, and `service pad` or `ip bootp server`, on by default,
print nothing until someone disables them (`no service pad`). `policies/platform-defaults.toml`
lists such values per platform (and release where they differ); a rule then reads the
configuration the device really runs. docs/rules-contract.md says which checks use this model and
which ask the device itself (`show ip ssh`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from compliance.facts import CiFacts
from compliance.iosconfig import Block, ParsedConfig
from compliance.policy_reader import Reader


@dataclass(frozen=True)
class PlatformDefault:
    platform: str
    line: str  # what the device runs when the configuration says nothing
    unless: re.Pattern[str]  # a configured line (either form) that replaces the default
    block: re.Pattern[str] | None  # None: a global line; else the blocks it applies to
    os_name: re.Pattern[str] | None  # releases it holds for (None: every release)
    os_version: re.Pattern[str] | None
    source: str

    def holds_for(self, facts: CiFacts) -> bool:
        return (
            facts.platform == self.platform
            and (self.os_name is None or bool(self.os_name.search(facts.os_name)))
            and (self.os_version is None or bool(self.os_version.search(facts.os_version)))
        )


def load_platform_defaults(file: str, data: Mapping[str, Any]) -> tuple[PlatformDefault, ...]:
    top = Reader(file, "top level", data)
    top.check_keys({"default"})
    result = []
    for index, table in enumerate(top.tables("default"), start=1):
        r = Reader(file, f"default {index} ({table.get('line', '?')})", table)
        r.check_keys({"platform", "line", "unless", "block", "os_name", "os_version", "source"})
        result.append(
            PlatformDefault(
                r.text("platform"),
                r.text("line"),
                r.regex("unless"),
                r.optional_regex("block"),
                r.optional_regex("os_name"),
                r.optional_regex("os_version"),
                r.text("source"),
            )
        )
    return tuple(result)


def _configured(lines: tuple[str, ...], default: PlatformDefault) -> bool:
    return any(default.unless.search(line) for line in lines)


def _with(cfg: ParsedConfig, defaults: list[PlatformDefault]) -> ParsedConfig:
    """`cfg` plus the defaults no configured line replaces; the line index grows in place of
    being rebuilt (the defaults are a handful, the configuration hundreds of lines)."""
    global_index, any_index = dict(cfg.global_index), dict(cfg.any_index)
    added: list[str] = []
    supplied: set[str] = set()
    for default in defaults:
        if default.block is not None:
            continue
        # a line replacing the default starts with its first word, or with "no"
        word = default.line.split(" ", 1)[0]
        if _configured(cfg.lines("global", word) + cfg.lines("global", "no"), default):
            continue
        added.append(default.line)
        supplied.add(default.line)
        for index in (global_index, any_index):
            index[word] = (*index.get(word, ()), default.line)
    blocks = []
    for block in cfg.blocks:
        extra = [
            d.line
            for d in defaults
            if d.block is not None and d.block.search(block.header)
            and not _configured(block.children, d)
        ]
        supplied.update(extra)
        blocks.append(Block(block.header, block.children + tuple(extra)) if extra else block)
    return ParsedConfig(
        cfg.global_lines + tuple(added),
        cfg.all_lines + tuple(added),
        tuple(blocks),
        global_index,
        any_index,
        frozenset(supplied),
    )


def config_with_defaults(
    facts: CiFacts, defaults: tuple[PlatformDefault, ...]
) -> ParsedConfig | None:
    """The parsed running-config plus the defaults it hides; parsed and completed once per CI."""
    cfg = facts.config
    if cfg is None or not defaults:
        return cfg
    cached = facts.__dict__.get("_effective_config")
    if cached is not None and cached[0] is defaults:
        return cached[1]
    holding = [d for d in defaults if d.holds_for(facts)]
    result = _with(cfg, holding) if holding else cfg
    facts.__dict__["_effective_config"] = (
        defaults,
        result,
    )  # frozen: cache as cached_property does
    return result
