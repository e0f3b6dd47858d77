#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the tests that need one
# (the PostgreSQL store's suites; they read YHTEISTESTAUS_TEST_POSTGRES).
#
#   .ci/postgres.sh run CMD...   start a cluster, run CMD with the DSN in the
#                                environment, stop and remove the cluster
#   .ci/postgres.sh start        start a cluster; print the export lines to
#                                eval: eval "$(.ci/postgres.sh start)"
#   .ci/postgres.sh stop DIR     stop the cluster in DIR and remove DIR
#                                (DIR is $YHTEISTESTAUS_POSTGRES_DIR)
#   .ci/postgres.sh bindir       print the directory of initdb and pg_ctl;
#                                fails when PostgreSQL is not installed
#
# The cluster lives in a new temporary directory, listens on 127.0.0.1 only
# on a free port, with password (SCRAM) authentication for one user whose
# password is made up at start. Started by root, it runs as the "postgres"
# user (PostgreSQL refuses to run as root; Debian's package creates that
# user). Needs PostgreSQL's server binaries: Debian's package postgresql, or
# PG_BINDIR naming the directory of initdb and pg_ctl.
set -euo pipefail

marker=.yhteistestaus-postgres

bindir() {
  if [ -n "${PG_BINDIR:-}" ] && [ -x "$PG_BINDIR/initdb" ]; then
    echo "$PG_BINDIR"
    return
  fi
  local d
  # Debian keeps the server binaries off PATH, one directory per major version.
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
    echo "$d"
    return
  fi
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(command -v initdb)"
    return
  fi
  echo "postgres.sh: PostgreSQL's initdb and pg_ctl are not installed (Debian: apt-get install postgresql; or set PG_BINDIR)" >&2
  return 1
}

# as_owner runs a command as the cluster's owner: the caller, or the
# postgres user when the caller is root.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  local bin dir pw port attempt user=yhteistestaus db=yhteistestaus
  bin=$(bindir)
  dir=$(mktemp -d "${TMPDIR:-/tmp}/yhteistestaus-postgres.XXXXXX")
  touch "$dir/$marker"
  pw=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
  (umask 077 && printf '%s\n' "$pw" >"$dir/pwfile")
  if [ "$(id -u)" = 0 ]; then
    if ! id postgres >/dev/null 2>&1; then
      echo "postgres.sh: running as root needs a postgres user to run the server as" >&2
      rm -rf "$dir"
      return 1
    fi
    chown -R postgres: "$dir"
  fi
  # The owner may not be able to enter the caller's working directory.
  cd "$dir"
  if ! as_owner "$bin/initdb" -D "$dir/data" -U "$user" --pwfile="$dir/pwfile" \
    -A scram-sha-256 -E UTF8 --no-locale --no-sync >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    return 1
  fi
  rm -f "$dir/pwfile"
  cat >>"$dir/data/postgresql.conf" <<EOF
# postgres.sh: loopback only, sockets in the cluster's directory, room for
# the tests' parallel connections.
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
max_connections = 300
EOF
  for attempt in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 40000))
    port_in_use "$port" && continue
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -o "-p $port" -w -t 60 start >/dev/null; then
      break
    fi
    port=
  done
  if [ -z "$port" ]; then
    echo "postgres.sh: the server did not start; its log:" >&2
    cat "$dir/server.log" >&2 || true
    rm -rf "$dir"
    return 1
  fi
  if ! PGPASSWORD=$pw as_owner "$bin/psql" -q -X -h 127.0.0.1 -p "$port" -U "$user" -d postgres \
    -c "CREATE DATABASE $db" >/dev/null; then
    stop "$dir"
    return 1
  fi
  echo "postgres.sh: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port (data in $dir)" >&2
  printf 'export YHTEISTESTAUS_TEST_POSTGRES=%q\n' "postgres://$user:$pw@127.0.0.1:$port/$db?sslmode=disable"
  printf 'export YHTEISTESTAUS_POSTGRES_DIR=%q\n' "$dir"
}

stop() {
  local dir=${1:?usage: postgres.sh stop DIR} bin
  if [ ! -f "$dir/$marker" ]; then
    echo "postgres.sh: $dir is not a cluster directory of postgres.sh; not touched" >&2
    return 1
  fi
  bin=$(bindir)
  if [ -f "$dir/data/postmaster.pid" ]; then
    (cd "$dir" && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null) || true
  fi
  rm -rf "$dir"
}

run() {
  local env status=0
  env=$(start)
  eval "$env"
  trap 'stop "$YHTEISTESTAUS_POSTGRES_DIR"' EXIT
  "$@" || status=$?
  return "$status"
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  run)
    shift
    [ $# -gt 0 ] || { echo "usage: postgres.sh run CMD..." >&2; exit 2; }
    run "$@"
    ;;
  bindir) bindir ;;
  *)
    echo "usage: postgres.sh start | stop DIR | run CMD... | bindir" >&2
    exit 2
    ;;
esac
