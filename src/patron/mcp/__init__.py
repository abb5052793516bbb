"""Patron as an MCP server: decisions for an assistant (``patron mcp``).

Needs the ``mcp`` extra: ``pip install 'patron[mcp]'``. Like ``cli``, this package is a
face over the use cases in ``services``: it holds no rules and no SQL.
"""
