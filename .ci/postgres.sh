#!/usr/bin/env bash
# Start Debian's PostgreSQL on loopback for the store tests, if none answers,
# and make the test role and database. Prints the URL to use, and nothing else
# on stdout: PostgreSQL's own chatter ("Removed stale pid file.") goes to stderr.
set -euo pipefail
exec 3>&1 1>&2
URL="postgresql://relscan:relscan@127.0.0.1:5432/relscan_test"
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  (apt-get update -qq && apt-get install -y -qq postgresql) >/dev/null 2>&1
fi
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  version=$(ls /usr/lib/postgresql | sort -n | tail -1)
  pg_lsclusters -h | grep -q "^$version main" || pg_createcluster -q "$version" main >/dev/null
  # A machine restored from a snapshot can keep the lock of a server that is gone.
  for lock in /var/run/postgresql/.s.PGSQL.*.lock; do
    [ -e "$lock" ] || continue
    state=$(ps -o stat= -p "$(head -1 "$lock")" 2>/dev/null || true)
    case "$state" in ""|Z*) rm -f "$lock" ;; esac
  done
  # fd 3 is the caller's pipe: the server must not hold it open, or $(...) never returns.
  pg_ctlcluster "$version" main start 3>&-
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_roles WHERE rolname='relscan'\"" | grep -q 1 \
  || su postgres -c "psql -qc \"CREATE ROLE relscan LOGIN PASSWORD 'relscan' CREATEDB\""
su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='relscan_test'\"" | grep -q 1 \
  || su postgres -c "createdb -O relscan relscan_test"
echo "$URL" >&3
