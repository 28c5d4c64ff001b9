#!/bin/sh
# Cases: a folder, a case in it (built from the test instance's data), a JSON-patch edit of its data, a copy, the
# comparison of the two as JSON patches, and the clean-up. Needs curl and jq.
#   CORNFLOW_URL=http://localhost:5000 CORNFLOW_USERNAME=planner1 CORNFLOW_PASSWORD='Planner1!' sh examples/curl/cases.sh
set -eu
URL="${CORNFLOW_URL:-http://localhost:5000}"
HERE=$(dirname "$0")
TOKEN=$(curl -sS --fail-with-body -X POST "$URL/login/" -H 'Content-Type: application/json' \
  -d "$(jq -n --arg u "$CORNFLOW_USERNAME" --arg p "$CORNFLOW_PASSWORD" '{username: $u, password: $p}')" | jq -r .token)
AUTH="Authorization: Bearer $TOKEN"
JSON='Content-Type: application/json'

# POST /case/ without data makes a directory; with data (and parent_id) a case inside it.
FOLDER=$(curl -sS --fail-with-body -X POST "$URL/case/" -H "$AUTH" -H "$JSON" -d '{"name": "curl examples", "schema": "solve_model_dag"}' | jq -r .id)
CASE=$(jq --argjson p "$FOLDER" '{name: "from the test instance", schema, data, parent_id: $p}' "$HERE/../data/new_instance.json" \
  | curl -sS --fail-with-body -X POST "$URL/case/" -H "$AUTH" -H "$JSON" --data-binary @- | jq -r .id)
echo "case $CASE in folder $FOLDER"

# PATCH /case/{id}/data/ with an RFC 6902 patch: the hash is recomputed.
curl -sS --fail-with-body -X PATCH "$URL/case/$CASE/data/" -H "$AUTH" -H "$JSON" \
  -d '{"data_patch": [{"op": "replace", "path": "/objective/coefficients/0/value", "value": 3}]}'
test "$(curl -sS --fail-with-body --compressed "$URL/case/$CASE/data/" -H "$AUTH" | jq -r '.data.objective.coefficients[0].value')" = 3

# POST /case/{id}/copy/, then GET /case/{a}/{b}/: what turns one into the other, as JSON patches.
COPY=$(curl -sS --fail-with-body -X POST "$URL/case/$CASE/copy/" -H "$AUTH" | jq -r .id)
curl -sS --fail-with-body -X PATCH "$URL/case/$COPY/data/" -H "$AUTH" -H "$JSON" \
  -d '{"data_patch": [{"op": "replace", "path": "/objective/coefficients/0/value", "value": 5}]}'
curl -sS --fail-with-body --compressed "$URL/case/$CASE/$COPY/" -H "$AUTH" | jq -c .data_patch
test "$(curl -sS --fail-with-body --compressed "$URL/case/$CASE/$COPY/" -H "$AUTH" | jq -r '.data_patch[0].value')" = 5

# GET /case/: the tree (path, is_dir); DELETE /case/{folder}/ removes the folder and what it holds.
curl -sS --fail-with-body "$URL/case/" -H "$AUTH" | jq -r '.[] | "\(.id) \(.path) \(.is_dir) \(.name)"'
curl -sS --fail-with-body -X DELETE "$URL/case/$COPY/" -H "$AUTH"
curl -sS --fail-with-body -X DELETE "$URL/case/$FOLDER/" -H "$AUTH"
test "$(curl -sS -o /dev/null -w '%{http_code}' "$URL/case/$CASE/" -H "$AUTH")" = 404
echo "deleted"
