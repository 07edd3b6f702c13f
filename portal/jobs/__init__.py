"""Background jobs: rows in the database (status, progress, error, result bytes) run by a
huey consumer (SQLite file by default, Redis when REDIS_URL/HUEY_URL is set)."""
