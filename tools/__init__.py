"""Project tooling that runs in CI but is no part of the platform (import-linter's contracts)."""
