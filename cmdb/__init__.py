"""Layer 2, the CMDB: schema, ingest with change history, queries, the engine's facts. Imports of
layer 1 only its contracts (collectors.base, compliance.facts, compliance.outcome); no settings."""
