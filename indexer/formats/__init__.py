"""One module per file format, each reading a Document into the same Blocks (indexer/structure.py).

`files.py` says which files are documents and how their bytes become text (by name, sniffing and
decoding; no parser is imported there), `registry.py` picks the reader for a file name, and
`markdown.py`, `rst.py`, `html.py` and `pdf.py` read their formats. Plain text is read by
indexer/structure.py itself, which the others build on.
"""
