"""HTTP: the GraphQL transport and its request path, the response cache, the request log, the
playground, /cypher and the explorer's page. Built on Starlette."""
