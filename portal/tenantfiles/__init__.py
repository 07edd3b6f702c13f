"""Declarative tenant definitions (tenants/): read, validate, apply."""
