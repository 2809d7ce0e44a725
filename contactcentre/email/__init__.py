"""The inbound email channel: intake (SMTP listener), parsing, quarantine, threading, noise rules,
categorisation, routing into the ACD and the automatic acknowledgement (docs/email.md)."""
