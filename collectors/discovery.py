"""Discovery: sweep management prefixes (ICMP, then SNMP where a credential answers) and read
the neighbour tables of known devices (LLDP-MIB, CISCO-CDP-MIB, ARP's ipNetToMediaTable).

The sweep is paced: echoes leave at ``rate_pps`` across the whole sweep, one per address, so a
prefix of 256 addresses at 100/s costs ~2.6 s and never a burst a firewall would flag. Only
addresses that echo are asked SNMP, each declared credential in turn (a wrong community is only
a timeout, so the cost of a miss is bounded by the SNMP collector's timeout and retries).
What it finds is data; whether an address is known is the CMDB's business (`cmdb.discovery`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Sequence

from gufo.ping import Ping
from gufo.snmp import SnmpError

from collectors import snmp_mib as mib
from collectors.base import (
    BadResponse,
    CollectorError,
    NeighbourFact,
    NeighbourReport,
    Sighting,
    SweepTarget,
    Target,
    Timeout,
)
from collectors.reachability import SOCKET_BUFFER
from collectors.snmp import SnmpCollector

LLDP_LOC_PORT_DESC = "1.0.8802.1.1.2.1.3.7.1.4"
LLDP_REM = "1.0.8802.1.1.2.1.4.1.1"
LLDP_REM_PORT_ID, LLDP_REM_PORT_DESC, LLDP_REM_SYS_NAME = (f"{LLDP_REM}.{c}" for c in (7, 8, 9))
LLDP_REM_MAN_ADDR_IF = "1.0.8802.1.1.2.1.4.2.1.3"
CDP_CACHE = "1.3.6.1.4.1.9.9.23.1.2.1.1"
CDP_ADDRESS, CDP_DEVICE_ID, CDP_DEVICE_PORT = (f"{CDP_CACHE}.{c}" for c in (4, 6, 7))
IF_DESCR = f"{mib.IF_TABLE}.2"
ARP_PHYS = "1.3.6.1.2.1.4.22.1.2"
IDENTITY_PARTS = frozenset({"system", "entity"})

Found = Sighting | NeighbourReport
Advance = Callable[[Found], None]


def _rows(rows: list[tuple[str, mib.ValueType]], column: str) -> dict[str, mib.ValueType]:
    """Map each row's index (everything after the column, as text) to its value."""
    prefix = column + "."
    return {oid[len(prefix) :]: value for oid, value in rows if oid.startswith(prefix)}


def _ipv4(value: mib.ValueType) -> str:
    if isinstance(value, bytes) and len(value) == 4:
        return ".".join(str(octet) for octet in value)
    return ""


class DiscoveryCollector:
    """Sweep addresses and read neighbour tables; one result per target, never an exception."""

    def __init__(self, snmp: SnmpCollector, *, rate_pps: int = 100, ping_timeout_s: float = 1.0):
        self.snmp = snmp
        self.rate_pps = max(1, rate_pps)
        self.ping_timeout_s = ping_timeout_s

    def run(
        self, targets: Sequence[SweepTarget | Target], deadline_s: float, advance: Advance
    ) -> list[Found]:
        return asyncio.run(self._run(targets, deadline_s, advance))

    async def _run(
        self, targets: Sequence[SweepTarget | Target], deadline_s: float, advance: Advance
    ) -> list[Found]:
        pinger = Ping(
            timeout=self.ping_timeout_s,
            send_buffer_size=SOCKET_BUFFER,
            recv_buffer_size=SOCKET_BUFFER,
        )
        gate = asyncio.Semaphore(self.snmp.concurrency)
        started = time.monotonic()
        sweep = [t for t in targets if isinstance(t, SweepTarget)]
        known = [t for t in targets if isinstance(t, Target)]

        async def paced(n: int, target: SweepTarget) -> Found:
            await asyncio.sleep(max(0.0, started + n / self.rate_pps - time.monotonic()))
            found = await self.sweep_one(pinger, gate, target, deadline_s)
            advance(found)
            return found

        async def neighbours(target: Target) -> Found:
            async with gate:
                found = await self.neighbours(target, deadline_s)
            advance(found)
            return found

        jobs = [paced(n, t) for n, t in enumerate(sweep)] + [neighbours(t) for t in known]
        return list(await asyncio.gather(*jobs))

    async def sweep_one(
        self, pinger: Ping, gate: asyncio.Semaphore, target: SweepTarget, deadline_s: float
    ) -> Sighting:
        sighting = Sighting(target.site, target.address, dt.datetime.now(dt.UTC))
        try:
            rtt = await pinger.ping(target.address)
        except OSError:  # no raw socket here: the sweep reports silence, SNMP is not tried
            return sighting
        if rtt is None:
            return sighting
        sighting.responded, sighting.rtt_ms = True, rtt * 1000.0
        async with gate:
            for credential in target.credentials:
                probe = Target(
                    hostname=target.address,
                    address=target.address,
                    platform="unknown",
                    site=target.site,
                    snmp=credential,
                    snmp_port=target.snmp_port,
                )
                facts = await self.snmp.poll(probe, deadline_s, IDENTITY_PARTS)
                if facts.error is None:
                    sighting.snmp, sighting.credential = facts, credential.name
                    break
        return sighting

    async def neighbours(self, target: Target, deadline_s: float) -> NeighbourReport:
        report = NeighbourReport(target.hostname, target.site, dt.datetime.now(dt.UTC))
        try:
            if target.credential_error:
                raise CollectorError(target.credential_error)
            async with asyncio.timeout(deadline_s):
                session = await self.snmp.open_session(target)
                walked = {
                    column: _rows(await self.snmp.walk(session, column), column)
                    for column in (
                        LLDP_LOC_PORT_DESC, LLDP_REM_PORT_ID, LLDP_REM_PORT_DESC,
                        LLDP_REM_SYS_NAME, LLDP_REM_MAN_ADDR_IF, CDP_ADDRESS, CDP_DEVICE_ID,
                        CDP_DEVICE_PORT, IF_DESCR, ARP_PHYS,
                    )
                }  # fmt: skip
        except TimeoutError:
            report.error = Timeout(f"no SNMP answer from {target.address} within {deadline_s} s")
            return report
        except CollectorError as exc:
            report.error = exc
            return report
        except (SnmpError, OSError, ValueError) as exc:
            report.error = BadResponse(f"{target.address}: {type(exc).__name__}: {exc}")
            return report
        report.neighbours = _lldp(walked) + _cdp(walked)
        report.arp = _arp(walked[ARP_PHYS])
        return report


def _lldp(walked: dict[str, dict[str, mib.ValueType]]) -> list[NeighbourFact]:
    """lldpRemTable rows are indexed timeMark.localPortNum.remIndex; the management address
    rides in lldpRemManAddrTable's index (…remIndex.subtype.length.a.b.c.d)."""
    addresses: dict[str, str] = {}
    for index in walked[LLDP_REM_MAN_ADDR_IF]:
        parts = index.split(".")
        if len(parts) == 9 and parts[3:5] == ["1", "4"]:
            addresses[".".join(parts[:3])] = ".".join(parts[5:])
    found = []
    for index, name in walked[LLDP_REM_SYS_NAME].items():
        parts = index.split(".")
        if len(parts) != 3:
            continue
        local = mib.text(walked[LLDP_LOC_PORT_DESC].get(parts[1])) or mib.text(
            walked[IF_DESCR].get(parts[1])
        )
        port = mib.text(walked[LLDP_REM_PORT_DESC].get(index)) or mib.text(
            walked[LLDP_REM_PORT_ID].get(index)
        )
        found.append(NeighbourFact("lldp", local, mib.text(name), port, addresses.get(index, "")))
    return found


def _cdp(walked: dict[str, dict[str, mib.ValueType]]) -> list[NeighbourFact]:
    """cdpCacheTable rows are indexed ifIndex.deviceIndex; the address is 4 raw octets."""
    found = []
    for index, device_id in walked[CDP_DEVICE_ID].items():
        if_index = index.split(".")[0]
        found.append(
            NeighbourFact(
                "cdp",
                mib.text(walked[IF_DESCR].get(if_index)),
                mib.text(device_id),
                mib.text(walked[CDP_DEVICE_PORT].get(index)),
                _ipv4(walked[CDP_ADDRESS].get(index)),
            )
        )
    return found


def _arp(rows: dict[str, mib.ValueType]) -> list[tuple[str, str]]:
    """ipNetToMediaPhysAddress indexed ifIndex.a.b.c.d."""
    found = []
    for index, value in rows.items():
        parts = index.split(".")
        if len(parts) == 5 and mib.mac(value):
            found.append((".".join(parts[1:]), mib.mac(value)))
    return found
