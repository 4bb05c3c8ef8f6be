"""What the CLI commands run: the audit runner, re-verification, scheduling, the lock."""
