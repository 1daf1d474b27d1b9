"""Documents: texts read into passages, their mentions of the graph's entities linked, and the
dates and figures they state found (as suggestions for a curator).

Pure Python: nothing here talks to Neo4j (graph/documents.py writes what is planned here).
"""
