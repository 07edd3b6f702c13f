"""Onboarding a new pemda or OPD in the browser: people, invitations, sheets of people,
the readiness checklist."""
