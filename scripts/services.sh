#!/usr/bin/env bash
# Makes sure the services Wegweiser's tests need are running, installing them
# from Debian's packages where missing, and prints shell exports for them:
#
#   eval "$(scripts/services.sh)"
#
# PostgreSQL: the machine's server on 127.0.0.1:5432 when it accepts the
# postgres user without a password; otherwise a private throwaway cluster
# (trust auth, fsync off) under ${WEGWEISER_PG_DIR:-/tmp/wegweiser-pg}.
# Redis: the machine's on 127.0.0.1:6379, started if it is installed but down.
# Progress goes to stderr; only the exports go to stdout.
set -euo pipefail

log() { echo "services: $*" >&2; }

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    log "need to install $* but not root; install them with apt-get"; return 1
  fi
  if [ -z "${_apt_updated:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || true
    _apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

pg_bin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && echo "$d"
}

pg_ok() { # host port
  command -v psql >/dev/null 2>&1 || return 1
  PGCONNECT_TIMEOUT=3 psql -h "$1" -p "$2" -U postgres -d postgres -Atqc 'select 1' >/dev/null 2>&1
}

ensure_postgres() {
  if pg_ok 127.0.0.1 5432; then
    echo "export WEGWEISER_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'"
    return
  fi
  # Try starting the machine's cluster (it may just be stopped).
  if command -v pg_ctlcluster >/dev/null 2>&1 && ls /etc/postgresql/*/main >/dev/null 2>&1; then
    local v; v=$(ls /etc/postgresql | sort -V | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$v" main start >&2 2>&1 || true
    for _ in $(seq 1 20); do pg_ok 127.0.0.1 5432 && break; sleep 0.5; done
    if pg_ok 127.0.0.1 5432; then
      echo "export WEGWEISER_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'"
      return
    fi
  fi
  [ -n "$(pg_bin)" ] || apt_install postgresql postgresql-client
  local bin dir port
  bin=$(pg_bin); dir=${WEGWEISER_PG_DIR:-/tmp/wegweiser-pg}; port=${WEGWEISER_PG_PORT:-55432}
  if ! pg_ok 127.0.0.1 "$port"; then
    log "starting a private PostgreSQL cluster in $dir on port $port"
    if [ ! -f "$dir/PG_VERSION" ]; then
      mkdir -p "$dir"
      if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$dir"; fi
      run_pg "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 >&2
    fi
    run_pg "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >&2
  fi
  pg_ok 127.0.0.1 "$port" || { log "PostgreSQL did not come up; see $dir/server.log"; return 1; }
  echo "export WEGWEISER_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable'"
}

run_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

ensure_redis() {
  if command -v redis-cli >/dev/null 2>&1 && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "export WEGWEISER_TEST_REDIS_URL='redis://127.0.0.1:6379/0'"
    return
  fi
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  mkdir -p /tmp/wegweiser-redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/wegweiser-redis --logfile /tmp/wegweiser-redis/redis.log >&2
  for _ in $(seq 1 20); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.25; done
  redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { log "Redis did not come up"; return 1; }
  echo "export WEGWEISER_TEST_REDIS_URL='redis://127.0.0.1:6379/0'"
}

ensure_chromium() {
  [ -x /usr/bin/chromium ] || apt_install chromium
  echo "export WEGWEISER_CHROMIUM=/usr/bin/chromium"
}

# Debian's msitools (wixl, msiinfo) and rpm build and check the agent's
# Windows and RPM packages.
ensure_packaging() {
  command -v msiinfo >/dev/null 2>&1 || apt_install msitools
  command -v wixl >/dev/null 2>&1 || apt_install wixl
  command -v rpm >/dev/null 2>&1 || apt_install rpm
  echo "export WEGWEISER_WIXL=$(command -v wixl)"
}

for what in ${*:-postgres redis chromium packaging}; do
  "ensure_$what"
done
