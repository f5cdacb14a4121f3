"""How many devices the SNMP collector polls at once: additive increase, multiplicative decrease.

A fixed concurrency is either too timid for fast agents or too much for slow ones: in the
full lab the simulated agents (two processes on two cores) answered slower and slower as 64
devices were polled at once, until some requests passed their timeout. The collector's own
load must not cause a timeout (issue 15), so, as TCP does with its window, the number of
devices in flight grows by one per window of replies that come back at the usual speed and
is halved when replies come back much slower than the fastest seen (or not at all).
"""

from __future__ import annotations

import asyncio
import collections
import time

SLOW = 4.0  # a reply this many times slower than the fastest seen means queues are building
SLOW_FLOOR_S = 0.05  # below this a reply is fast, whatever the ratio (loopback agents: ~1 ms)


class Pace:
    """A semaphore whose limit moves between ``floor`` and ``ceiling`` (AIMD)."""

    def __init__(self, ceiling: int, floor: int = 4) -> None:
        self.ceiling = max(1, ceiling)
        self.floor = min(floor, self.ceiling)
        self.limit = float(self.ceiling)
        self.in_flight = 0
        self.cuts = 0  # how often answers slowed down: said in timeout messages, counted
        self.fastest = float("inf")
        self._last_cut = 0.0
        self._waiting: collections.deque[asyncio.Future[None]] = collections.deque()

    async def acquire(self) -> None:
        while self.in_flight >= int(self.limit):
            future = asyncio.get_running_loop().create_future()
            self._waiting.append(future)
            await future
        self.in_flight += 1

    def release(self) -> None:
        self.in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        free = int(self.limit) - self.in_flight
        while free > 0 and self._waiting:
            future = self._waiting.popleft()
            if not future.done():
                future.set_result(None)
                free -= 1

    def observe(self, seconds: float) -> None:
        """One reply came back after ``seconds``."""
        self.fastest = min(self.fastest, seconds)
        if seconds > SLOW_FLOOR_S and seconds > SLOW * self.fastest:
            self.slowed(seconds)
        elif self.limit < self.ceiling:
            self.limit = min(self.ceiling, self.limit + 1 / self.limit)
            self._wake()

    def slowed(self, seconds: float) -> None:
        """Answers slowed (or one never came): halve, at most once per such delay, so that
        the replies already on their way do not cut the limit again for the same queue."""
        now = time.monotonic()
        if now - self._last_cut < seconds:
            return
        self._last_cut = now
        self.limit = max(float(self.floor), self.limit / 2)
        self.cuts += 1
