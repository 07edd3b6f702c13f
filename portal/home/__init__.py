"""The home pages: the start page (straight into the user's only tenant, else a choice),
a tenant's home (what the signed-in person must do now; the oversight summary above the
OPDs) and its organisation page (units, lanes and the people holding them)."""
