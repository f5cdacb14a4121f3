"""Layer 4, pages, JSON API and /metrics: reads through cmdb and compliance, writes only user
actions through cmdb. Never imports collectors or atalaya.jobs."""
