"""Link load: a site's VPN gateway's WAN interface counters (IF-MIB ifHCInOctets/ifHCOutOctets)
and sysUpTime, read in one GET so that both come from the same instant on the device.

The rate between two polls is computed by `cmdb.linkload` over the uptime that passed between
them (not the poller's clock: a slow reply does not skew it), which is also how a restart is
told from a counter wrap: the uptime went back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Callable, Sequence

from gufo.snmp import SnmpError

from collectors import snmp_mib as mib
from collectors.base import BadResponse, CollectorError, LinkCounters, Target, Timeout
from collectors.snmp import SnmpCollector

IF_HC_IN = "1.3.6.1.2.1.31.1.1.1.6"
IF_HC_OUT = "1.3.6.1.2.1.31.1.1.1.10"
IF_NAME = f"{mib.IF_X_TABLE}.1"
IF_ALIAS = f"{mib.IF_X_TABLE}.18"
# The WAN side: an alias naming it (IOS "description WAN-…"), else FortiOS' "wan1"/"wan".
WAN_ALIAS = re.compile(r"\bwan\b", re.IGNORECASE)
WAN_NAME = re.compile(r"^wan1?$", re.IGNORECASE)
Advance = Callable[[LinkCounters], None]


def wan_index(names: dict[int, str], aliases: dict[int, str]) -> int | None:
    """The WAN interface's ifIndex: first by alias, then by name; None when neither says."""
    for index in sorted(aliases):
        if WAN_ALIAS.search(aliases[index].replace("-", " ").replace("_", " ")):
            return index
    return next((i for i in sorted(names) if WAN_NAME.match(names[i])), None)


class LinkLoadCollector:
    def __init__(self, snmp: SnmpCollector) -> None:
        self.snmp = snmp

    def collect(
        self, targets: Sequence[Target], deadline_s: float, advance: Advance
    ) -> list[LinkCounters]:
        return asyncio.run(self._collect(targets, deadline_s, advance))

    async def _collect(
        self, targets: Sequence[Target], deadline_s: float, advance: Advance
    ) -> list[LinkCounters]:
        gate = asyncio.Semaphore(self.snmp.concurrency)

        async def one(target: Target) -> LinkCounters:
            async with gate:
                found = await self.read(target, deadline_s)
            advance(found)
            return found

        return list(await asyncio.gather(*(one(t) for t in targets)))

    async def read(self, target: Target, deadline_s: float) -> LinkCounters:
        found = LinkCounters(target.hostname, target.site, dt.datetime.now(dt.UTC))
        try:
            if target.credential_error:
                raise CollectorError(target.credential_error)
            async with asyncio.timeout(deadline_s):
                session = await self.snmp.open_session(target)
                names = mib.by_index(await self.snmp.walk(session, IF_NAME), IF_NAME)
                aliases = mib.by_index(await self.snmp.walk(session, IF_ALIAS), IF_ALIAS)
                index = wan_index(
                    {i: mib.text(v) for i, v in names.items()},
                    {i: mib.text(v) for i, v in aliases.items()},
                )
                if index is None:
                    raise BadResponse(f"{target.hostname}: no interface named or described WAN")
                oids = [mib.SYS_UPTIME, f"{IF_HC_IN}.{index}", f"{IF_HC_OUT}.{index}"]
                values = await self.snmp.get(session, oids)
        except TimeoutError:
            found.error = Timeout(f"no SNMP answer from {target.address} within {deadline_s} s")
            return found
        except CollectorError as exc:
            found.error = exc
            return found
        except (SnmpError, OSError, ValueError) as exc:
            found.error = BadResponse(f"{target.address}: {type(exc).__name__}: {exc}")
            return found
        found.interface = mib.text(names.get(index))
        found.uptime_ticks = mib.integer(values.get(oids[0]), mib.GAUGE32)
        found.in_octets = mib.integer(values.get(oids[1]), (0, 2**64 - 1))
        found.out_octets = mib.integer(values.get(oids[2]), (0, 2**64 - 1))
        if None in (found.uptime_ticks, found.in_octets, found.out_octets):
            found.error = BadResponse(f"{target.hostname}: no 64-bit counters on {found.interface}")
        return found
