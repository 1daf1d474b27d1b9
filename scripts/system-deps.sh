#!/usr/bin/env bash
# Install the system tools revgraph needs, from Debian's packages, when they are missing:
# a JDK that Neo4j 5.26 runs on (17 or 21), Maven (fetches Neo4j from Maven Central),
# Chromium (the playground's and the explorer's browser tests), GDAL's ogrinfo (gdal-bin: the
# test that QGIS, which reads through GDAL, sees the periods export's dates as dates) and HAProxy
# (the load balancer of the scale-out drill, bench/drill.py; the drill runs it from its own
# configuration on loopback, and Debian's default configuration listens nowhere). Does nothing
# when all are there.
set -euo pipefail

need=()
have_java() {
  for j in "${JAVA_HOME:-/nonexistent}/bin/java" "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    [ -x "$j" ] || continue
    if "$j" -version 2>&1 | grep -qE 'version "(17|21)[."]'; then return 0; fi
  done
  return 1
}
have_java || need+=(openjdk-17-jre-headless)
command -v mvn >/dev/null || need+=(maven)
if [ -z "${REVGRAPH_NO_BROWSER:-}" ] && ! command -v chromium >/dev/null; then need+=(chromium); fi
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || need+=(haproxy)
command -v ogrinfo >/dev/null || need+=(gdal-bin)

[ ${#need[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "revgraph needs these Debian packages: ${need[*]}" >&2
    echo "Install them (apt-get install ${need[*]}) and run this again." >&2
    exit 1
  fi
fi
if ! command -v apt-get >/dev/null; then
  echo "revgraph needs: ${need[*]} (a JDK 17 or 21, Maven, Chromium, GDAL, HAProxy). Install them and run again." >&2
  exit 1
fi
echo "Installing ${need[*]} from Debian's packages ..." >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
