"""One netmiko session held to the device's deadline: privilege, the first read, closing,
and what a netmiko/paramiko error really means.

netmiko's own steps carry fixed timeouts (enable() reads for up to 10 s) and report a slow
CLI as something else: "Failed to enter enable mode" is a ValueError, a late login answer is
paramiko's AuthenticationException("Authentication timeout."). Here every read gets what is
left of the deadline, and an error is classified by its cause: a timeout is `Timeout`.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from netmiko.exceptions import NetmikoAuthenticationException, NetmikoTimeoutException, ReadTimeout

from collectors.base import AuthFailed, BadResponse, CollectorError, Target, Timeout

# Seconds left of the device's deadline; <= 0 once it has passed.
Remaining = Callable[[], float]

# IOS answers a refused enable secret with one of these before giving back the user prompt.
ENABLE_REFUSED = re.compile(r"% (?:Access denied|Bad secrets?|No password set)", re.IGNORECASE)


class ChannelLogFilter(logging.Filter):
    """Keep device output out of netmiko's DEBUG log.

    netmiko logs every read and write on the channel at DEBUG: the unredacted running
    configuration with its communities, type-7 passwords and pre-shared keys (found by
    tests/security). Its own SecretsFilter masks only the login password and enable secret,
    and only while that connection lives. Redacting the chunks is not enough (a secret line
    can span two reads), so channel data is replaced by its size, records that are nothing
    but output are dropped, and netmiko's own progress messages are kept."""

    SIZED = ("read_channel:", "write_channel:", "Pattern found:")
    KEPT = ("[find_prompt()]", "In disable_paging", "Exiting disable_paging", "Command:")

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG:
            return True
        message = record.getMessage()
        for prefix in self.SIZED:
            if message.startswith(prefix):
                record.msg, record.args = "%s <%d characters not logged>", (prefix, len(message))
                return True
        return message.startswith(self.KEPT) or message.startswith("Sending ")


CHANNEL_LOG_FILTER = ChannelLogFilter()
# netmiko logs through the one "netmiko" logger; a logger filter sees each of its records
# before any handler, whoever configured logging.
logging.getLogger("netmiko").addFilter(CHANNEL_LOG_FILTER)


def prompt_at_end(base_prompt: str) -> str:
    """The device's prompt as the very end of what was read, never just anywhere in it.

    Why not netmiko's default: without ``expect_string`` each command first runs
    find_prompt(), which under CPU load sends extra RETURNs whose late prompts land in front
    of the next command's output; the unanchored prompt search then matched that stray
    prompt and returned a configuration cut short. Anchoring at the end (and naming the
    prompt from the validated base prompt) also saves find_prompt's round trip per command.
    """
    return re.escape(base_prompt.strip()) + r"[>#$%]\s*\Z"


def deadline_clock(started: float, deadline_s: float) -> Remaining:
    return lambda: deadline_s - (time.monotonic() - started)


def _read(conn: Any, pattern: str, remaining: Remaining, waiting_for: str) -> str:
    left = remaining()
    if left <= 0:
        raise Timeout(f"deadline reached waiting for {waiting_for}")
    try:
        output: str = conn.read_until_pattern(pattern=pattern, read_timeout=left)
    except (ReadTimeout, NetmikoTimeoutException) as exc:
        raise Timeout(f"no {waiting_for} within the deadline ({left:.1f} s left)") from exc
    return output


def enable(conn: Any, target: Target, remaining: Remaining) -> None:
    """Enter privileged EXEC within the deadline.

    Not netmiko's enable(): it first sends a RETURN to test the mode and then reads with its
    own 10 s timeout, so a CLI answering each line 2 s late made a 5 s deadline last 10 s and
    came back as ValueError("Failed to enter enable mode"), recorded as bad_response. Sending
    `enable` at once is harmless on a user already at privilege 15 (IOS just prompts `#`).
    """
    prompt = re.escape(conn.base_prompt.strip())
    conn.write_channel(conn.normalize_cmd("enable"))
    # Stray `host>` prompts from netmiko's session preparation may arrive first: wait for the
    # password prompt or the privileged prompt, not any prompt.
    output = _read(conn, rf"(?:ssword:?|{prompt}#)\s*\Z", remaining, "enable password prompt")
    if re.search(rf"{prompt}#\s*\Z", output):
        return
    secret = target.ssh.enable_secret if target.ssh else ""
    conn.write_channel(conn.normalize_cmd(secret))
    output = _read(conn, rf"{prompt}[>#]\s*\Z", remaining, "prompt after the enable secret")
    if not re.search(rf"{prompt}#\s*\Z", output) or ENABLE_REFUSED.search(output):
        name = target.ssh.name if target.ssh else "?"
        raise AuthFailed(f"enable secret refused by {target.address}: check credential {name!r}")


def read_complete(
    conn: Any,
    command: str,
    output: str,
    complete: Callable[[str], bool],
    remaining: Remaining,
) -> str:
    """The first command's whole answer, read past stray prompts.

    netmiko's session preparation sends extra RETURNs when the CLI is slow to answer; their
    late prompts end the first command's read before its output came (an empty os-release,
    once recorded as bad_response). Until the output looks complete, keep reading up to the
    next prompt while the deadline allows; running out of it is a timeout."""
    prompt = prompt_at_end(conn.base_prompt)
    for _ in range(20):  # bounded: each pass consumes one stray prompt
        if complete(output):
            return output
        output += _read(conn, prompt, remaining, f"output of {command!r}")
    return output


def classify(exc: BaseException, target: Target) -> CollectorError:
    """A netmiko/paramiko/socket error as the collector's reason, by its real cause."""
    text = str(exc)
    where = f"SSH to {target.address}:{target.ssh_port}"
    if isinstance(exc, NetmikoAuthenticationException):
        # paramiko says "Authentication timeout." when the answer to the login came late
        if "timeout" in text.lower():
            return Timeout(f"{where}: no answer to the login within the deadline")
        name = target.ssh.name if target.ssh else "?"
        return AuthFailed(f"SSH login refused by {target.address}: check credential {name!r}")
    if isinstance(exc, NetmikoTimeoutException | ReadTimeout | TimeoutError):
        return Timeout(f"{where}: {first_line(exc)}")
    if isinstance(exc, ValueError) and "enable mode" in text:
        # netmiko raises this ValueError for its own read timeouts inside enable()
        return Timeout(f"{where}: no privileged prompt within the deadline")
    return BadResponse(f"SSH to {target.address}: {first_line(exc)}")


def close(conn: Any, graceful: bool) -> None:
    """Say `exit` only to a CLI that is still talking. netmiko's disconnect() first reads for
    the prompt (up to 10 s) to leave config mode: on a session that hung mid-output that
    doubled the device's deadline (4 s deadline, 14 s poll), so a failed session is just cut."""
    if graceful:
        conn.disconnect()
        return
    try:
        conn.paramiko_cleanup()
    except Exception:  # the session is already broken: closing is best effort
        pass
    finally:
        conn.remote_conn_pre = conn.remote_conn = None
        if conn.session_log:
            conn.session_log.close()
        logging.getLogger("netmiko").removeFilter(conn._secrets_filter)


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
