"""SNMP collector (v2c and v3 authPriv) on gufo-snmp, an asyncio client with a Rust core.

Why gufo-snmp and not pysnmp: measured in bench/bench_snmp.py on 1,000 snmpd targets, pysnmp
spends ~176 µs of CPU per value (pyasn1 decoding, and per-target engine tables that grow
with the fleet) against ~8 µs for Prometheus' snmp_exporter; gufo-snmp spends ~3-4 µs.
pysnmp stays in the benchmark as the reference client, not in the product.

There is no engine to share with gufo-snmp: each session is one UDP socket. What is worth
sharing, the SNMPv3 password-to-key step (a million hash rounds), is cached per credential.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable, Collection, Sequence
from typing import Any

from gufo.snmp import SnmpAuthError, SnmpError
from gufo.snmp.aio.client import SnmpSession

from collectors import snmp_mib as mib
from collectors.base import (
    AuthFailed,
    BadResponse,
    CollectorError,
    DeviceFacts,
    SnmpCredential,
    Target,
    Timeout,
    Unsupported,
)
from collectors.identity import extra_oids_for, identify
from collectors.snmp_keys import is_too_big as _is_too_big
from collectors.snmp_keys import v3_user as _v3_user
from collectors.snmp_pace import Pace
from collectors.snmp_wire import bulk_column

INVENTORY_PARTS = frozenset({"system", "interfaces", "entity"})
# "processes" (hrSWRunName) is read on Windows servers only: whether the antivirus engine runs
SOFTWARE_PARTS = frozenset({"software", "storage", "processes"})
Progress = Callable[[DeviceFacts], None]
# 56 rows of a number or a MAC (~24 bytes each, IF-MIB OIDs) reply in ~1,400 bytes, one
# Ethernet frame; wider tables take more requests, as before.
NARROW_REPETITIONS = 56


class SnmpCollector:
    """Poll many agents concurrently; one `DeviceFacts` per target, errors included.

    ``max_repetitions=25``: a 48-port switch column fits in two replies, and 25 rows of
    ifDescr stay well under the 1,472-byte single-datagram size small agents prefer.
    """

    source = "snmp"

    def __init__(
        self,
        *,
        timeout_s: float = 2.0,
        retries: int = 1,
        max_repetitions: int = 25,
        concurrency: int = 64,
    ) -> None:
        self.timeout_s = timeout_s
        self.retries = retries
        self.max_repetitions = max_repetitions
        self.concurrency = concurrency
        self._pace = Pace(concurrency)  # replaced at each collect_async
        self._note = ""  # said in timeout messages of a second chance (collect_async)

    def collect(
        self,
        targets: Sequence[Target],
        deadline_s: float,
        parts: Collection[str] = INVENTORY_PARTS,
        progress: Progress | None = None,
    ) -> list[DeviceFacts]:
        """Poll ``targets``; each device gets at most ``deadline_s`` seconds in all."""
        return asyncio.run(self.collect_async(targets, deadline_s, parts, progress))

    async def collect_async(
        self,
        targets: Sequence[Target],
        deadline_s: float,
        parts: Collection[str] = INVENTORY_PARTS,
        progress: Progress | None = None,
    ) -> list[DeviceFacts]:
        self._pace, self._note = Pace(self.concurrency), ""
        silent: list[int] = []  # timed out: reported after the second chance below

        async def one(n: int, target: Target) -> DeviceFacts:
            await self._pace.acquire()
            try:
                facts = await self.poll(target, deadline_s, parts)
            finally:
                self._pace.release()
            if isinstance(facts.error, Timeout):
                silent.append(n)
            elif progress is not None:
                progress(facts)
            return facts

        results = list(await asyncio.gather(*(one(n, t) for n, t in enumerate(targets))))
        if silent and self._pace.cuts:
            # Answers slowed down during the pass, so a silence may be our own load's doing:
            # ask those devices once more, a few at a time. A dead device costs one more
            # deadline; without slow answers (cuts == 0) a silence is taken as it is.
            self._note = (
                f"; answers had slowed during the pass (devices in flight cut "
                f"{self._pace.cuts} times, to {int(self._pace.limit)}), and it was asked "
                "again afterwards, a few devices at a time"
            )
            self._pace = Pace(self._pace.floor, floor=1)
            retried = list(silent)
            silent.clear()
            again = await asyncio.gather(*(one(n, targets[n]) for n in retried))
            for n, facts in zip(retried, again, strict=True):
                results[n] = facts
        if progress is not None:
            for n in silent:
                progress(results[n])
        return results

    async def poll(self, target: Target, deadline_s: float, parts: Collection[str]) -> DeviceFacts:
        started = time.monotonic()
        facts = DeviceFacts(target.hostname, "snmp", dt.datetime.now(dt.UTC))
        try:
            if target.credential_error:
                raise AuthFailed(target.credential_error)
            async with asyncio.timeout(deadline_s):
                session = await self._open(target)
                for part in ("system", "interfaces", "entity", "software", "storage", "processes"):
                    if part in parts and (part != "processes" or target.platform == "windows"):
                        await getattr(self, f"_{part}")(session, facts)
        except TimeoutError:
            facts.error = Timeout(self._silence(target, deadline_s, started))
        except SnmpAuthError:
            facts.error = AuthFailed(
                f"SNMPv3 authentication refused by {target.address}: check user and keys "
                f"of credential {self._cred(target).name!r}"
            )
        except CollectorError as exc:
            facts.error = exc
        except (SnmpError, OSError, ValueError) as exc:
            facts.error = BadResponse(f"{target.address}: {type(exc).__name__}: {exc}")
        facts.duration_s = time.monotonic() - started
        return facts

    # -- transport ------------------------------------------------------------------------
    @staticmethod
    def _cred(target: Target) -> SnmpCredential:
        if target.snmp is None:
            raise Unsupported(f"{target.hostname}: no SNMP credential in the inventory")
        return target.snmp

    def _silence(self, target: Target, deadline_s: float, started: float) -> str:
        """Say what was seen, not a guessed cause: a silence has several (agent down,
        filtered, another community or user, an agent too busy to answer in time)."""
        waited = time.monotonic() - started
        cred = target.snmp.name if target.snmp else "?"
        version = f"v{target.snmp.version}" if target.snmp else "?"
        seen = (
            f"no SNMP answer from {target.address}:{target.snmp_port} within {waited:.1f} s "
            f"({self.retries + 1} tries of {self.timeout_s:g} s, deadline {deadline_s:g} s; "
            f"credential {cred!r}, SNMP {version})"
        )
        return seen + self._note

    async def open_session(self, target: Target) -> SnmpSession:
        """A session to ``target`` (SNMPv3 engine discovery done), for a caller that walks
        its own tables (discovery's neighbour tables)."""
        return await self._open(target)

    async def get(self, session: SnmpSession, oids: list[str]) -> dict[str, mib.ValueType]:
        """One GET of ``oids`` with the collector's retries (absent objects are left out)."""
        values: dict[str, mib.ValueType] = await self._retry(lambda: session.get_many(oids))
        return values

    async def _open(self, target: Target) -> SnmpSession:
        cred = self._cred(target)
        options: dict[str, Any] = {
            "port": target.snmp_port,
            "timeout": self.timeout_s,
            "max_repetitions": self.max_repetitions,
        }
        if cred.version == "3":
            user = _v3_user(cred.user, cred.auth_protocol, cred.auth_key, cred.priv_key)
            session = SnmpSession(target.address, user=user, **options)
            # Engine discovery and time sync: one round trip, retried like any request.
            await self._retry(session.refresh)
            return session
        return SnmpSession(target.address, community=cred.community, **options)

    async def _retry(self, request: Callable[[], Any], timed: bool = True) -> Any:
        """Send again on a timeout; ``timed``: the request is one round trip, whose time
        tells the pace how busy the agents are (a column walk times its own requests)."""
        for attempt in range(self.retries + 1):
            try:
                sent = time.monotonic()
                answer = await request()
                if timed:
                    self._pace.observe(time.monotonic() - sent)
                return answer
            except TimeoutError:
                if attempt == self.retries:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def walk(
        self, session: SnmpSession, column: str, repetitions: int = 0
    ) -> list[tuple[str, mib.ValueType]]:
        """GETBULK one column; on tooBig halve max-repetitions and start the column again."""
        repetitions = repetitions or self.max_repetitions

        async def attempt() -> list[tuple[str, mib.ValueType]]:
            return await bulk_column(session, column, repetitions, self._pace.observe)

        while True:
            try:
                rows: list[tuple[str, mib.ValueType]] = await self._retry(attempt, timed=False)
                return rows
            except SnmpError as exc:
                if not _is_too_big(exc) or repetitions == 1:
                    raise
                repetitions = max(1, repetitions // 2)

    async def _columns(
        self, session: SnmpSession, columns: dict[str, str]
    ) -> dict[str, dict[int, mib.ValueType]]:
        """Walk each column. Once the first column tells how many rows the table has, the
        narrow columns (numbers, MACs: ~25 bytes a row) are asked in one request each: rows + 1
        repetitions (at most NARROW_REPETITIONS), so that the reply also shows the column's end.
        On a 48-port switch that is 14 requests instead of 21 (bench/bench_snmp.py)."""
        walked: dict[str, dict[int, mib.ValueType]] = {}
        rows = 0
        for key, oid in columns.items():
            narrow = key in mib.NARROW_COLUMNS and rows
            reps = min(NARROW_REPETITIONS, max(self.max_repetitions, rows + 1)) if narrow else 0
            walked[key] = mib.by_index(await self.walk(session, oid, reps), oid)
            rows = rows or len(walked[key])
        return walked

    # -- parts ----------------------------------------------------------------------------
    async def _system(self, session: SnmpSession, facts: DeviceFacts) -> None:
        values = await self._retry(lambda: session.get_many(list(mib.SYSTEM)))
        if mib.SYS_DESCR not in values:
            raise BadResponse("agent answered without sysDescr.0")
        facts.sys_descr = mib.text(values.get(mib.SYS_DESCR))
        facts.sys_name = mib.text(values.get(mib.SYS_NAME)) or None
        facts.sys_object_id = mib.text(values.get(mib.SYS_OBJECT_ID)) or None
        ticks = mib.integer(values.get(mib.SYS_UPTIME), mib.GAUGE32)  # TimeTicks
        facts.uptime_s = ticks // 100 if ticks is not None else None
        # The vendor MIB scalars worth asking depend on the sysObjectID just read: a second
        # GET, only for the makers whose release is not in sysDescr (FortiGate, PAN-OS, …).
        extra_oids = extra_oids_for(facts.sys_object_id)
        extra: dict[str, str] = {}
        if extra_oids:
            answered = await self._retry(lambda: session.get_many(list(extra_oids)))
            extra = {oid: mib.text(value) for oid, value in answered.items()}
        identity = identify(facts.sys_object_id, facts.sys_descr, extra)
        facts.vendor = identity.vendor
        if identity.os_version is not None:
            # A bare "Linux" guess would overwrite the distribution SSH saw: only say
            # what the device really tells.
            facts.os_name, facts.os_version = identity.os_name, identity.os_version
        facts.device_class = identity.device_class

    async def _interfaces(self, session: SnmpSession, facts: DeviceFacts) -> None:
        columns = await self._columns(session, mib.IF_COLUMNS)
        facts.interfaces = mib.interfaces(columns)

    async def _entity(self, session: SnmpSession, facts: DeviceFacts) -> None:
        classes = mib.by_index(await self.walk(session, mib.ENT_CLASS), mib.ENT_CLASS)
        chassis = [index for index, value in sorted(classes.items()) if value == mib.ENT_CHASSIS]
        if not chassis:
            return  # no ENTITY-MIB (or no chassis row): model and serial stay unknown
        oids = {
            f"{mib.ENT_PHYSICAL}.{column}.{chassis[0]}": column
            for column in (mib.ENT_SERIAL, mib.ENT_MFG, mib.ENT_MODEL)
        }
        values = await self._retry(lambda: session.get_many(list(oids)))
        found = {oids[oid]: mib.text(value) for oid, value in values.items() if oid in oids}
        facts.serial = found.get(mib.ENT_SERIAL) or None
        facts.model = found.get(mib.ENT_MODEL) or None
        if found.get(mib.ENT_MFG):
            facts.vendor = facts.vendor or found[mib.ENT_MFG]

    async def _software(self, session: SnmpSession, facts: DeviceFacts) -> None:
        rows = await self.walk(session, mib.HR_SW_NAME)
        facts.software = mib.software(value for _, value in rows)

    async def _processes(self, session: SnmpSession, facts: DeviceFacts) -> None:
        rows = await self.walk(session, mib.HR_SW_RUN_NAME)
        facts.host_state = {"processes": mib.processes(value for _, value in rows)}

    async def _storage(self, session: SnmpSession, facts: DeviceFacts) -> None:
        facts.storage = mib.storage(await self._columns(session, mib.HR_STORAGE_COLUMNS))
