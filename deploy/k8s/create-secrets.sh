#!/usr/bin/env bash
# Creates the Secrets the lnob manifests reference, in one namespace, without committing any:
#
#   deploy/k8s/create-secrets.sh NAMESPACE [--jwt-public-keys FILE] [--db-admin-user NAME]
#
# Existing Secrets are left alone (rotation is a deliberate step: docs/operations.md).
# Passwords are 48 hex characters (safe inside a libpq connection string).
#
#   lnob-db-admin            basic-auth  postgres / random       who runs lnobctl bootstrap: dev the
#                                                                 PostgreSQL superuser; prod (with
#                                                                 --db-admin-user lnob_dbowner) the
#                                                                 CloudNativePG database owner, no
#                                                                 superuser
#   lnob-<svc>-db-owner      basic-auth  lnob_<svc>_owner / random  schema owner (migrate Job)
#   lnob-<svc>-db            basic-auth  lnob_<svc> / random        the service's login role
#   lnob-page-token          secret=<32 random bytes, base64>   LNOB_PAGE_TOKEN_SECRET
#   lnob-jwt-public-keys     jwt_public.pem                     LNOB_JWT_PUBLIC_KEYS (mounted)
#   lnob-<svc>-signing-key   signing_key.pem, public.pem        a service's own token key pair,
#                                                                 mounted: lnob-funding-signing-key
#                                                                 (LNOB_SERVICE_SIGNING_KEY),
#                                                                 lnob-gateway-signing-key
#                                                                 (LNOB_JWT_SIGNING_KEY, API keys)
#
# Without --jwt-public-keys a new RSA key pair is generated in ~/.config/lnob/jwt-<namespace>/
# (outside the repository, mode 0700) and only its public half is stored in the cluster: keep
# the private key with whoever mints tokens (lnobctl token --private_key=...).
#
# Services in SIGNING_SERVICES sign short-lived tokens of their own for calls to other services
# (the gateway: for calls made with an API key).
# Their key pair is generated here in a temporary folder that is removed at exit: the private
# key exists only in the Secret lnob-<svc>-signing-key. Their public keys are appended to
# lnob-jwt-public-keys when this script creates it; when that Secret already exists, the script
# says which public keys it lacks (add them as in docs/operations.md, "Funding").
#
# Not created here (values only the operator has): lnob-db-backup-s3 (prod object-storage
# credentials, keys ACCESS_KEY_ID and ACCESS_SECRET_KEY), lnob-gateway-tls and
# lnob-gateway-grpc-tls (the certificates of the gateway's two Ingress hosts). Made by the
# CloudNativePG operator, not here: lnob-db-ca, the CA of the cluster lnob-db, which the prod
# pods mount to connect with sslmode=verify-full.
set -euo pipefail

# Services with a schema and roles of their own (the gateway's schema holds the API keys); add
# each new service here too.
SERVICES=(registry funding campaigns inspection awards reporting gateway)
# Services that mint their own tokens (funding, campaigns: --service_signing_key; the gateway:
# --jwt_signing_key, for calls made with an API key).
SIGNING_SERVICES=(funding campaigns inspection awards reporting gateway)

# What each service's signing key may sign, written above its public key in
# lnob-jwt-public-keys: a leaked service key cannot mint a province administrator. The
# gateway's: API-key tokens only, with the roles an API key may carry (every role of
# common/auth/roles.json except PROVINCE_ADMIN and SERVICE_*; `lnobctl keys --for=gateway`
# prints the same line, and tests/layout/check_service_list.py compares them).
policy_of() {
  case "$1" in
    gateway) echo "lnob-key-policy: subjects=apikey:* roles=AWARDS_COUNCIL_MEMBER,AWARDS_HEAD,COMMUNE_CHAIR,COMMUNE_OFFICER,INSPECTION_APPRAISER,INSPECTOR,PROVINCE_OFFICER,REVIEWER,SYSTEM_CLIENT,VIEWER" ;;
    *) echo "lnob-key-policy: subjects=service:$1 roles=SERVICE_$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')" ;;
  esac
}

NS=${1:?usage: create-secrets.sh NAMESPACE [--jwt-public-keys FILE] [--db-admin-user NAME]}
shift
JWT_PUB=""
DB_ADMIN_USER=postgres
while [ $# -gt 0 ]; do
  case "$1" in
    --jwt-public-keys) JWT_PUB=${2:?--jwt-public-keys needs a file}; shift 2 ;;
    --db-admin-user) DB_ADMIN_USER=${2:?--db-admin-user needs a role name}; shift 2 ;;
    *) echo "create-secrets: unknown argument $1" >&2; exit 2 ;;
  esac
done
if [ -n "$JWT_PUB" ] && [ ! -r "$JWT_PUB" ]; then
  echo "create-secrets: cannot read $JWT_PUB" >&2
  exit 2
fi

command -v kubectl >/dev/null || { echo "create-secrets: kubectl not found" >&2; exit 2; }
command -v openssl >/dev/null || { echo "create-secrets: openssl not found" >&2; exit 2; }

exists() { kubectl -n "$NS" get secret "$1" >/dev/null 2>&1; }
password() { openssl rand -hex 24; }
keydir=$(mktemp -d)
trap 'rm -rf "$keydir"' EXIT

basic_auth() {  # name username
  local name=$1 user=$2
  if exists "$name"; then echo "kept    $name"; return; fi
  kubectl -n "$NS" create secret generic "$name" --type=kubernetes.io/basic-auth \
    --from-literal=username="$user" --from-literal=password="$(password)" >/dev/null
  # CloudNativePG reloads managed-role passwords from Secrets carrying this label.
  kubectl -n "$NS" label secret "$name" cnpg.io/reload=true app.kubernetes.io/part-of=lnob >/dev/null
  echo "created $name ($user)"
}

kubectl get namespace "$NS" >/dev/null 2>&1 || kubectl create namespace "$NS" >/dev/null

basic_auth lnob-db-admin "$DB_ADMIN_USER"
for svc in "${SERVICES[@]}"; do
  basic_auth "lnob-$svc-db-owner" "lnob_${svc}_owner"
  basic_auth "lnob-$svc-db" "lnob_$svc"
done

if exists lnob-page-token; then
  echo "kept    lnob-page-token"
else
  kubectl -n "$NS" create secret generic lnob-page-token \
    --from-literal=secret="$(openssl rand -base64 32)" >/dev/null
  echo "created lnob-page-token"
fi

# Service signing keys: the private key only in the Secret, the public key also in
# $keydir/<svc>.pub.pem for lnob-jwt-public-keys below.
for svc in "${SIGNING_SERVICES[@]}"; do
  name="lnob-$svc-signing-key"
  if exists "$name"; then
    echo "kept    $name"
    kubectl -n "$NS" get secret "$name" -o jsonpath='{.data.public\.pem}' | base64 -d >"$keydir/$svc.pub.pem"
    continue
  fi
  (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$keydir/$svc.pem" 2>/dev/null)
  openssl pkey -in "$keydir/$svc.pem" -pubout -out "$keydir/$svc.pub.pem"
  kubectl -n "$NS" create secret generic "$name" \
    --from-file=signing_key.pem="$keydir/$svc.pem" --from-file=public.pem="$keydir/$svc.pub.pem" >/dev/null
  kubectl -n "$NS" label secret "$name" app.kubernetes.io/part-of=lnob >/dev/null
  rm -f "$keydir/$svc.pem"
  echo "created $name"
done

# The body of a PEM file on one line, to tell whether a public key is among others.
pem_body() { grep -v -e '-----' "$1" | tr -d ' \n\r'; }

if exists lnob-jwt-public-keys; then
  echo "kept    lnob-jwt-public-keys"
  kubectl -n "$NS" get secret lnob-jwt-public-keys -o jsonpath='{.data.jwt_public\.pem}' | base64 -d >"$keydir/current.pem"
  for svc in "${SIGNING_SERVICES[@]}"; do
    [ -s "$keydir/$svc.pub.pem" ] || continue
    if ! pem_body "$keydir/current.pem" | grep -qF "$(pem_body "$keydir/$svc.pub.pem")"; then
      echo "missing the public key of lnob-$svc-signing-key in lnob-jwt-public-keys: append it and restart"
      if [ "$svc" = gateway ]; then
        echo "          the pods (docs/operations.md, \"The gateway and its Ingress\"); until then new gateway pods exit at start"
      else
        echo "          the pods (docs/operations.md, \"Funding\"); until then the services refuse $svc's calls"
      fi
    fi
  done
else
  if [ -z "$JWT_PUB" ]; then
    dir="${XDG_CONFIG_HOME:-$HOME/.config}/lnob/jwt-$NS"
    mkdir -p "$dir"
    chmod 700 "$dir"
    if [ ! -f "$dir/jwt_private.pem" ]; then
      (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$dir/jwt_private.pem" 2>/dev/null)
    fi
    openssl pkey -in "$dir/jwt_private.pem" -pubout -out "$dir/jwt_public.pem"
    JWT_PUB="$dir/jwt_public.pem"
    echo "note    new JWT key pair in $dir (private key stays here; never commit it)"
  fi
  cat "$JWT_PUB" >"$keydir/jwt_public.pem"
  for svc in "${SIGNING_SERVICES[@]}"; do
    if [ -s "$keydir/$svc.pub.pem" ]; then { policy_of "$svc"; cat "$keydir/$svc.pub.pem"; } >>"$keydir/jwt_public.pem"; fi
  done
  kubectl -n "$NS" create secret generic lnob-jwt-public-keys \
    --from-file=jwt_public.pem="$keydir/jwt_public.pem" >/dev/null
  echo "created lnob-jwt-public-keys (with the public keys of: ${SIGNING_SERVICES[*]})"
fi

if ! exists lnob-db-backup-s3; then
  echo "missing lnob-db-backup-s3 (needed by the prod overlay only): kubectl -n $NS create secret generic lnob-db-backup-s3 \\"
  echo "          --from-literal=ACCESS_KEY_ID=... --from-literal=ACCESS_SECRET_KEY=..."
fi
