#!/usr/bin/env bash
# Runs one edge controller on its embedded defaults: simulated hardware, SQLite in ./data, MQTT and cloud
# off. Builds it first if needed. Any config key can be overridden by environment (EDGE_LEVEL_ID=L1 ...).
# Starts with the JVM limits of edge-controller/target/edge.jvmopts and, on JDK 25+, from the AOT cache the package
# step trains (edge-controller/target/edge.aot; a stale or missing cache only costs start-up time).
# On these defaults the edge is a development rig (edge.development: auto with simulated hardware and open
# auth: simulator API on, logged as DEVELOPMENT mode); AUTH_MODE=token needs a TICKETS_SECRET of its own.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/java-home.sh
jar=edge-controller/target/edge-controller.jar
if [ ! -f "$jar" ] || [ ! -f edge-controller/target/edge.jvmopts ] || [ -n "$(find protocol platform firmware-interface edge-controller -name '*.java' -newer "$jar" -o -name '*.yaml' -newer "$jar" -o -name '*.sql' -newer "$jar" 2>/dev/null | head -1)" ]; then
  ./mvnw -B -ntp -q -pl edge-controller -am package -DskipTests
fi
exec java @edge-controller/target/edge.jvmopts $([ -f edge-controller/target/edge.aot ] && [ "$(java_major "$JAVA_HOME")" -ge 25 ] && echo -XX:AOTCache=edge-controller/target/edge.aot) -jar "$jar" "$@"
