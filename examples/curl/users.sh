#!/bin/sh
# Sign up a new user (when the server has SIGNUP_ACTIVATED=1), read and edit its own profile.
# Needs curl and jq.   CORNFLOW_URL=http://localhost:5000 sh examples/curl/users.sh
set -eu
URL="${CORNFLOW_URL:-http://localhost:5000}"
NAME="example_$(date +%s)_$$"

# POST /signup/ → {"token": "...", "id": ...}; the password must follow the password policy.
SIGNUP=$(curl -sS --fail-with-body -X POST "$URL/signup/" -H 'Content-Type: application/json' \
  -d "{\"username\": \"$NAME\", \"email\": \"$NAME@example.com\", \"password\": \"Example_pass1\"}")
TOKEN=$(echo "$SIGNUP" | jq -r .token)
ID=$(echo "$SIGNUP" | jq -r .id)
AUTH="Authorization: Bearer $TOKEN"
echo "signed up $NAME as user $ID"

# GET /user/{id}/: a user may read itself.
curl -sS --fail-with-body "$URL/user/$ID/" -H "$AUTH" | jq '{id, username, email}'

# PUT /user/{id}/: only the fields sent change.
curl -sS --fail-with-body -X PUT "$URL/user/$ID/" -H "$AUTH" -H 'Content-Type: application/json' \
  -d '{"first_name": "Ada", "last_name": "Lovelace"}' | jq .
test "$(curl -sS --fail-with-body "$URL/user/$ID/" -H "$AUTH" | jq -r .first_name)" = Ada

# A new user holds the default role (planner): listing every user is for admins → 403.
test "$(curl -sS -o /dev/null -w '%{http_code}' "$URL/user/" -H "$AUTH")" = 403
echo "done"
