#!/bin/sh
# Stand-in for the official redis entrypoint: redis-server runs as user redis, listening on all
# interfaces without protected mode (the container network is the boundary, as in the official image).
set -eu
if [ "${1:-}" = "redis-server" ]; then
  shift
  exec setpriv --reuid=redis --regid=redis --init-groups redis-server --bind 0.0.0.0 --protected-mode no --dir /data "$@"
fi
exec "$@"
