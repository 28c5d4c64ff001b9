#!/usr/bin/env bash
# Packaging smoke test (a step of .ci/run, not a mocha suite: installing compiles better-sqlite3, ~2-3 min):
# `npm pack` (prepack: clean build + scripts/check-dist-deps.mjs), install the tarball into an empty prefix
# from the local npm cache, then `cornflow --help` and `cornflow service init` on SQLite until /health/
# answers, then SIGTERM (exit 0 expected).
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pid=
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT

echo "pack"
npm pack --silent --pack-destination "$work" >/dev/null
tarball=$(ls "$work"/*.tgz)

echo "install $(basename "$tarball") into an empty prefix"
mkdir -p "$work/prefix/data"
cd "$work/prefix"
printf '{ "name": "cornflow-pack-smoke", "private": true }\n' > package.json
start=$(date +%s)
npm install --prefer-offline --no-audit --no-fund --loglevel=error "$tarball" >/dev/null
echo "installed in $(( $(date +%s) - start ))s (better-sqlite3 is compiled when no prebuilt binary can be downloaded)"
if [ -n "$(ls node_modules | grep -x -E 'mocha|chai|typescript|tsx|supertest|@redocly' || true)" ]; then
  echo "FAIL: a devDependency was installed"; exit 1
fi

bin=./node_modules/.bin/cornflow
"$bin" --help | grep -q 'service' || { echo "FAIL: cornflow --help"; exit 1; }
echo "cornflow --help: ok"

port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
env -i PATH="$PATH" HOME="$work" DATABASE_URL="sqlite:///$work/prefix/data/cornflow.db" HOST=127.0.0.1 PORT="$port" \
  CORNFLOW_ADMIN_USER=admin CORNFLOW_ADMIN_PWD=Admin_pwd1234 CORNFLOW_SERVICE_USER=service_user CORNFLOW_SERVICE_PWD=Service_pwd1234 \
  "$bin" service init > "$work/init.log" 2>&1 &
pid=$!
for _ in $(seq 1 60); do
  if curl -sf "http://127.0.0.1:$port/health/" > "$work/health.json"; then break; fi
  if ! kill -0 "$pid" 2>/dev/null; then cat "$work/init.log"; echo "FAIL: service init exited"; exit 1; fi
  sleep 1
done
grep -q '"cornflow_status":"healthy"' "$work/health.json" || { cat "$work/init.log"; echo "FAIL: /health/"; exit 1; }
echo "service init: /health/ $(cat "$work/health.json")"
kill -TERM "$pid"
wait "$pid" && rc=0 || rc=$?
pid=
[ "$rc" = 0 ] || { cat "$work/init.log"; echo "FAIL: exit code $rc after SIGTERM"; exit 1; }
echo "stopped on SIGTERM: ok"
