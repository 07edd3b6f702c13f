"""The demo: `flask --app wsgi demo` loads the tenants of tenants/ and a year in progress
made through the portal's own services (year.py), then serves the portal (cli.py)."""
