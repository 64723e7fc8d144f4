"""Liner's web front end: the search page, the document view and the JSON API (`web.app.create_app`)."""
