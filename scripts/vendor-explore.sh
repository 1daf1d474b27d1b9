#!/usr/bin/env bash
# Vendor the explorer's browser assets into api/static/explore/vendor/, so /explore works
# offline (no CDN, no tile server). The files are committed; run this only to regenerate or
# upgrade them. Same pattern as scripts/vendor-graphiql.sh.
#
# Needs npm (and so node) and tar. Fetches the pinned packages from the npm registry with
# `npm pack`, checks each tarball against its pinned registry integrity (sha512), and copies
# only what the page loads, plus the licences, byte for byte (see VERSIONS for sha256 sums).
#
#   d3-array, d3-geo     the map's projection and SVG paths (d3-geo needs d3-array)
#   topojson-client      turns world-atlas's TopoJSON into GeoJSON in the browser
#   world-atlas          Natural Earth 1:50m country borders (public domain), as TopoJSON
#   vis-timeline         a place's control timeline (standalone build, CSS alongside)
#   cytoscape            the network view; also what the tests load the Cytoscape export with
#
# To upgrade: change a version, run once with VERIFY=0 to see the new integrity, pin it.
set -euo pipefail
export LC_ALL=C

D3_ARRAY=3.2.5
D3_GEO=3.1.2
TOPOJSON_CLIENT=3.1.0
WORLD_ATLAS=2.0.2
VIS_TIMELINE=8.5.4
CYTOSCAPE=3.35.0

# `npm view <pkg>@<version> dist.integrity`
declare -A INTEGRITY=(
  ["d3-array-${D3_ARRAY}.tgz"]="sha512-Th8qGXoBalmWsstpkuhmBuTsBQIFqYOJtjlBvNVvBfJ8E3uYusBUwUR8HU20U0qKKQkgCvKyR1YjiozWadk5QA=="
  ["d3-geo-${D3_GEO}.tgz"]="sha512-5R8ZgDQorIxmauv7R6gpE/ndz+Z0qAZssigq0aXFdvPHdY41RqtW02jrRUQAL724NdPABYXo1+gQEGBBr7uKNg=="
  ["topojson-client-${TOPOJSON_CLIENT}.tgz"]="sha512-605uxS6bcYxGXw9qi62XyrV6Q3xwbndjachmNxu8HWTtVPxZfEJN9fd/SZS1Q54Sn2y0TMyMxFj/cJINqGHrKw=="
  ["world-atlas-${WORLD_ATLAS}.tgz"]="sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ=="
  ["vis-timeline-${VIS_TIMELINE}.tgz"]="sha512-Xt7RNrRvOkQiSyk6vFTXSRwTunT0y9MzDgHY8N8H9nPuebJ6Vg+u3xnv0Swbxna/Pa2E3HjaBblEIQiK74E01Q=="
  ["cytoscape-${CYTOSCAPE}.tgz"]="sha512-sMvBIXiGMnhkCaWz2R06FwF/27MNlS+Tqvi17foO9UhnUg3XGZccKjxsvEqQFAQYMSSZmN5SxYzUYlQ0DOJJ3g=="
)
VERIFY="${VERIFY:-1}"
declare -A GOT=()

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/api/static/explore/vendor"

command -v npm >/dev/null || { echo "vendor-explore: npm is needed (apt-get install npm)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent --ignore-scripts \
  "d3-array@${D3_ARRAY}" "d3-geo@${D3_GEO}" "topojson-client@${TOPOJSON_CLIENT}" \
  "world-atlas@${WORLD_ATLAS}" "vis-timeline@${VIS_TIMELINE}" "cytoscape@${CYTOSCAPE}" >/dev/null)

for tgz in "${!INTEGRITY[@]}"; do
  got="sha512-$(node -e 'const c=require("crypto"),f=require("fs");
    process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' \
    "$WORK/$tgz")"
  GOT[$tgz]="$got"
  if [ "$got" != "${INTEGRITY[$tgz]}" ]; then
    echo "vendor-explore: $tgz has integrity $got" >&2
    if [ "$VERIFY" != 0 ]; then
      echo "  expected ${INTEGRITY[$tgz]}; refusing to vendor it" >&2
      exit 1
    fi
  fi
  mkdir -p "$WORK/${tgz%.tgz}"
  tar -xzf "$WORK/$tgz" -C "$WORK/${tgz%.tgz}"
done

pkg() { echo "$WORK/$1/package"; }

rm -rf "$DEST"
mkdir -p "$DEST"
# The UMD builds define the globals d3, topojson, vis and cytoscape that the page uses.
install -m 0644 "$(pkg d3-array-${D3_ARRAY})/dist/d3-array.min.js"               "$DEST/d3-array.min.js"
install -m 0644 "$(pkg d3-geo-${D3_GEO})/dist/d3-geo.min.js"                     "$DEST/d3-geo.min.js"
install -m 0644 "$(pkg topojson-client-${TOPOJSON_CLIENT})/dist/topojson-client.min.js" "$DEST/topojson-client.min.js"
install -m 0644 "$(pkg world-atlas-${WORLD_ATLAS})/countries-50m.json"           "$DEST/countries-50m.json"
install -m 0644 "$(pkg vis-timeline-${VIS_TIMELINE})/standalone/umd/vis-timeline-graph2d.min.js" "$DEST/vis-timeline-graph2d.min.js"
install -m 0644 "$(pkg vis-timeline-${VIS_TIMELINE})/styles/vis-timeline-graph2d.min.css" "$DEST/vis-timeline-graph2d.min.css"
install -m 0644 "$(pkg cytoscape-${CYTOSCAPE})/dist/cytoscape.min.js"            "$DEST/cytoscape.min.js"
install -m 0644 "$(pkg d3-array-${D3_ARRAY})/LICENSE"                            "$DEST/LICENSE.d3-array.txt"
install -m 0644 "$(pkg d3-geo-${D3_GEO})/LICENSE"                                "$DEST/LICENSE.d3-geo.txt"
install -m 0644 "$(pkg topojson-client-${TOPOJSON_CLIENT})/LICENSE"             "$DEST/LICENSE.topojson-client.txt"
install -m 0644 "$(pkg world-atlas-${WORLD_ATLAS})/LICENSE"                      "$DEST/LICENSE.world-atlas.txt"
install -m 0644 "$(pkg vis-timeline-${VIS_TIMELINE})/LICENSE.MIT.txt"            "$DEST/LICENSE.vis-timeline.txt"
install -m 0644 "$(pkg cytoscape-${CYTOSCAPE})/LICENSE"                          "$DEST/LICENSE.cytoscape.txt"

{
  echo "# Vendored by scripts/vendor-explore.sh from the npm registry; do not edit by hand."
  for name in "d3-array@${D3_ARRAY}" "d3-geo@${D3_GEO}" "topojson-client@${TOPOJSON_CLIENT}" \
              "world-atlas@${WORLD_ATLAS}" "vis-timeline@${VIS_TIMELINE}" "cytoscape@${CYTOSCAPE}"; do
    echo "$name ${GOT["${name/@/-}.tgz"]}"
  done
  echo "# sha256 of each file:"
  (cd "$DEST" && sha256sum -- *.js *.css *.json LICENSE.*)
} >"$DEST/VERSIONS"

echo "vendor-explore: wrote $(cd "$DEST" && ls | wc -l) files to ${DEST#"$ROOT"/}:" >&2
(cd "$DEST" && ls -l | tail -n +2) >&2
