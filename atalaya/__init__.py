"""The application layer: settings (read only here), jobs/ (orchestration: collection loops,
leases, poller groups, evaluation and plan runs, the serve supervisor) and commands/ (the CLI)."""
