"""An interactive Cisco IOS exec session, enough for netmiko's `cisco_ios` driver unchanged.

User exec (``host>``) -> ``enable`` with the enable secret -> privileged exec (``host#``);
``terminal length 0`` / ``terminal width N``; words may be abbreviated as on IOS (``sh run``);
unknown input gets ``% Invalid input detected at '^' marker.``; output longer than the terminal
length pauses at `` --More-- `` until a key is pressed (space: page, enter: line, q: quit).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from lab import ios, ios_ssh, vpn
from lab.model import Device

ReadLine = Callable[[], Awaitable[str]]
ReadKey = Callable[[], Awaitable[str]]
Write = Callable[[str], None]

PRIVILEGED = ("show running-config", "show crypto ikev2 sa", "show crypto ikev2 sa detailed")
COMMANDS = (
    "show version", "show inventory", "show ip ssh", "show running-config", "show crypto ikev2 sa",
    "show crypto ikev2 sa detailed", "show clock", "show privilege", "terminal length",
    "terminal width", "terminal no monitor", "enable", "disable", "exit", "logout", "quit",
)


@dataclass
class Session:
    device: Device
    community: str
    enable_secret: str
    privileged: bool = False
    length: int = 24

    @property
    def prompt(self) -> str:
        return f"{self.device.hostname}{'#' if self.privileged else '>'}"


TAKES_ARGUMENT = ("terminal length", "terminal width")


def resolve(line: str, privileged: bool) -> tuple[str, list[str]] | int:
    """The full command an abbreviated line means, with its arguments; or, when nothing
    matches, the column of the first word no command accepts (for the ``^`` marker), or -1 for
    an incomplete command."""
    words = line.split()
    commands = [c for c in COMMANDS if privileged or c not in PRIVILEGED]
    for command in sorted(commands, key=lambda c: -len(c.split())):
        parts = command.split()
        if len(words) < len(parts):
            continue
        if not all(p.startswith(w.lower()) for p, w in zip(parts, words, strict=False)):
            continue
        args = words[len(parts):]
        if len(args) == (1 if command in TAKES_ARGUMENT else 0):
            return command, args
    column = 0
    for position, word in enumerate(words):
        column = line.index(word, column)
        if not any(len(c.split()) > position and c.split()[position].startswith(word.lower())
                   and all(p.startswith(w.lower()) for p, w in
                           zip(c.split()[:position], words[:position], strict=True))
                   for c in commands):
            return column
        column += len(word)
    return -1


def output(session: Session, command: str, args: list[str]) -> str | None:
    """Text for a resolved command (None: handled as a mode change, nothing printed)."""
    device = session.device
    if command == "show version":
        weeks = device.variant % 50 + 1
        return ios.show_version(device, f"{weeks} weeks, {device.variant % 7} days, 3 hours, "
                                        f"{device.variant % 60} minutes")
    if command == "show inventory":
        return ios.show_inventory(device)
    if command == "show ip ssh":
        return ios_ssh.show_ip_ssh(device)
    if command == "show running-config":
        return ios.running_config(device, session.community, session.enable_secret)
    if command.startswith("show crypto ikev2 sa"):
        if device.kind != "vpn_gateway":
            return "\n"  # no IKEv2 SAs on a box without crypto: IOS prints nothing
        return vpn.show_ikev2_sa(device, command.endswith("detailed"))
    if command == "show clock":
        return "*12:00:00.000 PET Tue Dec 1 2026\n"
    if command == "show privilege":
        return f"Current privilege level is {15 if session.privileged else 1}\n"
    if command == "terminal length":
        if args[0].isdigit():
            session.length = int(args[0])
        return None
    return None


async def run(session: Session, read_line: ReadLine, read_key: ReadKey, write: Write,
              read_secret: ReadLine, max_commands: int = 10_000) -> None:
    """Serve one interactive session until exit/logout or end of input."""
    write(f"\n{session.prompt}")
    for _ in range(max_commands):  # bounded: a stuck client cannot keep the task forever
        line = await read_line()
        if line == "":
            return
        text = line.rstrip("\r\n")
        if not text.strip():
            write(f"{session.prompt}")
            continue
        found = resolve(text, session.privileged)
        if found == -1:
            write(f"% Incomplete command.\n\n{session.prompt}")
            continue
        if isinstance(found, int):
            marker = " " * (len(session.prompt) + found) + "^"
            write(f"{marker}\n% Invalid input detected at '^' marker.\n\n{session.prompt}")
            continue
        command, args = found
        if command in ("exit", "logout", "quit"):
            return
        if command == "enable":
            await _enable(session, read_secret, write)
        elif command == "disable":
            session.privileged = False
        else:
            text_out = output(session, command, args)
            if text_out:
                await _page(session, text_out, read_key, write)
        write(f"{session.prompt}")


async def _enable(session: Session, read_secret: ReadLine, write: Write) -> None:
    if session.privileged:
        return
    for _ in range(3):
        write("Password: ")
        given = (await read_secret()).strip()
        write("\n")
        if given == session.enable_secret:
            session.privileged = True
            return
    write("% Bad secrets\n\n")


async def _page(session: Session, text: str, read_key: ReadKey, write: Write) -> None:
    lines = text.split("\n")
    if session.length == 0 or len(lines) <= session.length:
        write(text if text.endswith("\n") else text + "\n")
        return
    shown, step = 0, session.length - 1
    while shown < len(lines):
        chunk = lines[shown:shown + step]
        shown += len(chunk)
        write("\n".join(chunk) + "\n")
        if shown >= len(lines):
            return
        write(" --More-- ")
        key = await read_key()
        write("\b" * 10 + " " * 10 + "\b" * 10)  # IOS erases the marker before continuing
        if key in ("q", "Q", ""):
            return
        step = 1 if key in ("\r", "\n") else session.length - 1
