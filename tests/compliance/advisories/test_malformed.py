"""A damaged document is refused with the JSON path of the damage and what belonged there.

Each case is a real fixture with one field removed or given the wrong type.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from compliance.advisories import AdvisoryFormatError, detect, parse_document

from .conftest import document

Damage = Callable[[dict[str, Any]], object]


def _set(path: list[str | int], value: object) -> Damage:
    def damage(doc: dict[str, Any]) -> None:
        node: Any = doc
        for step in path[:-1]:
            node = node[step]
        node[path[-1]] = value

    return damage


def _drop(path: list[str | int]) -> Damage:
    def damage(doc: dict[str, Any]) -> None:
        node: Any = doc
        for step in path[:-1]:
            node = node[step]
        del node[path[-1]]

    return damage


CSAF_FORTI = "csaf/FG-IR-26-154.json"
CSAF_CISCO = "csaf/cisco-sa-20180328-smi2.json"
NVD = "nvd/CVE-2023-20198.json"
OSV = "osv/USN-7604-1.json"
CPE: list[str | int] = ["configurations", 2, "nodes", 0, "cpeMatch", 0]
FORTI_RANGE: list[str | int] = ["product_tree", "branches", 0, "branches", 0, "branches", 1, "name"]

CASES = [
    (CSAF_FORTI, _drop(["document", "tracking", "id"]),
     "$.document.tracking.id: expected a value, found nothing (the field is missing)"),
    (CSAF_FORTI, _set(["document", "csaf_version"], "1.2"),
     "$.document.csaf_version: expected '2.0', found a string '1.2'"),
    (CSAF_FORTI, _set(["vulnerabilities", 0, "scores", 0, "cvss_v3", "vectorString"], 4.1),
     "$.vulnerabilities[0].scores[0].cvss_v3.vectorString: expected a non-empty string, "
     "found a number 4.1"),
    (CSAF_FORTI, _set(["vulnerabilities", 0, "scores", 0, "cvss_v3", "vectorString"],
                      "CVSS:3.1/AV:Q/AC:L"),
     "$.vulnerabilities[0].scores[0].cvss_v3.vectorString: expected a CVSS vector"),
    (CSAF_FORTI, _set(["vulnerabilities", 1, "product_status", "known_affected", 2], "FortiOS 9.9"),
     "$.vulnerabilities[1].product_status.known_affected[2]: expected a product_id defined in "
     "$.product_tree, found a string 'FortiOS 9.9'"),
    (CSAF_FORTI, _set(FORTI_RANGE, "FortiOS/from 7.6.0 to 7.6.3"),
     "$.product_tree.branches[0].branches[0].branches[1].name: expected a version range like"),
    (CSAF_FORTI, _set(["vulnerabilities"], {"cve": "CVE-2025-43892"}),
     "$.vulnerabilities: expected an array, found an object"),
    (CSAF_CISCO, _set(["product_tree", "branches", 0, "branches", 0, "branches", 0, "branches",
                       0, "name"], "12.2-55-SE"),
     "$.product_tree.branches[0].branches[0].branches[0].branches[0].name: expected a version in "
     "the ios scheme, found a string '12.2-55-SE'"),
    (CSAF_CISCO, _set(["document", "tracking", "current_release_date"], "17 April 2018"),
     "$.document.tracking.current_release_date: expected an ISO 8601 date-time"),
    (NVD, _set(["configurations"], {"nodes": []}),
     "$.configurations: expected an array, found an object"),
    (NVD, _set([*CPE, "vulnerable"], "yes"),
     "$.configurations[2].nodes[0].cpeMatch[0].vulnerable: expected true or false, "
     "found a string 'yes'"),
    (NVD, _set([*CPE, "criteria"], "cpe:/o:cisco:ios_xe"),
     "$.configurations[2].nodes[0].cpeMatch[0].criteria: expected a cpe:2.3 name"),
    (NVD, _set([*CPE, "versionEndExcluding"], "latest"),
     "$.configurations[2].nodes[0].cpeMatch[0].versionEndExcluding: expected a version in the "
     "ios-xe scheme"),
    (NVD, _drop(["metrics", "cvssMetricV31", 1, "cvssData", "vectorString"]),
     "$.metrics.cvssMetricV31[1].cvssData.vectorString: expected a value, found nothing"),
    (NVD, _set(["lastModified"], None),
     "$.lastModified: expected a non-empty string, found null"),
    (OSV, _drop(["affected", 1, "package"]),
     "$.affected[1].package: expected a value, found nothing"),
    (OSV, _set(["affected", 1, "ranges", 0, "events", 1], {"fixed": "1.0", "limit": "2.0"}),
     "$.affected[1].ranges[0].events[1]: expected one of introduced, fixed, last_affected, limit"),
    (OSV, _set(["affected", 1, "ranges", 0, "events", 1, "fixed"], "1:"),
     "$.affected[1].ranges[0].events[1].fixed: expected a version in the dpkg scheme, "
     "found a string '1:'"),
    (OSV, _set(["affected", 0, "versions"], "1.9.9-1ubuntu2"),
     "$.affected[0].versions: expected an array, found a string"),
    (OSV, _set(["modified"], 20250716),
     "$.modified: expected a non-empty string, found a number 20250716"),
]


@pytest.mark.parametrize(("name", "damage", "message"), CASES)
def test_damaged_document_names_the_path_and_what_was_expected(
    name: str, damage: Damage, message: str
) -> None:
    doc = document(name)
    damage(doc)
    with pytest.raises(AdvisoryFormatError) as raised:
        parse_document(doc)
    assert str(raised.value).startswith(message)
    assert raised.value.path == message.split(":", 1)[0]


def test_the_undamaged_fixtures_parse() -> None:
    # the cases above fail because of their damage, not because the file was already refused
    for name in {name for name, _damage, _message in CASES}:
        assert parse_document(document(name))


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "$: expected an object (a CSAF, NVD or OSV document), found an array"),
        ({"title": "?"}, "$: expected a CSAF 2.0 document ($.document.csaf_version)"),
    ],
)
def test_a_document_of_no_known_format_is_refused(doc: object, message: str) -> None:
    with pytest.raises(AdvisoryFormatError) as raised:
        detect(doc)
    assert str(raised.value).startswith(message)
