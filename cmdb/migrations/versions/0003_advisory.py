"""advisory: imported security advisories (CSAF, NVD, OSV)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('advisory',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('advisory_id', sa.String(length=128), nullable=False),
    sa.Column('source_format', sa.String(length=8), nullable=False),
    sa.Column('revision', sa.String(length=64), nullable=False),
    sa.Column('modified', sa.DateTime(), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('cve_ids', sa.JSON(), nullable=False),
    sa.Column('cvss_version', sa.String(length=8), nullable=True),
    sa.Column('cvss_score', sa.Float(), nullable=True),
    sa.Column('cvss_vector', sa.String(length=255), nullable=True),
    sa.Column('cvss_severity', sa.String(length=16), nullable=True),
    sa.Column('cvss_published_score', sa.Float(), nullable=True),
    sa.Column('affected', sa.JSON(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('source_file', sa.String(length=500), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advisory')),
    sa.UniqueConstraint('advisory_id', name=op.f('uq_advisory_advisory_id'))
    )


def downgrade() -> None:
    op.drop_table('advisory')
