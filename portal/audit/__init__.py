"""The append-only audit log: who, in which lane, when (UTC), what, old → new, why."""
