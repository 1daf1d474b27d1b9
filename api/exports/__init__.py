"""Standard exports of the graph for visualisation tools: GeoJSON and Linked Places of the
places, GEXF, GraphML, Cytoscape.js JSON and CSV tables of the graph.

One formatter per format family (``geo``, ``xmlgraphs``, ``cytoscape``, ``tables``), each a
small class that turns rows into text piece by piece; ``render`` drives it from a sync row
source (the CLI) or an async one (the HTTP routes), so both sides share every line of
formatting and neither holds the whole graph.
"""
