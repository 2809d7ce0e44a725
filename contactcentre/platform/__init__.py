"""Process plumbing shared by every entry point: embedded services, Redis, heartbeats."""
