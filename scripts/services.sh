#!/usr/bin/env bash
# Make sure the local servers the integration tests use are up: start any that is installed
# but down. Prints one line per service. Under CI=true a service that cannot be had fails.
set -uo pipefail

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() {
  for _ in $(seq 1 30); do port_open "$1" && return 0; sleep 1; done
  return 1
}

ensure() {
  local name=$1 port=$2 installed=$3 start=$4
  if port_open "$port"; then echo "services: $name is up on 127.0.0.1:$port"; return 0; fi
  if ! command -v "$installed" >/dev/null 2>&1; then
    echo "services: $name is not installed; tests that need it will skip (say CI=true to fail instead)"
    [ "${CI:-}" = true ] && return 1
    return 0
  fi
  echo "services: $name is down; starting it"
  bash -c "$start" >/dev/null 2>&1 || true
  if wait_port "$port"; then echo "services: $name started on 127.0.0.1:$port"; return 0; fi
  echo "services: could not start $name on 127.0.0.1:$port (tried: $start)" >&2
  return 1
}

status=0
ensure PostgreSQL 5432 pg_ctlcluster \
  'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -n1) main start' || status=1
ensure Redis 6379 redis-server \
  'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no' || status=1
ensure RabbitMQ 5672 rabbitmq-server 'rabbitmq-server -detached' || status=1
exit $status
