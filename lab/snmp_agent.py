"""One SNMP agent process serving many simulated devices, each on its own address.

It is each device's snmpsim data file, parsed once into a sorted table (lab/snmp_table.py:
why), behind pysnmp's command responders, with the one change LAB-NOTES asks for: the data file
is chosen by the address the request arrived on, not by the community. snmpsim 1.2.2's own
responder cannot do that under pysnmp 7.1 (its per-address hook is dead code) and keeps only 31
data files open; here each device's file stays open. The community (or SNMPv3 user) must still be
the one configured for the device's region, as on a real network.

Run: ``python -m lab.snmp_agent PLAN.json`` (the plan is written by `lab.runtime`).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import signal
import sys
from pathlib import Path
from typing import Any

from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.entity import config, engine
from pysnmp.entity.rfc3413 import cmdrsp, context
from pysnmp.proto import rfc1902

from lab.faults import FaultView
from lab.snmp_table import DeviceTable
from lab.traffic import SYS_UPTIME, TrafficView


class DeviceData(DeviceTable):
    """One device's precomputed table (lab.snmp_table), with the values that advance with the
    clock (sysUpTime, WAN octet counters: lab.traffic) computed live on each read."""

    def __init__(self, path: str, hostname: str = "", traffic: TrafficView | None = None) -> None:
        super().__init__(path)
        self.hostname, self.traffic = hostname, traffic

    def _live(self, answers: Any) -> Any:
        values = self.traffic.values(self.hostname) if self.traffic is not None else {}
        if not values:
            return answers
        kinds = {SYS_UPTIME: rfc1902.TimeTicks}
        return [
            (oid, kinds.get(str(oid), rfc1902.Counter64)(values[str(oid)]))
            if str(oid) in values else (oid, value)
            for oid, value in answers
        ]  # fmt: skip

    def read_variables(self, *var_binds: Any, **kwargs: Any) -> Any:
        return self._live(super().read_variables(*var_binds, **kwargs))

    def read_next_variables(self, *var_binds: Any, **kwargs: Any) -> Any:
        return self._live(super().read_next_variables(*var_binds, **kwargs))


class Endpoint:
    def __init__(self, spec: dict[str, Any], domain: tuple[int, ...]) -> None:
        self.hostname: str = spec["hostname"]
        self.site: str = spec["site"]
        self.allowed: tuple[int, str] = (3, spec["v3_user"]) if spec.get("v3_user") else (
            2, spec["credential"])
        self.domain = domain


def _responder(base: type, endpoints: dict[tuple[int, ...], Endpoint],
               faults: FaultView) -> type:
    """A subclass of a pysnmp responder that routes by the receiving address."""

    class Routed(base):
        def process_pdu(self, snmp_engine: Any, mp_model: Any, security_model: Any,
                        security_name: Any, security_level: Any, context_engine_id: Any,
                        context_name: Any, *rest: Any) -> None:
            ctx = snmp_engine.observer.get_execution_context("rfc3412.receiveMessage:request")
            endpoint = endpoints.get(tuple(ctx["transportDomain"]))
            if endpoint is None:
                return
            model = 3 if security_model == 3 else 2
            if (model, str(security_name)) != endpoint.allowed:
                return  # another region's community or user: a real device stays silent
            if model == 3 and int(security_level) != 3:
                return  # only authPriv is configured on the devices
            if faults.drops(endpoint.site):
                return
            parent = super().process_pdu
            args = (snmp_engine, mp_model, security_model, security_name, security_level,
                    context_engine_id, endpoint.hostname, *rest)
            delay = faults.delay(endpoint.site)
            if delay > 0:
                # asynchronous delay: only this device answers late, the process keeps serving
                asyncio.get_running_loop().call_later(delay, lambda: parent(*args))
            else:
                parent(*args)

    return Routed


def build(plan: dict[str, Any]) -> engine.SnmpEngine:
    secrets = Path(plan["secrets_dir"])
    snmp_engine = engine.SnmpEngine()
    for cred in plan["credentials"]:
        if cred["version"] == "2c":
            community = (secrets / cred["community"]).read_text().strip()
            config.add_v1_system(snmp_engine, cred["name"], community)
        else:
            config.add_v3_user(
                snmp_engine, cred["user"], config.USM_AUTH_HMAC96_SHA,
                (secrets / cred["auth_key"]).read_text().strip(), config.USM_PRIV_CFB128_AES,
                (secrets / cred["priv_key"]).read_text().strip())
    snmp_context = context.SnmpContext(snmp_engine)
    snmp_context.unregister_context_name(b"")
    endpoints: dict[tuple[int, ...], Endpoint] = {}
    traffic = TrafficView(Path(plan["traffic_file"])) if plan.get("traffic_file") else None
    for n, spec in enumerate(plan["devices"], start=1):
        domain = (*udp.DOMAIN_NAME, n)
        transport = udp.UdpAsyncioTransport().open_server_mode((spec["address"], spec["port"]))
        config.add_transport(snmp_engine, domain, transport)
        endpoints[domain] = Endpoint(spec, domain)
        data = DeviceData(spec["datafile"], spec["hostname"], traffic)
        snmp_context.register_context_name(spec["hostname"], data)
    faults = FaultView(Path(plan["faults_file"]), plan.get("instance", ""), random.Random())
    for base in (cmdrsp.GetCommandResponder, cmdrsp.NextCommandResponder,
                 cmdrsp.BulkCommandResponder, cmdrsp.SetCommandResponder):
        _responder(base, endpoints, faults)(snmp_engine, snmp_context)
    return snmp_engine


async def serve(plan: dict[str, Any]) -> None:
    snmp_engine = build(plan)
    snmp_engine.transport_dispatcher.job_started(1)
    Path(plan["ready_file"]).write_text(str(os.getpid()))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    snmp_engine.transport_dispatcher.close_dispatcher()


def main(argv: list[str]) -> int:
    plan = json.loads(Path(argv[1]).read_text())
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 4 * len(plan["devices"]) + 256  # socket + text file + dbm per device
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    asyncio.run(serve(plan))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
