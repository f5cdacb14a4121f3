"""Misbehaving peers of our own, on loopback: an SNMP agent and an IOS-like SSH CLI.

The SNMP responder is a plain UDP socket speaking just enough BER (SNMPv2c) to answer with
malformed packets, `tooBig` on every request, or a table that stops answering half-way. The
SSH CLI is asyncssh (as `lab/ssh_agent.py`) and prints half a running-config, then hangs or
closes the channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Iterator

import asyncssh

SYS_DESCR = "1.3.6.1.2.1.1.1.0"
IF_DESCR = "1.3.6.1.2.1.2.2.1.2"


# -- BER, only what SNMPv2c needs -------------------------------------------------------------
def _tlv(tag: int, body: bytes) -> bytes:
    if len(body) < 0x80:
        return bytes([tag, len(body)]) + body
    size = len(body).to_bytes((len(body).bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body


def _int(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes((value.bit_length() + 8) // 8 or 1, "big", signed=True))


def _oid(dotted: str) -> bytes:
    arcs = [int(a) for a in dotted.split(".")]
    body = bytearray([40 * arcs[0] + arcs[1]])
    for arc in arcs[2:]:
        chunk = [arc & 0x7F]
        while arc > 0x7F:
            arc >>= 7
            chunk.insert(0, 0x80 | (arc & 0x7F))
        body += bytes(chunk)
    return _tlv(0x06, bytes(body))


def _read(data: bytes, at: int) -> tuple[int, bytes, int]:
    """(tag, body, next offset) of the TLV at ``at``."""
    tag, size, at = data[at], data[at + 1], at + 2
    if size & 0x80:
        count = size & 0x7F
        size, at = int.from_bytes(data[at : at + count], "big"), at + count
    return tag, data[at : at + size], at + size


def _decode_oid(body: bytes) -> str:
    arcs, value = [body[0] // 40, body[0] % 40], 0
    for octet in body[1:]:
        value = (value << 7) | (octet & 0x7F)
        if not octet & 0x80:
            arcs.append(value)
            value = 0
    return ".".join(map(str, arcs))


def parse_request(data: bytes) -> tuple[int, int, bytes, list[str]]:
    """(PDU tag, request-id, community, OIDs) of an SNMPv2c request."""
    _, message, _ = _read(data, 0)
    _, _, at = _read(message, 0)  # version
    _, community, at = _read(message, at)
    pdu_tag, pdu, _ = _read(message, at)
    _, request_id, at = _read(pdu, 0)
    _, _, at = _read(pdu, at)
    _, _, at = _read(pdu, at)
    _, varbinds, _ = _read(pdu, at)
    oids, at = [], 0
    while at < len(varbinds):
        _, varbind, at = _read(varbinds, at)
        _, oid, _ = _read(varbind, 0)
        oids.append(_decode_oid(oid))
    return pdu_tag, int.from_bytes(request_id, "big", signed=True), community, oids


def response(
    community: bytes, request_id: int, rows: list[tuple[str, bytes]], error: int = 0
) -> bytes:
    varbinds = b"".join(_tlv(0x30, _oid(oid) + value) for oid, value in rows)
    pdu = _tlv(0xA2, _int(request_id) + _int(error) + _int(0) + _tlv(0x30, varbinds))
    return _tlv(0x30, _int(1) + _tlv(0x04, community) + pdu)


class BadAgent:
    """One UDP SNMP responder; ``mode`` is garbage | toobig | partial. Counts what it got."""

    def __init__(self, address: str, mode: str) -> None:
        self.mode = mode
        self.requests = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, 0))
        self.sock.settimeout(0.1)
        self.port: int = self.sock.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data, peer = self.sock.recvfrom(65535)
            except TimeoutError:
                continue
            self.requests += 1
            reply = self.answer(data)
            if reply is not None:
                self.sock.sendto(reply, peer)

    def answer(self, data: bytes) -> bytes | None:
        tag, request_id, community, oids = parse_request(data)
        if self.mode == "garbage":
            # a SEQUENCE announcing 65,535 bytes that holds nine, then noise
            return b"\x30\x82\xff\xff\x02\x01\x01\x04\x02ok\xa2\x00\xff\xfe"
        if self.mode == "toobig":
            return response(community, request_id, [(o, b"\x05\x00") for o in oids], error=1)
        # partial: the system group answers, a table walk gets one page and then silence
        if tag == 0xA0:
            descr = _tlv(0x04, b"Cisco IOS Software, C2960X Software, Version 15.2(7)E9")
            rows = [(o, descr if o == SYS_DESCR else b"\x80\x00") for o in oids]
            return response(community, request_id, rows)
        if tag == 0xA5 and oids and oids[0] == IF_DESCR:
            rows = [(f"{IF_DESCR}.{i}", _tlv(0x04, f"Gi1/0/{i}".encode())) for i in (1, 2, 3)]
            return response(community, request_id, rows)
        return None  # the rest of the table never comes

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


# -- SSH --------------------------------------------------------------------------------------
HALF_CONFIG = (
    "Building configuration...\n\nCurrent configuration : 4096 bytes\n!\nversion 15.2\n"
    + "".join(f"interface GigabitEthernet1/0/{n}\n description port {n}\n!\n" for n in range(1, 30))
)
FULL_CONFIG = HALF_CONFIG + "hostname ok\nline vty 0 4\n transport input ssh\n!\nend\n"


class StallingCli:
    """An IOS-like exec on one address per mode: ``hang`` stops mid running-config, ``drop``
    closes the channel there, ``ok`` prints the whole configuration."""

    def __init__(self, addresses: dict[str, str]) -> None:
        self.addresses = addresses  # address -> mode
        self.port = 0
        self.loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.port = asyncio.run_coroutine_threadsafe(self._listen(), self.loop).result(10)

    async def _listen(self) -> int:
        key = asyncssh.generate_private_key("ssh-ed25519")
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        probe.close()
        self.listeners = [
            await asyncssh.listen(
                address,
                port,
                server_host_keys=[key],
                process_factory=self._handle,
                password_auth=True,
                server_factory=_AnyPassword,
            )
            for address in self.addresses
        ]
        return port

    async def _handle(self, process: asyncssh.SSHServerProcess[str]) -> None:
        mode = self.addresses[process.get_extra_info("sockname")[0]]
        prompt = f"{mode}#"
        process.stdout.write(f"\n{prompt}")
        for _ in range(100):  # bounded session
            try:
                line = await process.stdin.readline()
            except (asyncssh.BreakReceived, asyncssh.TerminalSizeChanged):
                continue
            if not line or line.strip() in ("exit", "logout"):
                break
            command = line.strip()
            if command.startswith(("show running-config", "sh run")):
                process.stdout.write(
                    (FULL_CONFIG if mode == "ok" else HALF_CONFIG).replace("\n", "\r\n")
                )
                if mode == "hang":
                    await asyncio.sleep(600)  # the rest of the configuration never comes
                if mode == "drop":
                    break
            elif command.startswith("show version"):
                process.stdout.write(
                    f"Cisco IOS Software, Version 15.2(7)E9\r\n{mode} uptime is 1 day\r\n"
                )
            process.stdout.write(f"\r\n{prompt}")
        process.exit(0)

    def stop(self) -> None:
        async def close() -> None:
            for listener in self.listeners:
                listener.close()

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(close(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)


class _AnyPassword(asyncssh.SSHServer):
    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return True


@contextlib.contextmanager
def bad_agents(modes: dict[str, str]) -> Iterator[dict[str, BadAgent]]:
    agents = {address: BadAgent(address, mode) for address, mode in modes.items()}
    try:
        yield agents
    finally:
        for agent in agents.values():
            agent.stop()
