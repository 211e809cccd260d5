#!/bin/sh
# Runs the Dhamana benchmark suite with one command and rewrites docs/benchmarks.md and its charts.
#
#   dhamana-jmh/run-benchmarks.sh quick          # about 17 minutes: checks the harness, a first figure for every ratio
#   dhamana-jmh/run-benchmarks.sh full           # the measured run, about 1.5 hours; use a quiet machine
#   dhamana-jmh/run-benchmarks.sh smoke          # about 2 minutes: checks the runner end to end; page left alone
#   dhamana-jmh/run-benchmarks.sh render full    # rewrite the page from dhamana-jmh/results/full/ without running
#   dhamana-jmh/run-benchmarks.sh full --note "…" # a note printed at the top of the page
#
# Needs a JDK 17+ and Maven. PostgreSQL: an embedded server is started for the run (binaries come from Maven
# Central with the build); to use an existing one instead, set DHAMANA_BENCH_JDBC_URL (and DHAMANA_BENCH_USER,
# DHAMANA_BENCH_PASSWORD). pgbench 15 or later on the PATH adds the pgbench baseline; without it those steps are
# skipped with a message. Set SKIP_BUILD=1 to reuse dhamana-jmh/target/benchmarks.jar.
set -eu

[ $# -gt 0 ] || set -- quick
cd "$(dirname "$0")/.."

if [ "${SKIP_BUILD:-0}" != "1" ]; then
    echo "Building dhamana-jmh/target/benchmarks.jar ..."
    mvn -q -pl dhamana-jmh -am package -DskipTests
fi

exec java -Xms256m -Xmx1g -cp dhamana-jmh/target/benchmarks.jar io.dhamana.jmh.Report "$@" \
    --root . --command "dhamana-jmh/run-benchmarks.sh $*"
