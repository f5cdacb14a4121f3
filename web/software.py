"""Mark each installed product against the base-software standard and the lifecycle tables."""

from __future__ import annotations

import datetime as dt

from compliance.conditions_lifecycle import release_verdict
from compliance.facts import SoftwareItem
from compliance.lookup import software_release
from compliance.policy import PolicySet
from compliance.policy_reader import parse_version


def classify(item: SoftwareItem, policies: PolicySet, today: dt.date) -> tuple[str, str]:
    """(mark, why): standard, non_standard, outdated, not_allowed, or other (no category)."""
    for banned in policies.not_allowed:
        if banned.name.search(item.name):
            return "not_allowed", banned.reason
    release = software_release(item, policies)
    if release is not None:
        verdict = release_verdict(release, today)
        if verdict.status == "fail":
            return "outdated", verdict.evidence
    for category in policies.categories:
        if not category.detect.search(item.name):
            continue
        for approved in category.approved:
            match = approved.name.search(item.name)
            if not match:
                continue
            version = parse_version(match.groupdict().get("v") or item.version)
            if approved.min_version is not None and version and version < approved.min_version:
                return "outdated", f"{category.title}: minimum {approved.min_text}"
            return "standard", f"{category.title}: {approved.product}"
        return "non_standard", f"{category.title}: not an approved product"
    return "other", ""
