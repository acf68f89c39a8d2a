#!/usr/bin/env bash
# Sourced by the other scripts: makes sure JAVA_HOME points at a JDK 21 or newer (Helidon 4 needs 21).
# Keeps a JAVA_HOME that is new enough, else takes the `java` on PATH if it belongs to a new enough JDK,
# else the newest JDK under /usr/lib/jvm; with none of those it says in one line what to install.

java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}'
}

jdk_ok() {
  [ -n "$1" ] && [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] && [ "$(java_major "$1")" -ge 21 ] 2>/dev/null
}

on_path=""
if command -v java >/dev/null 2>&1; then
  on_path="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
fi
if jdk_ok "${JAVA_HOME:-}"; then
  :
elif jdk_ok "$on_path"; then
  export JAVA_HOME="$on_path"
else
  best=""
  best_major=0
  for candidate in /usr/lib/jvm/*; do
    [ -x "$candidate/bin/javac" ] || continue
    major=$(java_major "$candidate")
    if [ "${major:-0}" -gt "$best_major" ] 2>/dev/null; then
      best="$candidate"
      best_major="$major"
    fi
  done
  if [ "$best_major" -lt 21 ]; then
    echo "This needs a JDK 21 or newer and found none (java on PATH: $(command -v java >/dev/null && java -version 2>&1 | head -1 || echo none)): install one, e.g. sudo apt-get install openjdk-21-jdk-headless, or set JAVA_HOME." >&2
    return 1 2>/dev/null || exit 1
  fi
  export JAVA_HOME="$best"
fi
export PATH="$JAVA_HOME/bin:$PATH"
