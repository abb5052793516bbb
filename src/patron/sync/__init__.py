"""Task stores Patron syncs asks with: a vdir folder and a CalDAV calendar.

A store reads and writes VTODOs by href with an ETag and decides nothing: the sync engine
(``services/sync.py``) compares each side with the last sync. No SQL here.
"""
