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
from compliance.iosconfig import Block, ParsedConfig, build
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


def _with(cfg: ParsedConfig, defaults: list[PlatformDefault]) -> ParsedConfig:
    global_lines, supplied = list(cfg.global_lines), set()
    for default in defaults:
        if default.block is None and not any(default.unless.search(x) for x in global_lines):
            global_lines.append(default.line)
            supplied.add(default.line)
    blocks = []
    for block in cfg.blocks:
        children = list(block.children)
        for default in defaults:
            if default.block is None or not default.block.search(block.header):
                continue
            if not any(default.unless.search(child) for child in children):
                children.append(default.line)
                supplied.add(default.line)
        blocks.append(Block(block.header, tuple(children)))
    extra = [line for line in global_lines if line not in cfg.global_lines]
    all_lines = [*cfg.all_lines, *extra]
    return build(global_lines, all_lines, blocks, frozenset(supplied))


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
