"""soa edits: the security officer's edits of the Statement of Applicability

Revision ID: 0006
Revises: 0002
Create Date: 2026-11-30 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0004'  # re-chained after 0004 (parallel branches)
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('soa_edit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('edition', sa.String(length=4), nullable=False),
    sa.Column('control', sa.String(length=16), nullable=False),
    sa.Column('applicable', sa.Boolean(), nullable=True),
    sa.Column('justification', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('owner', sa.String(length=200), nullable=True),
    sa.Column('documents', sa.JSON(), nullable=True),
    sa.Column('last_review', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_soa_edit')),
    sa.UniqueConstraint('edition', 'control', name='uq_soa_edit_control')
    )


def downgrade() -> None:
    op.drop_table('soa_edit')
