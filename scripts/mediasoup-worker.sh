#!/usr/bin/env bash
# Provide a mediasoup worker binary and print its absolute path on the last line of stdout.
#
#   worker=$(scripts/mediasoup-worker.sh) && export MEDIASOUP_WORKER_BIN="$worker"
#
# Order of preference:
#   1. $MEDIASOUP_WORKER_BIN, if set and executable.
#   2. The cached binary (outside the clone), if it passes a sanity check.
#   3. The official prebuilt worker from the GitHub release (same URL mediasoup's npm-scripts.mjs uses).
#   4. An offline build from the mediasoup npm tarball against Debian bookworm's libraries
#      (OpenSSL 3, libuv, libsrtp2, usrsctp, abseil, nlohmann-json): no meson wraps, no pip, no GitHub.
#
# All progress goes to stderr; stdout carries only the path. Background: the team notes shared/MEDIASOUP.md (beside the repository) and docs/media.md.
#
# Environment:
#   MEDIASOUP_WORKER_BIN       use this binary, skip everything else
#   MEDIASOUP_WORKER_CACHE     cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/field-telemed/mediasoup-worker)
#   MEDIASOUP_APT_INSTALL=1    (or CI=true) apt-get install missing Debian packages when running as root
#   MEDIASOUP_SKIP_PREBUILT=1  do not try the GitHub download
#   MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL  mirror of the GitHub releases/download base (as in mediasoup)
#   MEDIASOUP_BUILD_JOBS       ninja -j value (default: ninja's own)
#   MEDIASOUP_KEEP_BUILD=1     keep the temporary build directory
set -euo pipefail

# stdout is reserved for the final path: everything else goes to stderr.
exec 3>&1 1>&2

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
DEFAULT_VERSION=3.12.16

log() { printf 'mediasoup-worker: %s\n' "$*"; }
die() { printf 'mediasoup-worker: ERROR: %s\n' "$*"; exit 1; }
emit() { printf '%s\n' "$1" >&3; exit 0; }

# --- version, platform, cache location ---------------------------------------------------------------
VERSION=$DEFAULT_VERSION
if [[ -f "$ROOT/node_modules/mediasoup/package.json" ]] && command -v node >/dev/null 2>&1; then
  VERSION=$(cd "$ROOT" && node -p "require('mediasoup/package.json').version")
fi
[[ $VERSION == 3.12.* ]] || log "warning: mediasoup $VERSION found; the offline build recipe is only validated for 3.12.x"

OS=$(uname -s | tr '[:upper:]' '[:lower:]')
MACHINE=$(uname -m)
CACHE_ROOT=${MEDIASOUP_WORKER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/field-telemed/mediasoup-worker}
CACHE_DIR=$CACHE_ROOT/$VERSION-$OS-$MACHINE
CACHED_BIN=$CACHE_DIR/mediasoup-worker

# --- sanity check --------------------------------------------------------------------------------------
# A usable worker: regular executable file, all shared libraries resolvable, and it starts (without
# MEDIASOUP_VERSION in its environment every mediasoup worker exits with code 41; mediasoup's own
# postinstall uses the same probe).
MISSING_LIBS=""
worker_ok() {
  local bin=$1 out rc=0
  MISSING_LIBS=""
  [[ -f $bin && -x $bin ]] || return 1
  if command -v ldd >/dev/null 2>&1; then
    out=$(ldd "$bin" 2>&1) || grep -q 'not a dynamic executable' <<<"$out" || return 1
    if grep -q 'not found' <<<"$out"; then
      MISSING_LIBS=$(awk '/not found/ {print $1}' <<<"$out" | tr '\n' ' ')
      return 1
    fi
  fi
  timeout 20 env -i "$bin" </dev/null >/dev/null 2>&1 || rc=$?
  [[ $rc -eq 41 ]]
}

# --- 1. explicit override ----------------------------------------------------------------------------
if [[ -n ${MEDIASOUP_WORKER_BIN:-} ]]; then
  if [[ -f $MEDIASOUP_WORKER_BIN && -x $MEDIASOUP_WORKER_BIN ]]; then
    emit "$MEDIASOUP_WORKER_BIN"
  fi
  log "warning: MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN is not an executable file; ignoring it"
fi

# --- 2. cache (fast path, no lock: the cache entry is only ever replaced by an atomic rename) ----------
if worker_ok "$CACHED_BIN"; then
  emit "$CACHED_BIN"
fi

mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.lock"
if ! flock -n 9; then
  log "another mediasoup-worker.sh holds $CACHE_DIR/.lock; waiting for it"
  flock -w "${MEDIASOUP_LOCK_TIMEOUT:-3600}" 9 || die "timed out waiting for $CACHE_DIR/.lock"
fi
if worker_ok "$CACHED_BIN"; then
  emit "$CACHED_BIN"
fi
if [[ -e $CACHED_BIN ]]; then
  log "cached $CACHED_BIN is unusable${MISSING_LIBS:+ (missing shared libraries: $MISSING_LIBS)}; replacing it"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mediasoup-worker-$VERSION.XXXXXX")
STAGE=$CACHE_DIR/.mediasoup-worker.$$.tmp
SUCCESS=0
BUILDING=0
cleanup() {
  rm -f "$STAGE"
  if [[ ${MEDIASOUP_KEEP_BUILD:-0} == 1 || ($SUCCESS == 0 && $BUILDING == 1) ]]; then
    log "build directory kept for inspection: $WORK"
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# Put a verified binary into the cache atomically and print its path.
install_worker() {
  local bin=$1 source=$2
  worker_ok "$bin" || die "$bin does not pass the sanity check${MISSING_LIBS:+ (missing shared libraries: $MISSING_LIBS)}"
  cp "$bin" "$STAGE"
  chmod 0755 "$STAGE"
  mv -f "$STAGE" "$CACHED_BIN"
  {
    echo "mediasoup_version=$VERSION"
    echo "source=$source"
    echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "host=$(uname -srm)"
    echo "sha256=$(sha256sum "$CACHED_BIN" | cut -d' ' -f1)"
    echo "shared_libraries:"
    ldd "$CACHED_BIN" 2>&1 | sed 's/^[[:space:]]*/  /' || true
  } >"$CACHE_DIR/mediasoup-worker.info.tmp"
  mv -f "$CACHE_DIR/mediasoup-worker.info.tmp" "$CACHE_DIR/mediasoup-worker.info"
  SUCCESS=1
  log "installed $CACHED_BIN ($source)"
  emit "$CACHED_BIN"
}

# --- 3. official prebuilt worker ---------------------------------------------------------------------
# mediasoup 3.12.16 npm-scripts.mjs: `${repository}/releases/download/${version}/
#   mediasoup-worker-${version}-${os.platform()}-${os.arch()}.tgz` (no kernel suffix in 3.12.x).
case $MACHINE in
  x86_64) NODE_ARCH=x64 ;;
  aarch64) NODE_ARCH=arm64 ;;
  armv7l) NODE_ARCH=arm ;;
  *) NODE_ARCH=$MACHINE ;;
esac
if [[ ${MEDIASOUP_SKIP_PREBUILT:-0} != 1 ]] && command -v curl >/dev/null 2>&1; then
  BASE_URL=${MEDIASOUP_WORKER_PREBUILT_DOWNLOAD_BASE_URL:-https://github.com/versatica/mediasoup/releases/download}
  URL=$BASE_URL/$VERSION/mediasoup-worker-$VERSION-$OS-$NODE_ARCH.tgz
  log "trying the official prebuilt worker: $URL"
  mkdir -p "$WORK/prebuilt"
  if curl -fsSL --max-time 20 --connect-timeout 5 -o "$WORK/prebuilt/worker.tgz" "$URL" \
    && tar -xzf "$WORK/prebuilt/worker.tgz" -C "$WORK/prebuilt" \
    && [[ -f $WORK/prebuilt/mediasoup-worker ]]; then
    chmod 0755 "$WORK/prebuilt/mediasoup-worker"
    if worker_ok "$WORK/prebuilt/mediasoup-worker"; then
      install_worker "$WORK/prebuilt/mediasoup-worker" "prebuilt $URL"
    fi
    log "the prebuilt worker does not run on this host${MISSING_LIBS:+ (missing: $MISSING_LIBS)}; building instead"
  else
    log "prebuilt worker not available (offline or no asset); building from source instead"
  fi
fi

# --- 4. offline build --------------------------------------------------------------------------------
BUILD_START=$SECONDS

log "[1/4] checking Debian packages"
PKG_FILE=$SCRIPT_DIR/mediasoup-apt-packages.txt
if [[ -f $PKG_FILE ]]; then
  mapfile -t PKGS < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$PKG_FILE" | awk 'NF')
else
  PKGS=(libssl3 libuv1 libsrtp2-1 libusrsctp2 libabsl20220623 build-essential pkg-config python3 meson
    ninja-build libssl-dev libuv1-dev libsrtp2-dev libusrsctp-dev libabsl-dev nlohmann-json3-dev)
fi
command -v dpkg-query >/dev/null 2>&1 \
  || die "not a Debian-based system: install the equivalents of: ${PKGS[*]} (or set MEDIASOUP_WORKER_BIN)"
MISSING_PKGS=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null | grep -q '^ii' || MISSING_PKGS+=("$p")
done
if ((${#MISSING_PKGS[@]})); then
  if [[ $(id -u) == 0 && (${MEDIASOUP_APT_INSTALL:-0} == 1 || ${CI:-} == true) ]]; then
    log "installing missing Debian packages: ${MISSING_PKGS[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if ! apt-get install -y --no-install-recommends "${MISSING_PKGS[@]}"; then
      log "apt-get install failed; running apt-get update and retrying"
      apt-get update
      apt-get install -y --no-install-recommends "${MISSING_PKGS[@]}"
    fi
  else
    log "missing Debian packages: ${MISSING_PKGS[*]}"
    log "install them with:"
    log "  sudo apt-get install -y --no-install-recommends ${MISSING_PKGS[*]}"
    log "or re-run as root with MEDIASOUP_APT_INSTALL=1"
    exit 1
  fi
fi
MESON_VER=$(meson --version)
log "meson $MESON_VER, ninja $(ninja --version), $(gcc --version | head -n1)"

log "[2/4] fetching source (npm pack mediasoup@$VERSION)"
BUILDING=1
if (cd "$ROOT" && npm pack "mediasoup@$VERSION" --pack-destination "$WORK" --silent >/dev/null) \
  && [[ -f $WORK/mediasoup-$VERSION.tgz ]]; then
  tar -xzf "$WORK/mediasoup-$VERSION.tgz" -C "$WORK"
elif [[ -f $ROOT/node_modules/mediasoup/worker/meson.build ]] \
  && [[ $(cd "$ROOT" && node -p "require('mediasoup/package.json').version") == "$VERSION" ]]; then
  log "npm pack failed; using the sources in node_modules/mediasoup (installed by npm with integrity check)"
  mkdir -p "$WORK/package"
  cp -a "$ROOT/node_modules/mediasoup/worker" "$WORK/package/worker"
  rm -rf "$WORK/package/worker/out" "$WORK/package/worker/prebuild"
else
  die "cannot get the mediasoup $VERSION sources (npm pack failed and node_modules/mediasoup is absent)"
fi
SRC=$WORK/package/worker
BUILD=$WORK/build
[[ -f $SRC/meson.build ]] || die "no worker/meson.build in the mediasoup $VERSION package"

log "[3/4] configuring (local subprojects on Debian libraries, meson setup)"
# Debian bookworm ships meson 1.0.1; mediasoup 3.12.16 asks for >= 1.1.0 but uses nothing newer.
sed -i -E "s/meson_version: *'>= *[0-9.]+'/meson_version: '>= 1.0.0'/" "$SRC/meson.build"
grep -q "meson_version: '>= 1.0.0'" "$SRC/meson.build" || die "could not relax meson_version in meson.build"

# Replace the downloading wraps with local subprojects that wrap the system libraries and define the
# variables the parent meson.build reads with get_variable() (empty static libraries for link_whole).
S=$SRC/subprojects
rm -rf "$S"/*.wrap "$S/packagefiles"
subproject_stub() { # <dir> <project-name>, body on stdin
  mkdir -p "$S/$1"
  echo 'int ms_offline_stub(void) { return 0; }' >"$S/$1/stub.c"
  { echo "project('$2', 'c', 'cpp')"; cat; } >"$S/$1/meson.build"
}
subproject_stub openssl openssl <<'EOF'
openssl_dep = dependency('openssl', version: '>= 1.1.1')
libcrypto_lib = static_library('stub_crypto', 'stub.c')
libssl_lib = static_library('stub_ssl', 'stub.c')
EOF
subproject_stub nlohmann_json nlohmann_json <<'EOF'
nlohmann_json_dep = dependency('nlohmann_json')
EOF
subproject_stub libuv libuv <<'EOF'
libuv_dep = dependency('libuv')
libuv = static_library('stub_uv', 'stub.c')
EOF
printf "option('build_tests', type: 'boolean', value: false)\noption('build_benchmarks', type: 'boolean', value: false)\n" \
  >"$S/libuv/meson_options.txt"
subproject_stub libsrtp2 libsrtp2 <<'EOF'
_srtp = dependency('libsrtp2')
# mediasoup includes <srtp.h>; Debian installs it under include/srtp2.
libsrtp2_dep = declare_dependency(dependencies: _srtp,
  compile_args: ['-I' + _srtp.get_variable(pkgconfig: 'includedir') / 'srtp2'])
libsrtp2 = static_library('stub_srtp2', 'stub.c')
EOF
printf "option('crypto-library', type: 'string', value: 'openssl')\noption('crypto-library-kdf', type: 'feature', value: 'disabled')\noption('tests', type: 'feature', value: 'disabled')\n" \
  >"$S/libsrtp2/meson_options.txt"
subproject_stub usrsctp usrsctp <<'EOF'
usrsctp_dep = dependency('usrsctp')
usrsctp = static_library('stub_usrsctp', 'stub.c')
EOF
echo "option('sctp_build_programs', type: 'boolean', value: false)" >"$S/usrsctp/meson_options.txt"
subproject_stub abseil-cpp abseil-cpp <<'EOF'
absl_container_dep = declare_dependency(dependencies: [dependency('absl_flat_hash_map'),
  dependency('absl_flat_hash_set'), dependency('absl_inlined_vector'), dependency('absl_btree'),
  dependency('absl_memory')])
absl_strings_dep = dependency('absl_strings')
absl_types_dep = declare_dependency(dependencies: [dependency('absl_optional'),
  dependency('absl_variant'), dependency('absl_span')])
absl_container_lib = static_library('stub_absl', 'stub.c')
EOF
subproject_stub catch2 catch2 <<'EOF'
catch2_dep = dependency('catch2', required: false)
EOF

# Same flags as mediasoup's Makefile "Release" preset.
meson setup --wrap-mode=nodownload --buildtype release -Db_ndebug=true -Db_pie=true -Db_staticpic=true \
  "$BUILD" "$SRC"

log "[4/4] compiling mediasoup-worker (ninja; this takes a few minutes)"
NINJA_ARGS=(-C "$BUILD")
[[ -n ${MEDIASOUP_BUILD_JOBS:-} ]] && NINJA_ARGS+=(-j "$MEDIASOUP_BUILD_JOBS")
NINJA_STATUS='mediasoup worker build: step %f/%t ' ninja "${NINJA_ARGS[@]}" mediasoup-worker
log "build finished in $((SECONDS - BUILD_START))s"

install_worker "$BUILD/mediasoup-worker" "offline build from npm mediasoup@$VERSION + Debian libraries (meson $MESON_VER)"
