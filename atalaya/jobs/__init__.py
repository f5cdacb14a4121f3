"""Layer 3, orchestration: reads Settings, opens sessions, runs collectors and the engine, and
passes plain values (URLs, intervals, a secret resolver) down. Never imports the web layer."""
