#!/bin/sh
# Entrypoint of both images. The server owns start-up: it waits for
# PostgreSQL (DB_WAIT_SECONDS), applies pending migrations under an advisory
# lock unless RUN_MIGRATIONS=0, then listens. A one-off command (`sh`, the dev
# container's `sleep infinity`, `node dist/src/cli/migrate.js status`) touches
# nothing it does not ask for.
#
# `exec` replaces the shell, so the command is PID 1 and receives
# docker stop's SIGTERM itself instead of a shell swallowing it.
set -eu
exec "$@"
