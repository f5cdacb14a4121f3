"""The requests on the wire, for collectors/snmp.py: a column walk that takes whole replies.

gufo-snmp 0.13 (pinned) drives one UDP socket per session; these helpers use that socket and
the session's send helper, the same calls gufo's own iterator makes, for the reasons below.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from gufo.snmp._fast import GetIter
from gufo.snmp.aio.client import SnmpSession

from collectors import snmp_mib as mib

Observe = Callable[[float], None]


async def bulk_column(
    session: SnmpSession, column: str, repetitions: int, observe: Observe
) -> list[tuple[str, mib.ValueType]]:
    """Walk one column a whole reply at a time.

    gufo-snmp's ``getbulk`` iterator hands out one value per ``__anext__`` (a coroutine, a
    buffer pop) and waits for each reply with ``asyncio.wait_for`` (a task per request): on
    48-port switches those were ~40 % of the collector's CPU (cProfile, bench/bench_snmp.py).
    Here each reply is one list and the wait is one future with a timer. It drives the
    session's socket with the same calls that iterator makes (gufo-snmp 0.13, pinned).
    """
    cursor, sock = GetIter(column, repetitions), session._sock
    rows: list[tuple[str, mib.ValueType]] = []
    while True:
        sent = time.monotonic()
        await session._send(lambda: sock.send_get_bulk(cursor))
        try:
            batch = await _reply(session, lambda: sock.recv_get_bulk(cursor))
        except StopAsyncIteration:  # the decoder's "end of MIB view" (or no such object)
            batch = [None]
        # Only answers are timed: a dead device's silence says nothing about queues.
        observe(time.monotonic() - sent)
        for row in batch:
            if row is None:  # end of the column's subtree
                return rows
            rows.append(row)
        if not batch:
            return rows


def _wake(future: asyncio.Future[None], error: BaseException | None = None) -> None:
    if not future.done():
        future.set_exception(error) if error else future.set_result(None)


async def _reply(session: SnmpSession, receive: Callable[[], Any]) -> Any:
    """Wait until the socket is readable, then decode; TimeoutError after the session's
    timeout. A datagram that is not ours (BlockingIOError) waits again, as gufo does."""
    loop, fd = asyncio.get_running_loop(), session._sock.get_fd()
    while True:
        future: asyncio.Future[None] = loop.create_future()
        loop.add_reader(fd, _wake, future)
        timer = loop.call_later(session._timeout, _wake, future, TimeoutError())
        try:
            await future
            return receive()
        except BlockingIOError:
            continue
        finally:
            timer.cancel()
            loop.remove_reader(fd)
