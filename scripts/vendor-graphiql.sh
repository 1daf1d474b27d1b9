#!/usr/bin/env bash
# Vendor GraphiQL's browser assets into api/static/graphiql/, so the playground at /graphql
# works offline (no CDN). The files are committed; run this only to regenerate or upgrade them.
#
# Needs npm (and so node) and tar. Fetches three pinned packages from the npm registry with
# `npm pack`, checks each tarball against its pinned registry integrity (sha512), and copies
# only what the page loads, plus the licences. Output is byte-for-byte the packages' own
# files, so running it again reproduces the folder exactly (see VERSIONS for sha256 sums).
#
# To upgrade: change a version, run once with VERIFY=0 to see the new integrity, pin it.
set -euo pipefail
export LC_ALL=C  # a stable order for globs and sums

REACT_VERSION=18.2.0
REACT_DOM_VERSION=18.2.0
GRAPHIQL_VERSION=3.8.3

# `npm view <pkg>@<version> dist.integrity`
declare -A INTEGRITY=(
  ["react-${REACT_VERSION}.tgz"]="sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ=="
  ["react-dom-${REACT_DOM_VERSION}.tgz"]="sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g=="
  ["graphiql-${GRAPHIQL_VERSION}.tgz"]="sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw=="
)
VERIFY="${VERIFY:-1}"
declare -A GOT=()

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/api/static/graphiql"

command -v npm >/dev/null || { echo "vendor-graphiql: npm is needed (apt-get install npm)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent --ignore-scripts \
  "react@${REACT_VERSION}" "react-dom@${REACT_DOM_VERSION}" "graphiql@${GRAPHIQL_VERSION}" >/dev/null)

for tgz in "${!INTEGRITY[@]}"; do
  got="sha512-$(node -e 'const c=require("crypto"),f=require("fs");
    process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' \
    "$WORK/$tgz")"
  GOT[$tgz]="$got"
  if [ "$got" != "${INTEGRITY[$tgz]}" ]; then
    echo "vendor-graphiql: $tgz has integrity $got" >&2
    if [ "$VERIFY" != 0 ]; then
      echo "  expected ${INTEGRITY[$tgz]}; refusing to vendor it" >&2
      exit 1
    fi
  fi
  mkdir -p "$WORK/${tgz%.tgz}"
  tar -xzf "$WORK/$tgz" -C "$WORK/${tgz%.tgz}"
done

REACT="$WORK/react-${REACT_VERSION}/package"
REACT_DOM="$WORK/react-dom-${REACT_DOM_VERSION}/package"
GRAPHIQL="$WORK/graphiql-${GRAPHIQL_VERSION}/package"

rm -rf "$DEST"
mkdir -p "$DEST"
# The UMD builds define the globals React, ReactDOM and GraphiQL that the page uses. No
# source maps: they would triple the size and the browser only asks for them in DevTools.
# (graphiql.min.js of 3.x is in fact not minified, ~3.4 MB; it is what the package ships.)
install -m 0644 "$REACT/umd/react.production.min.js"         "$DEST/react.production.min.js"
install -m 0644 "$REACT_DOM/umd/react-dom.production.min.js" "$DEST/react-dom.production.min.js"
install -m 0644 "$GRAPHIQL/graphiql.min.js"                  "$DEST/graphiql.min.js"
install -m 0644 "$GRAPHIQL/graphiql.min.css"                 "$DEST/graphiql.min.css"
install -m 0644 "$REACT/LICENSE"                             "$DEST/LICENSE.react.txt"
install -m 0644 "$REACT_DOM/LICENSE"                         "$DEST/LICENSE.react-dom.txt"
install -m 0644 "$GRAPHIQL/LICENSE"                          "$DEST/LICENSE.graphiql.txt"

{
  echo "# Vendored by scripts/vendor-graphiql.sh from the npm registry; do not edit by hand."
  echo "react@${REACT_VERSION} ${GOT["react-${REACT_VERSION}.tgz"]}"
  echo "react-dom@${REACT_DOM_VERSION} ${GOT["react-dom-${REACT_DOM_VERSION}.tgz"]}"
  echo "graphiql@${GRAPHIQL_VERSION} ${GOT["graphiql-${GRAPHIQL_VERSION}.tgz"]}"
  echo "# sha256 of each file:"
  (cd "$DEST" && sha256sum -- *.js *.css LICENSE.*)
} >"$DEST/VERSIONS"

echo "vendor-graphiql: wrote $(cd "$DEST" && ls | wc -l) files to ${DEST#"$ROOT"/}:" >&2
(cd "$DEST" && ls -l | tail -n +2) >&2
