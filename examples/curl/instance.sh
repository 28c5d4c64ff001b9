#!/bin/sh
# Create an instance from a JSON file, list the instances, read one back with its data, rename it, delete it.
# Needs curl and jq.
#   CORNFLOW_URL=http://localhost:5000 CORNFLOW_USERNAME=planner1 CORNFLOW_PASSWORD='Planner1!' sh examples/curl/instance.sh
set -eu
URL="${CORNFLOW_URL:-http://localhost:5000}"
HERE=$(dirname "$0")
TOKEN=$(curl -sS --fail-with-body -X POST "$URL/login/" -H 'Content-Type: application/json' \
  -d "$(jq -n --arg u "$CORNFLOW_USERNAME" --arg p "$CORNFLOW_PASSWORD" '{username: $u, password: $p}')" | jq -r .token)
AUTH="Authorization: Bearer $TOKEN"

# POST /instance/: name, data and the app (schema) the data is for; the data is validated against the app's
# instance schema. The file is cornflow's own test instance: {"name", "description", "schema", "data"}.
ID=$(curl -sS --fail-with-body -X POST "$URL/instance/" -H "$AUTH" -H 'Content-Type: application/json' \
  --data-binary "@$HERE/../data/new_instance.json" | jq -r .id)
echo "created instance $ID"

# GET /instance/?limit=5: newest first, without data.
curl -sS --fail-with-body "$URL/instance/?limit=5" -H "$AUTH" | jq -r '.[] | "\(.id) \(.name)"'

# GET /instance/{id}/ (metadata and executions) and /instance/{id}/data/ (the data, as sent).
curl -sS --fail-with-body "$URL/instance/$ID/" -H "$AUTH" | jq '{id, name, data_hash, executions}'
curl -sS --fail-with-body --compressed "$URL/instance/$ID/data/" -H "$AUTH" | jq '.data.objective'

# PUT /instance/{id}/: only the fields sent change.
curl -sS --fail-with-body -X PUT "$URL/instance/$ID/" -H "$AUTH" -H 'Content-Type: application/json' \
  -d '{"name": "Renamed by the example"}'
test "$(curl -sS --fail-with-body "$URL/instance/$ID/" -H "$AUTH" | jq -r .name)" = 'Renamed by the example'

# DELETE /instance/{id}/ → {"message": "The object has been deleted"}; then it is a 404.
curl -sS --fail-with-body -X DELETE "$URL/instance/$ID/" -H "$AUTH"
test "$(curl -sS -o /dev/null -w '%{http_code}' "$URL/instance/$ID/" -H "$AUTH")" = 404
echo "deleted $ID"
