"""device liveness apart from the device row; /metrics text stored; indexes for lists

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-30 17:00:00

last_seen, last_polled and uptime_s move on every poll: in their own table a cycle of an
unchanged network writes no device row (cmdb/models/liveness.py). Their values are copied.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0008"  # re-chained after 0008 (parallel branches)
branch_labels = None
depends_on = None

MOVED = ("last_seen", "last_polled", "uptime_s")


def upgrade() -> None:
    op.create_table(
        "device_liveness",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=True),
        sa.Column("last_polled", sa.DateTime(), nullable=True),
        sa.Column("uptime_s", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["device.id"],
            name=op.f("fk_device_liveness_device_id_device"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_device_liveness")),
    )
    op.execute(
        "INSERT INTO device_liveness (device_id, last_seen, last_polled, uptime_s) "
        "SELECT id, last_seen, last_polled, uptime_s FROM device "
        "WHERE last_seen IS NOT NULL OR last_polled IS NOT NULL OR uptime_s IS NOT NULL"
    )
    with op.batch_alter_table("device", schema=None) as batch_op:
        for column in MOVED:
            batch_op.drop_column(column)
    op.create_table(
        "metrics_exposition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metrics_exposition")),
    )
    _indexes_up()


def downgrade() -> None:
    _indexes_down()
    op.drop_table("metrics_exposition")
    with op.batch_alter_table("device", schema=None) as batch_op:
        batch_op.add_column(sa.Column("uptime_s", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("last_seen", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("last_polled", sa.DateTime(), nullable=True))
    for column in MOVED:
        op.execute(
            f"UPDATE device SET {column} = (SELECT {column} FROM device_liveness "
            "WHERE device_liveness.device_id = device.id)"
        )
    op.drop_table("device_liveness")


INDEXES: list[tuple[str, str, list[str]]] = [
    ("ix_finding_last_changed", "finding", ["last_changed", "id"]),
    ("ix_finding_status_last_changed", "finding", ["status", "last_changed"]),
    ("ix_finding_ci", "finding", ["ci_type", "ci_id"]),
]


def _indexes_up() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns, unique=False)


def _indexes_down() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table_name=table)
