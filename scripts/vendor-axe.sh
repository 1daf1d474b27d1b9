#!/usr/bin/env bash
# Vendor axe-core, the accessibility engine the entity pages' browser test runs
# (tests/test_entity_pages.py), into tests/vendor/axe-core/. It is a test tool, never served.
# The files are committed; run this only to regenerate or upgrade them. Same pattern as
# scripts/vendor-explore.sh: `npm pack` from the npm registry, the tarball checked against its
# pinned registry integrity (sha512), the build and the licence copied byte for byte.
#
# To upgrade: change the version, run once with VERIFY=0 to see the new integrity, pin it.
set -euo pipefail
export LC_ALL=C

AXE=4.14.1
INTEGRITY="sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
VERIFY="${VERIFY:-1}"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/tests/vendor/axe-core"

command -v npm >/dev/null || { echo "vendor-axe: npm is needed (apt-get install npm)" >&2; exit 1; }

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent --ignore-scripts "axe-core@${AXE}" >/dev/null)
TGZ="$WORK/axe-core-${AXE}.tgz"
got="sha512-$(node -e 'const c=require("crypto"),f=require("fs");
  process.stdout.write(c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$TGZ")"
if [ "$got" != "$INTEGRITY" ]; then
  echo "vendor-axe: axe-core-${AXE}.tgz has integrity $got" >&2
  if [ "$VERIFY" != 0 ]; then
    echo "  expected $INTEGRITY; refusing to vendor it" >&2
    exit 1
  fi
fi
tar -xzf "$TGZ" -C "$WORK"

rm -rf "$DEST"
mkdir -p "$DEST"
install -m 0644 "$WORK/package/axe.min.js"   "$DEST/axe.min.js"
install -m 0644 "$WORK/package/LICENSE"      "$DEST/LICENSE.axe-core.txt"
{
  echo "# Vendored by scripts/vendor-axe.sh from the npm registry; do not edit by hand."
  echo "axe-core@${AXE} ${got}"
  echo "# sha256 of each file:"
  (cd "$DEST" && sha256sum -- axe.min.js LICENSE.*)
} >"$DEST/VERSIONS"
echo "vendor-axe: wrote $(cd "$DEST" && ls | wc -l) files to ${DEST#"$ROOT"/}" >&2
