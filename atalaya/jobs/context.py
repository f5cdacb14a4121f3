"""What every command needs: the settings, parsed once, and a migrated database engine."""

from __future__ import annotations

from functools import cached_property

from sqlalchemy import Engine

from atalaya.settings import Settings, load_settings
from cmdb import db


class AppContext:
    """What every command needs: the settings and a migrated database engine."""

    def __init__(self, config_path: str | None) -> None:
        self.config_path = config_path
        self.settings: Settings = load_settings(config_path)

    @cached_property
    def engine(self) -> Engine:
        engine = db.make_engine(
            self.settings.database_url,
            echo=self.settings.database.echo,
            busy_timeout_s=self.settings.database.busy_timeout_s,
        )
        # Quick check first (no lock when the schema is current, the usual start); db.upgrade
        # then takes the migration lock, so processes starting together migrate once.
        if db.current_revision(engine) != db.head_revision():
            db.upgrade(engine)
        return engine
