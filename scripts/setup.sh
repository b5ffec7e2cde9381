#!/usr/bin/env bash
# Installs every Debian 12 package OmenDB needs to build, run and test. Idempotent: installs only what
# is missing, so it is cheap to call from the README's commands and from CI.
set -euo pipefail
packages=(
  build-essential cmake ninja-build ccache pkg-config git
  llvm-16-dev zlib1g-dev libzstd-dev libedit-dev libffi-dev libxml2-dev
  librocksdb-dev libpg-query-dev libprotobuf-c-dev libssl-dev libjemalloc-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev
  libasio-dev libcli11-dev nlohmann-json3-dev libcctz-dev tzdata libpcre2-dev libgmp-dev
  postgresql-client python3 python3-psycopg2 python3-psycopg python3-sqlalchemy libpq-dev libsqlite3-dev postgresql-15 gnuplot-nox
  # sysbench (its pgsql driver) for the OLTP client test, tests/integration/test_sysbench.py
  sysbench
  # pgjdbc and a JDK for the JDBC client test (tests/integration/test_jdbc.py runs `java File.java`, which needs
  # the JDK's compiler: a JRE cannot; docs/clients.md says why these two)
  default-jdk-headless libpostgresql-jdbc-java
)
# Node.js and npm for the node-pg client test (a nodejs that bundles npm, e.g. NodeSource's, is kept).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then packages+=(nodejs npm); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# node-pg, pinned by tests/integration/node/package-lock.json; reinstalled only when the lock file changed.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_dir="$root/tests/integration/node"
if ! cmp -s "$node_dir/package-lock.json" "$node_dir/node_modules/.omendb-installed-lock" 2>/dev/null; then
  echo "setup: npm ci in tests/integration/node"
  # A registry that cannot be reached fails only the node-pg test (it says why), not the whole setup.
  if ! (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error &&
    cp package-lock.json node_modules/.omendb-installed-lock); then
    echo "setup: WARNING: npm ci failed in tests/integration/node; integration_node_pg will fail until it succeeds" >&2
  fi
fi
