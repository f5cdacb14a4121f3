"""Benchmark: evaluate every rule on a lab-sized inventory (~800 CIs) and on ten times that.

Prints CPU seconds for Atalaya's engine (each config parsed once per device, lines indexed by first
word) and, measured in the same run on the same facts, for a naive peer that re-parses the
running-config for every rule that reads it, the way a per-rule "parse then check" script does.
(No napalm or ciscoconfparse is installed here to compare against.)
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.results import record  # noqa: E402
from compliance.engine import Finding, applies, evaluate, evaluate_all  # noqa: E402
from compliance.facts import CiFacts, IkeSa, SoftwareItem  # noqa: E402
from compliance.policy import PolicySet, load_policies  # noqa: E402

FIXTURES = ROOT / "tests" / "compliance" / "fixtures"
TODAY = dt.date(2026, 3, 1)
# Lab mix: mostly switches, a gateway per site, some servers (about 800 CIs for 79 sites).
MIX = {
    "ios-switch-compliant": 420,
    "ios-switch-violations": 60,
    "ios-vty-telnet": 40,
    "vpn-gateway-compliant": 60,
    "vpn-gateway-weak": 19,
    "linux-compliant": 70,
    "linux-weak": 20,
    "windows-compliant": 60,
    "windows-weak": 20,
}


def _case(name: str) -> CiFacts:
    data = tomllib.loads((FIXTURES / name / "facts.toml").read_text(encoding="utf-8"))
    data.pop("entitlements", None)
    config = FIXTURES / name / "running-config.txt"
    software, sas = data.pop("software", None), data.pop("ike_sas", None)
    return CiFacts(
        "device",
        0,
        name,
        "S",
        "R",
        running_config=config.read_text() if config.exists() else None,
        software=None if software is None else tuple(SoftwareItem(**s) for s in software),
        ike_sas=None if sas is None else tuple(IkeSa(**s) for s in sas),
        **data,
    )


def inventory(scale: int) -> list[CiFacts]:
    """Fresh CiFacts (no parse cached), each with its own config text as a real fleet has."""
    cases = {name: _case(name) for name in MIX}
    result = []
    for copy in range(scale):
        for name, count in MIX.items():
            for i in range(count):
                base = cases[name]
                text = (
                    None if base.running_config is None else base.running_config + f"! {copy}-{i}\n"
                )
                result.append(
                    dataclasses.replace(
                        base,
                        ci_id=len(result),
                        name=f"{name}-{copy}-{i}",
                        running_config=text,
                        site_code=f"S{i % 79}",
                        region_code=f"R{i % 9}",
                    )
                )
    return result


def naive(facts_list: list[CiFacts], policies: PolicySet) -> list[Finding]:
    """The peer: every rule gets a fresh copy of the facts, so the config is parsed again."""
    return [
        evaluate(rule, dataclasses.replace(facts), policies, TODAY)
        for facts in facts_list
        for rule in policies.rules
        if applies(rule, facts)
    ]


def cpu(fn: object, *args: object) -> tuple[float, int]:
    start = time.process_time()
    result = fn(*args)  # type: ignore[operator]
    return time.process_time() - start, len(result)


def main() -> None:
    policies = load_policies(ROOT / "policies")
    print(f"rules: {len(policies.rules)}")
    results: dict[str, object] = {"rules": len(policies.rules), "fixtures": len(MIX), "runs": []}
    for scale in (1, 10):
        ours, n = cpu(lambda fl: evaluate_all(fl, policies, TODAY), inventory(scale))
        peer, m = cpu(naive, inventory(scale), policies)
        assert n == m
        cis = sum(MIX.values()) * scale
        print(
            f"{cis:6d} CIs, {n:7d} findings: engine {ours:6.3f} s CPU, "
            f"naive re-parse-per-rule {peer:6.3f} s CPU, ratio {peer / ours:5.1f}x"
        )
        runs = results["runs"]
        assert isinstance(runs, list)
        runs.append(
            {"cis": cis, "findings": n, "cpu_s": round(ours, 3), "naive_cpu_s": round(peer, 3)}
        )
    # What it measures, said in the results: copies of the rule fixtures, not the lab's CIs.
    results["what"] = f"{sum(MIX.values())} copies of {len(MIX)} rule fixtures (not the lab)"
    record("evaluate", results)


if __name__ == "__main__":
    main()
