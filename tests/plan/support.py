"""Helpers of the plan tests: the lab's truth counted without the CMDB, and the indicators now."""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from atalaya.jobs.collection import run_cycle
from atalaya.jobs.evaluation import run_evaluation
from atalaya.settings import Settings
from cmdb.models import PollRun
from cmdb.plan_values import load_units
from compliance.indicators import IndicatorResult, PlanInputs, compute_all, load_indicators
from compliance.lookup import hardware_model
from compliance.policy import load_policies

UNITS = ("establishment", "regional_office")


@dataclass
class PlanLab:
    lab: Any
    settings: Settings
    engine: Engine
    today: dt.date


def retry_failed(plan: PlanLab, first: list[int]) -> None:
    """One more pass of a loop over the sites whose devices timed out (a busy 2-core machine):
    a device the lab serves must not turn into missing evidence by chance."""
    truth_site = {d["hostname"]: d["site"] for d in plan.lab.truth["devices"]}
    with Session(plan.engine) as session:
        runs = session.scalars(select(PollRun).where(PollRun.id.in_(first))).all()
        retry = {r.loop: {truth_site.get(e.get("device"), "") for e in r.errors} for r in runs}
    for loop, sites in retry.items():
        sites.discard("")
        if sites:
            run_cycle(plan.engine, plan.settings, only=loop, sites=sorted(sites))


def compute_now(plan: PlanLab) -> dict[str, IndicatorResult]:
    """Indicators now, without storing anything."""
    with Session(plan.engine) as session:
        run = run_evaluation(plan.settings, session, plan.today, store=False)
        inputs = PlanInputs(
            load_units(session), run.findings, run.scores, run.facts, run.policies, plan.today
        )
    indicators = load_indicators(plan.settings.policies_path)
    return {r.indicator_id: r for r in compute_all(indicators, inputs)}


POLICIES = load_policies(Path(__file__).resolve().parents[2] / "policies")


class Truth:
    """What the lab's truth file and declared inventory say, counted without the CMDB."""

    def __init__(self, lab: Any) -> None:
        truth = lab.reload_truth()
        declared = tomllib.loads(Path(lab.inventory_path).read_text("utf-8"))
        self.sites = {s["code"]: s for s in truth["sites"]}
        self.declared = {s["code"]: s for s in declared["site"]}
        self.uplink = {lk["site"]: lk["peer"] for lk in declared["link"]}
        self.devices: dict[str, list[dict[str, Any]]] = {code: [] for code in self.sites}
        for device in truth["devices"]:
            self.devices[device["site"]].append(device)
        self.all_devices = truth["devices"]

    def up(self, code: str) -> bool:
        return not self.sites[code]["unreachable"]

    def codes(self, *kinds: str) -> list[str]:
        return [c for c, s in self.sites.items() if s["kind"] in kinds]

    def has(self, code: str, kind: str) -> bool:
        return any(d["kind"] == kind for d in self.devices[code])

    def clean(self, code: str, rules: set[str], kinds: tuple[str, ...]) -> bool:
        judged = [d for d in self.devices[code] if d["kind"] in kinds]
        return bool(judged) and not any(rules & set(d["violations"]) for d in judged)

    def models_known(self, code: str, kinds: tuple[str, ...]) -> bool:
        """Every device of these kinds has a model the lifecycle tables know: without one,
        HW-EOS-01 is unknown (an evidence gap), never a pass, so the site cannot count."""
        judged = [d for d in self.devices[code] if d["kind"] in kinds]
        return all(hardware_model(d["model"], POLICIES) is not None for d in judged)

    def path_up(self, code: str) -> bool:
        while code in self.uplink:
            if not self.up(code):
                return False
            code = self.uplink[code]
        return self.sites[code]["kind"] == "headquarters"

    def expected(self) -> dict[str, set[str]]:
        """Per site-counted indicator: the members that should be in its numerator."""
        units = self.codes(*UNITS)

        def where(members: list[str], test: Any) -> set[str]:
            return {c for c in members if test(c)}

        servers = ("server",)
        return {
            "1.1.1": where(
                units, lambda c: self.declared[c].get("has_lan", True) and self.has(c, "switch")
            ),
            "1.1.4": where(
                units,
                lambda c: (
                    all(self.has(c, k) for k in ("switch", "vpn_gateway", "server"))
                    and self.clean(
                        c, {"HW-LIFE-01", "HW-EOS-01"}, ("switch", "vpn_gateway", "server")
                    )
                    and self.models_known(c, ("switch", "vpn_gateway", "server"))
                ),
            ),
            "1.1.6": where(
                self.codes("establishment"), lambda c: self.up(c) and self.has(c, "video_endpoint")
            ),
            "1.3.1": where(
                self.codes("headquarters", "data_centre"),
                lambda c: self.up(c) and self.has(c, "server") and self.has(c, "switch"),
            ),
            "1.3.3": where(
                self.codes("data_centre"), lambda c: self.up(c) and self.has(c, "server")
            ),
            "1.4": where(units, lambda c: self.up(c) and self.clean(c, {"LIC-01"}, servers)),
            "1.5": where(
                units, lambda c: self.up(c) and self.clean(c, {"SW-STD-01", "SW-AV-01"}, servers)
            ),
            "1.5.3": where(
                units,
                lambda c: (
                    self.up(c)
                    and self.clean(c, {"OS-EOL-01", "SW-EOL-01", "LNX-PATCH-01"}, servers)
                ),
            ),
            "1.7": where(units, self.up),
            "1.7.1": where(units, lambda c: self.up(c) and self.has(c, "vpn_gateway")),
            "1.7.2": where(units, lambda c: self.up(c) and self.has(c, "ip_phone_gateway")),
            "1.7.4": where(units, self.path_up),
            "1.7.5": where(
                self.codes("regional_office"),
                lambda c: (
                    self.up(c)
                    and all(
                        self.up(e) for e in self.codes("establishment") if self.uplink.get(e) == c
                    )
                ),
            ),
            "5.4": where(units, lambda c: bool(self.declared[c].get("in_continuity_plan"))),
        }
