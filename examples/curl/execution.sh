#!/bin/sh
# Solve cornflow's test instance on the server's backend: create the instance, launch an execution with a solver
# configuration, wait until it is solved, read the solution and the solver log. Needs curl and jq.
#   CORNFLOW_URL=http://localhost:5000 CORNFLOW_USERNAME=planner1 CORNFLOW_PASSWORD='Planner1!' sh examples/curl/execution.sh
set -eu
URL="${CORNFLOW_URL:-http://localhost:5000}"
HERE=$(dirname "$0")
TOKEN=$(curl -sS --fail-with-body -X POST "$URL/login/" -H 'Content-Type: application/json' \
  -d "$(jq -n --arg u "$CORNFLOW_USERNAME" --arg p "$CORNFLOW_PASSWORD" '{username: $u, password: $p}')" | jq -r .token)
AUTH="Authorization: Bearer $TOKEN"

INSTANCE=$(curl -sS --fail-with-body -X POST "$URL/instance/" -H "$AUTH" -H 'Content-Type: application/json' \
  --data-binary "@$HERE/../data/new_instance.json" | jq -r .id)

# POST /execution/: the instance, a name and the solver configuration (defaults come from the app's config schema).
# 201 with state −7: queued for the backend.
EXECUTION=$(curl -sS --fail-with-body -X POST "$URL/execution/" -H "$AUTH" -H 'Content-Type: application/json' \
  -d "$(jq -n --arg i "$INSTANCE" '{instance_id: $i, name: "curl example", config: {timeLimit: 60, msg: true}}')" | jq -r .id)
echo "execution $EXECUTION queued"

# GET /execution/{id}/status/ until the state leaves −7 (queued) and 0 (running): 1 = solved.
STATE=-7
for _ in $(seq 1 120); do
  STATE=$(curl -sS --fail-with-body "$URL/execution/$EXECUTION/status/" -H "$AUTH" | jq -r .state)
  [ "$STATE" != -7 ] && [ "$STATE" != 0 ] && break
  sleep 0.5
done
test "$STATE" = 1

# GET /execution/{id}/data/: the model with the variables' values; /log/: the solver log (status, objective...).
curl -sS --fail-with-body --compressed "$URL/execution/$EXECUTION/data/" -H "$AUTH" | jq -c '[.data.variables[] | {name, varValue}]'
curl -sS --fail-with-body "$URL/execution/$EXECUTION/log/" -H "$AUTH" | jq -c '.log | {status, best_solution, solver}'
test "$(curl -sS --fail-with-body "$URL/execution/$EXECUTION/log/" -H "$AUTH" | jq -r .log.status)" = Optimal
