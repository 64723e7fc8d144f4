"""Liner's indexer: files -> documents -> structure -> passages -> Whoosh index."""
