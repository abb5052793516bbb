"""Readers and writers of other tools' formats. They know formats, nothing of SQL:
each turns a file into plain drafts (and problems found, with where), and back."""
