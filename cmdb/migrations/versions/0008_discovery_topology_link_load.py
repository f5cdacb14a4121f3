"""discovery: sites' management prefixes, discovered devices, neighbour links, link load

Revision ID: 0008
Revises: 0002
Create Date: 2026-11-30 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"  # re-chained after 0006 (parallel branches)
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("site", schema=None) as batch_op:
        # server_default: existing sites declare no prefix
        batch_op.add_column(
            sa.Column("management_prefixes", sa.String(length=400), nullable=False,
                      server_default="")
        )
    op.create_table(
        "discovered_device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("seen_by", sa.JSON(), nullable=False),
        sa.Column("mac", sa.String(length=32), nullable=False),
        sa.Column("sys_name", sa.String(length=255), nullable=False),
        sa.Column("sys_descr", sa.Text(), nullable=False),
        sa.Column("sys_object_id", sa.String(length=120), nullable=False),
        sa.Column("serial", sa.String(length=120), nullable=False),
        sa.Column("vendor", sa.String(length=120), nullable=False),
        sa.Column("os_name", sa.String(length=120), nullable=False),
        sa.Column("os_version", sa.String(length=120), nullable=False),
        sa.Column("device_class", sa.String(length=32), nullable=False),
        sa.Column("identity_rule", sa.String(length=64), nullable=False),
        sa.Column("identity_evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"],
                                name=op.f("fk_discovered_device_device_id_device"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"],
                                name=op.f("fk_discovered_device_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discovered_device")),
        sa.UniqueConstraint("site_id", "address", name="uq_discovered_site_address"),
    )
    with op.batch_alter_table("discovered_device", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_discovered_device_site_id"), ["site_id"])
    op.create_table(
        "neighbour_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("port", sa.String(length=120), nullable=False),
        sa.Column("peer_device_id", sa.Integer(), nullable=False),
        sa.Column("peer_port", sa.String(length=120), nullable=False),
        sa.Column("protocol", sa.String(length=16), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("gone_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["device_id"], ["device.id"],
                                name=op.f("fk_neighbour_link_device_id_device"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["peer_device_id"], ["device.id"],
                                name=op.f("fk_neighbour_link_peer_device_id_device"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_neighbour_link")),
        sa.UniqueConstraint("device_id", "port", "peer_device_id", "peer_port",
                            name="uq_neighbour_link_ends"),
    )
    with op.batch_alter_table("neighbour_link", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_neighbour_link_device_id"), ["device_id"])
        batch_op.create_index(batch_op.f("ix_neighbour_link_peer_device_id"), ["peer_device_id"])
    op.create_table(
        "link_load_sample",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("interface", sa.String(length=120), nullable=False),
        sa.Column("uptime_ticks", sa.Integer(), nullable=False),
        sa.Column("in_octets", sa.String(length=20), nullable=False),
        sa.Column("out_octets", sa.String(length=20), nullable=False),
        sa.Column("in_bps", sa.Float(), nullable=True),
        sa.Column("out_bps", sa.Float(), nullable=True),
        sa.Column("in_ratio", sa.Float(), nullable=True),
        sa.Column("out_ratio", sa.Float(), nullable=True),
        sa.Column("note", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["link_id"], ["link.id"],
                                name=op.f("fk_link_load_sample_link_id_link"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_load_sample")),
    )
    with op.batch_alter_table("link_load_sample", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_link_load_sample_at"), ["at"])
        batch_op.create_index(batch_op.f("ix_link_load_sample_link_id"), ["link_id"])


def downgrade() -> None:
    op.drop_table("link_load_sample")
    op.drop_table("neighbour_link")
    op.drop_table("discovered_device")
    with op.batch_alter_table("site", schema=None) as batch_op:
        batch_op.drop_column("management_prefixes")
