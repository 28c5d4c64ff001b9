#!/bin/sh
# Log in and check the token. Needs curl and jq.
#   CORNFLOW_URL=http://localhost:5000 CORNFLOW_USERNAME=planner1 CORNFLOW_PASSWORD='Planner1!' sh examples/curl/login.sh
set -eu
URL="${CORNFLOW_URL:-http://localhost:5000}"

# POST /login/ → {"token": "...", "id": 2, "change_password": false}
LOGIN=$(curl -sS --fail-with-body -X POST "$URL/login/" \
  -H 'Content-Type: application/json' \
  -d "$(jq -n --arg u "$CORNFLOW_USERNAME" --arg p "$CORNFLOW_PASSWORD" '{username: $u, password: $p}')")
TOKEN=$(echo "$LOGIN" | jq -r .token)
echo "logged in as user $(echo "$LOGIN" | jq .id)"

# GET /token/ → {"valid": 1}. Every other call sends the token the same way.
curl -sS --fail-with-body "$URL/token/" -H "Authorization: Bearer $TOKEN"

# Without a token cornflow answers 400 (not 401): {"error": "Authorization header is missing"}
STATUS=$(curl -sS -o /dev/null -w '%{http_code}' "$URL/instance/")
echo "without a token: $STATUS"
test "$STATUS" = 400
