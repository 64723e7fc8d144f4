"""Liner's search side: query -> ranked passages -> answer -> rendering."""
