"""Reminders and escalation of late work (as DHIS2's data set notifications): e-mails
before a task's due time, on the day it turns late and, after some hari kerja, to the
OPD's Sekretaris and Kepala; a weekly digest of late work to the pemda admin and the
coordinator. Sent by a periodic job, each exactly once."""
