"""Alembic environment: the engine is handed over by `cmdb.db`, never read from a file."""

from __future__ import annotations

from alembic import context

from cmdb.db import include_object
from cmdb.models import Base

config = context.config
engine = config.attributes["engine"]


with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=engine.dialect.name == "sqlite",  # SQLite alters tables by copy
        compare_type=True,
        include_object=include_object,
    )
    context.run_migrations()
