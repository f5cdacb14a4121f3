"""One simulated device's SNMP data, parsed once into a sorted table.

snmpsim's ``DataFile`` answers each variable by looking its OID up in a dbm index, seeking
in the .snmprec text, parsing the line into pyasn1 objects, and first formatting every
request's variables for a log line it drops (``log.info`` with ``prettyPrint``, built even
when nobody logs). On 2 cores that was the lab's bottleneck: two collector processes
polling at once made most simulated agents time out (issue 15). The lab's files hold only
static values (lab/snmprec.py writes no variation modules), so each file is parsed once
into sorted (OID, value) pairs: GET is a dict lookup, GETNEXT a bisection. A file rewritten
by ``atalaya lab edit`` is parsed again (its modification time is checked at most once a
second).
"""

from __future__ import annotations

import bisect
import os
import time
from typing import Any

from pysnmp.proto import rfc1902, rfc1905
from snmpsim.record.snmprec import SnmprecRecord

RECHECK_S = 1.0
_PARSER = SnmprecRecord()


class DeviceTable:
    """pysnmp's MibInstrumController interface over one .snmprec file, held in memory."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._mtime = -1.0
        self._checked = 0.0
        self._oids: list[tuple[int, ...]] = []
        self._values: dict[tuple[int, ...], Any] = {}
        self._names: dict[tuple[int, ...], Any] = {}
        self._load()

    def _load(self) -> None:
        mtime = os.stat(self.path).st_mtime
        if mtime == self._mtime:
            return
        values, names = {}, {}
        with open(self.path, "rb") as handle:  # snmpsim's grammar parses bytes
            for line in handle:
                if not line.strip() or line.startswith(b"#"):
                    continue
                oid, value = _PARSER.evaluate(line.rstrip(b"\r\n"))
                key = tuple(oid)
                names[key], values[key] = rfc1902.ObjectName(key), value
        self._oids, self._values, self._names = sorted(values), values, names
        self._mtime = mtime

    def _fresh(self) -> None:
        now = time.monotonic()
        if now - self._checked >= RECHECK_S:
            self._checked = now
            self._load()

    def read_variables(self, *var_binds: Any, **_: Any) -> Any:
        self._fresh()
        answer = []
        for oid, _value in var_binds:
            key = tuple(oid)
            found = self._values.get(key)
            answer.append((oid, rfc1905.noSuchInstance if found is None else found))
        return answer

    def read_next_variables(self, *var_binds: Any, **_: Any) -> Any:
        self._fresh()
        answer = []
        for oid, _value in var_binds:
            at = bisect.bisect_right(self._oids, tuple(oid))
            if at >= len(self._oids):
                answer.append((oid, rfc1905.endOfMibView))
            else:
                key = self._oids[at]
                answer.append((self._names[key], self._values[key]))
        return answer

    def write_variables(self, *var_binds: Any, **_: Any) -> Any:
        # read-only agent: a SET gets the current values back, as snmpsim's static data does
        return self.read_variables(*var_binds)
