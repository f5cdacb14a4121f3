"""Layer 0, data: controls, rules, the base-software standard, lifecycle tables and costs, each
with its source. Shipped inside the package so that an installed Atalaya finds its policies."""

from pathlib import Path

DIRECTORY = Path(__file__).resolve().parent
