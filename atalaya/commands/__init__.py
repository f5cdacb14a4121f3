"""Layer 4, the CLI: parses arguments, calls atalaya.jobs (and the web layer for serve), prints.

Every command of `atalaya` is registered here, one line each.
"""

from atalaya.commands.advisories import advisories
from atalaya.commands.audit import audit
from atalaya.commands.backup import backup, restore
from atalaya.commands.collect import collect
from atalaya.commands.evaluate import evaluate
from atalaya.commands.inventory import init, inventory
from atalaya.commands.lab import lab
from atalaya.commands.main import main
from atalaya.commands.report import report
from atalaya.commands.serve import serve
from atalaya.commands.status import status
from atalaya.commands.users import user

for command in (init, inventory, status, collect, evaluate, report, lab, backup, restore, serve,
                user, advisories, audit):  # fmt: skip
    main.add_command(command)

__all__ = ["main"]
