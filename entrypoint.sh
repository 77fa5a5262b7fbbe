#!/bin/sh
# Entrypoint of both images: wait for PostgreSQL, apply migrations, then
# `exec "$@"` so the command (the server) is PID 1 and receives docker stop's
# SIGTERM itself instead of a shell swallowing it.
#
# RUN_MIGRATIONS=auto (default) migrates only when the command starts the
#   server, so `docker run … sh` or the dev container's `sleep infinity` never
#   touch the database; 1 always migrates; 0 never does.
# With NODE_ENV=production a failure stops the container with the error.
# Anywhere else (the dev container) it is logged and the command still runs:
# a dev container that dies on a database hiccup cannot be repaired from inside.
# The migrate CLI waits up to DB_WAIT_SECONDS, retrying only connection errors,
# and serialises replicas with a PostgreSQL advisory lock.
set -eu

log() { printf 'entrypoint: %s\n' "$*" >&2; }

starts_server() {
  case "$*" in
    *server.js* | *server.ts* | "npm start"* | "npm run start"* | "npm run dev"*) return 0 ;;
    *) return 1 ;;
  esac
}

# Sources win over dist/ when tsx is installed: in a dev workspace dist/ may be
# a stale build that lacks the newest migration. The production image has no
# sources and no tsx, only dist/.
migrate() {
  if [ -f src/cli/migrate.ts ] && [ -x node_modules/.bin/tsx ]; then
    node_modules/.bin/tsx src/cli/migrate.ts latest --wait
  elif [ -f dist/src/cli/migrate.js ]; then
    node dist/src/cli/migrate.js latest --wait
  else
    log "no dist/src/cli/migrate.js and no node_modules/.bin/tsx in $(pwd) (dependencies not installed yet?): skipping migrations"
  fi
}

fail() {
  if [ "${NODE_ENV:-}" = production ]; then
    log "$1; exiting"
    exit 1
  fi
  log "$1; starting the command anyway because NODE_ENV is not production"
}

case "${RUN_MIGRATIONS:-auto}" in
  0 | false | no) wanted=no ;;
  1 | true | yes) wanted=yes ;;
  auto) if starts_server "$@"; then wanted=yes; else wanted=no; fi ;;
  *)
    log "RUN_MIGRATIONS must be auto, 1 or 0, not '${RUN_MIGRATIONS}'"
    exit 64
    ;;
esac

if [ "$wanted" = yes ]; then
  if [ -z "${DATABASE_URL:-}" ]; then
    # Unset, the app would start an embedded PostgreSQL inside the container,
    # whose data dies with it.
    fail "DATABASE_URL is not set, so there is no database to migrate"
  elif migrate; then
    :
  else
    fail "migrations failed (exit $?) against the database in DATABASE_URL"
  fi
fi

exec "$@"
