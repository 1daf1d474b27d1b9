// The peer: @neo4j/graphql on Apollo Server, on the same Neo4j and data as revgraph's API.
// Type definitions: typeDefs.graphql (generated from schema/model.py by bench/peer_schema.py).
// Environment: NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD, PORT.
import { readFileSync } from "node:fs";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { Neo4jGraphQL } from "@neo4j/graphql";
import neo4j from "neo4j-driver";

const typeDefs = readFileSync(new URL("./typeDefs.graphql", import.meta.url), "utf8");
const driver = neo4j.driver(process.env.NEO4J_URI,
  neo4j.auth.basic(process.env.NEO4J_USER || "neo4j", process.env.NEO4J_PASSWORD));
const schema = await new Neo4jGraphQL({ typeDefs, driver }).getSchema();
const server = new ApolloServer({ schema });
const { url } = await startStandaloneServer(server, {
  listen: { host: "127.0.0.1", port: Number(process.env.PORT || 4000) },
});
console.log(`peer ready at ${url}`);
const stop = async () => { await server.stop(); await driver.close(); process.exit(0); };
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
