"""The local web app (``patron serve``): pages that are also Patron's JSON API.

Only this package imports the web framework; every page calls the same use cases
(``patron.services``) as the command line and holds no rules of its own.
"""
