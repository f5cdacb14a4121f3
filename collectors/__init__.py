"""Layer 1, the network to typed facts (collectors/base.py is the contract). Imports nothing of
Atalaya's other packages: no database, no settings, no compliance."""
