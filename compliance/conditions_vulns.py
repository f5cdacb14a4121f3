"""The `advisory` condition: does a published advisory affect the device's release or packages?

Fail names the CVE ids, the CVSS base score and vector, the release the device runs, the first
fixed release of its own train (or that none is published) and, when the lifecycle tables say
the release is past its end of support, that no fix will come. Pass names the release judged.
"""

from __future__ import annotations

import datetime as dt

from compliance.advisories import Advisory, Exposure
from compliance.conditions import Evaluator
from compliance.conditions_lifecycle import release_verdict
from compliance.facts import CiFacts
from compliance.lookup import os_release
from compliance.outcome import Outcome, failed, not_applicable, passed, unknown
from compliance.policy import Condition, PolicySet

NO_FIX = "no fixed release published"
END_OF_SUPPORT = "release past end of support: no fix will come"


def _cvss(advisory: Advisory) -> str:
    if advisory.cvss is None:
        return "CVSS not published"
    return f"CVSS {advisory.cvss.base_score:g} {advisory.cvss.vector}"


def _past_end_of_support(facts: CiFacts, policies: PolicySet, today: dt.date) -> bool:
    assert policies.advisories is not None
    known = policies.advisories.past_end_of_support.get(facts)
    if known is None:  # one lifecycle lookup per device, however many advisories affect it
        release = os_release(facts, policies)
        known = release is not None and release_verdict(release, today).status == "fail"
        policies.advisories.past_end_of_support[facts] = known
    return known


def _evidence(advisory: Advisory, exposures: list[Exposure], eol: bool) -> str:
    parts = [", ".join(advisory.cve_ids) or "no CVE id", _cvss(advisory)]
    for exposure in exposures:
        fix = f"fixed in {exposure.fixed_version}" if exposure.fixed_version else NO_FIX
        parts.append(f"{exposure.component} {exposure.installed} affected, {fix}")
    if eol:
        parts.append(END_OF_SUPPORT)
    return "; ".join(parts)


def advisory(cond: Condition, facts: CiFacts, policies: PolicySet, today: dt.date) -> Outcome:
    catalogue = policies.advisories
    found = catalogue.by_id.get(cond.value) if catalogue is not None else None
    if catalogue is None or found is None:
        return unknown(f"advisory {cond.value} is not imported")
    if not facts.os_name or not facts.os_version:
        return unknown("OS release not collected")
    view = catalogue.view(facts)
    exposures = view.exposures.get(cond.value)
    if exposures:
        return failed(_evidence(found, exposures, _past_end_of_support(facts, policies, today)))
    component = view.concerning.get(cond.value)
    if component is None:
        return not_applicable(f"{cond.value} names no product this device runs")
    installed = f"{component} {view.versions.get(component, '')}".strip()
    if component in view.unreadable:
        return unknown(f"{installed}: version not in the vendor's scheme, cannot be compared")
    return passed(f"{installed}: not among the releases {cond.value} affects")


EXPORTS: dict[str, Evaluator] = {"advisory": advisory}
