"""The jobs run collectors against the same real peers as the collector tests."""

from tests.collectors.conftest import lab, snmpd

__all__ = ["lab", "snmpd"]
