// The playground's start: GraphiQL with revgraph's example tabs (api/web/playground.py),
// a file of its own so that the page's Content-Security-Policy allows no inline script.
(function () {
  var tabs = JSON.parse(document.getElementById("revgraph-tabs").textContent);
  // /graphql#query=...&variables=... (the links from /explore) opens that query in a new tab.
  // A fragment, because GET /graphql?query= runs the query instead of serving this page.
  var asked = new URLSearchParams(window.location.hash.slice(1));
  if (asked.get("query")) {  // first, so that the examples stay in their own tabs
    tabs = [{ query: asked.get("query"), variables: asked.get("variables") || undefined }].concat(tabs);
  }
  var fetcher = GraphiQL.createFetcher({ url: window.location.origin + "/graphql" });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(
    GraphiQL,
    {
      fetcher: fetcher,
      defaultTabs: tabs,
      query: asked.get("query") || undefined,
      variables: asked.get("variables") || undefined,
      defaultEditorToolsVisibility: asked.get("variables") ? "variables" : false,
      storage: GraphiQL.createLocalStorage({ namespace: "revgraph" })
    },
    React.createElement(GraphiQL.Logo, null, "revgraph")
  ));
})();
