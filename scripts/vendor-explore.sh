#!/usr/bin/env bash
# Vendor the explorer's browser assets into api/static/explore/vendor/, so /explore works
# offline (no CDN, no tile server). The files are committed; run this only to regenerate or
# upgrade them. Same pattern as scripts/vendor-graphiql.sh.
#
# Needs npm (and so node) and tar. Fetches the pinned packages from the npm registry with
# `npm pack`, checks each tarball against its pinned registry integrity (sha512), and copies
# only what the page loads, plus the licences, byte for byte (see VERSIONS for sha256 sums).
#
#   d3                   the map's projection and SVG paths (d3-geo), its zoom and pan
#                        (d3-zoom), the spread's stacked area chart (d3-shape, d3-scale, d3-axis)
#   topojson-client      turns world-atlas's TopoJSON into GeoJSON in the browser
#   world-atlas          Natural Earth 1:50m country borders (public domain), as TopoJSON
#   vis-timeline         a place's control timeline (standalone build, CSS alongside)
#   cytoscape            the network view; also what the tests load the Cytoscape export with
#   cytoscape-fcose      the network's layout, which keeps clusters apart (with cose-base and
#                        layout-base, whose UMD builds it finds as globals)
#   axe-core             not served: the explorer's browser test runs it on the page
#                        (tests/vendor/, with its licence)
#
# To upgrade: change a version, run once with VERIFY=0 to see the new integrity, pin it.
set -euo pipefail
export LC_ALL=C

D3=7.9.0
TOPOJSON_CLIENT=3.1.0
WORLD_ATLAS=2.0.2
VIS_TIMELINE=8.5.4
CYTOSCAPE=3.35.0
FCOSE=2.2.0
COSE_BASE=2.2.0
LAYOUT_BASE=2.0.1
AXE=4.14.1

# `npm view <pkg>@<version> dist.integrity`
declare -A INTEGRITY=(
  ["d3-${D3}.tgz"]="sha512-e1U46jVP+w7Iut8Jt8ri1YsPOvFpg46k+K8TpCb0P+zjCkjkPnV7WzfDJzMHy1LnA+wj5pLT1wjO901gLXeEhA=="
  ["topojson-client-${TOPOJSON_CLIENT}.tgz"]="sha512-605uxS6bcYxGXw9qi62XyrV6Q3xwbndjachmNxu8HWTtVPxZfEJN9fd/SZS1Q54Sn2y0TMyMxFj/cJINqGHrKw=="
  ["world-atlas-${WORLD_ATLAS}.tgz"]="sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ=="
  ["vis-timeline-${VIS_TIMELINE}.tgz"]="sha512-Xt7RNrRvOkQiSyk6vFTXSRwTunT0y9MzDgHY8N8H9nPuebJ6Vg+u3xnv0Swbxna/Pa2E3HjaBblEIQiK74E01Q=="
  ["cytoscape-${CYTOSCAPE}.tgz"]="sha512-sMvBIXiGMnhkCaWz2R06FwF/27MNlS+Tqvi17foO9UhnUg3XGZccKjxsvEqQFAQYMSSZmN5SxYzUYlQ0DOJJ3g=="
  ["cytoscape-fcose-${FCOSE}.tgz"]="sha512-ki1/VuRIHFCzxWNrsshHYPs6L7TvLu3DL+TyIGEsRcvVERmxokbf5Gdk7mFxZnTdiGtnA4cfSmjZJMviqSuZrQ=="
  ["cose-base-${COSE_BASE}.tgz"]="sha512-AzlgcsCbUMymkADOJtQm3wO9S3ltPfYOFD5033keQn9NJzIbtnZj+UdBJe7DYml/8TdbtHJW3j58SOnKhWY/5g=="
  ["layout-base-${LAYOUT_BASE}.tgz"]="sha512-dp3s92+uNI1hWIpPGH3jK2kxE2lMjdXdr+DH8ynZHpd6PUlH6x6cbuXnoMmiNumznqaNO31xu9e79F0uuZ0JFg=="
  ["axe-core-${AXE}.tgz"]="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
)
VERIFY="${VERIFY:-1}"
declare -A GOT=()

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/api/static/explore/vendor"
TESTS="$ROOT/tests/vendor"

command -v npm >/dev/null || { echo "vendor-explore: npm is needed (apt-get install npm)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

PACKAGES=("d3@${D3}" "topojson-client@${TOPOJSON_CLIENT}" "world-atlas@${WORLD_ATLAS}"
          "vis-timeline@${VIS_TIMELINE}" "cytoscape@${CYTOSCAPE}" "cytoscape-fcose@${FCOSE}"
          "cose-base@${COSE_BASE}" "layout-base@${LAYOUT_BASE}")
(cd "$WORK" && npm pack --silent --ignore-scripts "${PACKAGES[@]}" "axe-core@${AXE}" >/dev/null)

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

rm -rf "$DEST" "$TESTS"
mkdir -p "$DEST" "$TESTS"
# The UMD builds define the globals d3, topojson, vis, cytoscape, layoutBase, coseBase and
# cytoscapeFcose that the page uses.
install -m 0644 "$(pkg d3-${D3})/dist/d3.min.js"                                 "$DEST/d3.min.js"
install -m 0644 "$(pkg topojson-client-${TOPOJSON_CLIENT})/dist/topojson-client.min.js" "$DEST/topojson-client.min.js"
install -m 0644 "$(pkg world-atlas-${WORLD_ATLAS})/countries-50m.json"           "$DEST/countries-50m.json"
install -m 0644 "$(pkg vis-timeline-${VIS_TIMELINE})/standalone/umd/vis-timeline-graph2d.min.js" "$DEST/vis-timeline-graph2d.min.js"
install -m 0644 "$(pkg vis-timeline-${VIS_TIMELINE})/styles/vis-timeline-graph2d.min.css" "$DEST/vis-timeline-graph2d.min.css"
install -m 0644 "$(pkg cytoscape-${CYTOSCAPE})/dist/cytoscape.min.js"            "$DEST/cytoscape.min.js"
install -m 0644 "$(pkg layout-base-${LAYOUT_BASE})/layout-base.js"               "$DEST/layout-base.js"
install -m 0644 "$(pkg cose-base-${COSE_BASE})/cose-base.js"                     "$DEST/cose-base.js"
install -m 0644 "$(pkg cytoscape-fcose-${FCOSE})/cytoscape-fcose.js"             "$DEST/cytoscape-fcose.js"
install -m 0644 "$(pkg d3-${D3})/LICENSE"                                        "$DEST/LICENSE.d3.txt"
install -m 0644 "$(pkg topojson-client-${TOPOJSON_CLIENT})/LICENSE"             "$DEST/LICENSE.topojson-client.txt"
install -m 0644 "$(pkg world-atlas-${WORLD_ATLAS})/LICENSE"                      "$DEST/LICENSE.world-atlas.txt"
install -m 0644 "$(pkg vis-timeline-${VIS_TIMELINE})/LICENSE.MIT.txt"            "$DEST/LICENSE.vis-timeline.txt"
install -m 0644 "$(pkg cytoscape-${CYTOSCAPE})/LICENSE"                          "$DEST/LICENSE.cytoscape.txt"
install -m 0644 "$(pkg layout-base-${LAYOUT_BASE})/LICENSE"                      "$DEST/LICENSE.layout-base.txt"
install -m 0644 "$(pkg cose-base-${COSE_BASE})/LICENSE"                          "$DEST/LICENSE.cose-base.txt"
install -m 0644 "$(pkg cytoscape-fcose-${FCOSE})/LICENSE"                        "$DEST/LICENSE.cytoscape-fcose.txt"
install -m 0644 "$(pkg axe-core-${AXE})/axe.min.js"                              "$TESTS/axe.min.js"
install -m 0644 "$(pkg axe-core-${AXE})/LICENSE"                                 "$TESTS/LICENSE.axe-core.txt"

versions() {  # the packages, then the sha256 of each file in folder $1
  echo "# Vendored by scripts/vendor-explore.sh from the npm registry; do not edit by hand."
  shift
  for name in "$@"; do echo "$name ${GOT["${name/@/-}.tgz"]}"; done
  echo "# sha256 of each file:"
  (cd "$DIR" && sha256sum -- $(ls | grep -v '^VERSIONS$'))
}
DIR="$DEST" versions "$DEST" "${PACKAGES[@]}" >"$DEST/VERSIONS"
DIR="$TESTS" versions "$TESTS" "axe-core@${AXE}" >"$TESTS/VERSIONS"

for d in "$DEST" "$TESTS"; do
  echo "vendor-explore: wrote $(cd "$d" && ls | wc -l) files to ${d#"$ROOT"/}:" >&2
  (cd "$d" && ls -l | tail -n +2) >&2
done
