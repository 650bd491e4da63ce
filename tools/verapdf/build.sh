#!/usr/bin/env bash
# Build the veraPDF harness jar (tools/verapdf/target/kmyreport-verapdf.jar).
# Needs only Java 17+ and Maven; dependencies come from Maven Central.
# Idempotent: does nothing when the jar is newer than pom.xml and every source file.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
jar="$here/target/kmyreport-verapdf.jar"

up_to_date() {
    [ -f "$jar" ] || return 1
    [ "$here/pom.xml" -ot "$jar" ] || return 1
    # any source file not older than the jar means a rebuild
    [ -z "$(find "$here/src" -type f -newer "$jar" -print -quit)" ]
}

if up_to_date; then
    echo "verapdf harness up to date: $jar"
    exit 0
fi

command -v java >/dev/null || { echo "build.sh: java not found (need Java 17+)" >&2; exit 1; }
command -v mvn >/dev/null || { echo "build.sh: mvn not found (need Maven 3.8+)" >&2; exit 1; }

# Maven 3.8 leaves bare colour-reset codes even with -B; strip them (pipefail keeps mvn's status).
(cd "$here" && mvn -q -B -Dstyle.color=never package -DskipTests) 2>&1 | sed -e 's/\x1b\[[0-9;]*m//g'

[ -f "$jar" ] || { echo "build.sh: build finished but $jar is missing" >&2; exit 1; }
touch "$jar"
echo "verapdf harness built: $jar"
