"""The GraphQL schema and how it runs: the types (shared in types.py, per kind generated from
the model into generated.py), the questions (query.py), the document limits, and the execution
with its prefetched walks."""
