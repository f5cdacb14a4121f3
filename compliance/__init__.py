"""Layer 1, facts + policies + a date to findings. Pure: no database, no network, no clock; imports
nothing of Atalaya's other packages. compliance/facts.py and outcome.py are its contracts."""
