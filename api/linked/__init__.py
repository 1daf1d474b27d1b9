"""Linked data: the views of nodes (views.py), their JSON-LD (terms.py, jsonld.py) and RDF
(rdf.py), shared by the entity pages, the reconciliation service and a release's dump."""
