"""The simulated national network (the `lab` extra): real SNMP, SSH and ICMP on loopback.
Imports nothing of Atalaya's other packages; only atalaya.commands.lab drives it."""
