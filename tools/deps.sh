#!/usr/bin/env bash
# Installs exactly the Debian packages lnob needs to build, run and test.
# Idempotent: when everything is present it only runs dpkg-query and exits.
set -euo pipefail

PACKAGES=(
  # build
  build-essential cmake ninja-build pkg-config ccache
  # libraries
  libgrpc++-dev libgrpc-dev protobuf-compiler-grpc libprotobuf-dev libprotoc-dev protobuf-compiler
  libabsl-dev libpqxx-dev libpq-dev prometheus-cpp-dev libssl-dev libboost-dev libxlsxwriter-dev
  # proto include trees (googleapis, grpc health/reflection)
  golang-github-gogo-googleapis-dev grpc-proto
  # tests
  libgtest-dev libgmock-dev libbenchmark-dev
  python3-grpcio python3-protobuf python3-openpyxl curl openssl
  # fuzz targets (services/gateway/fuzz): clang with libFuzzer and the sanitizer runtimes
  clang-14 libclang-rt-14-dev
  # database server
  postgresql postgresql-contrib
  # operations checks (tests/ops): promtool and prometheus, yamllint
  prometheus yamllint
  # the container test (tests/container): build and run the image without a registry
  podman runc debootstrap
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "lnob: installing Debian packages: ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
