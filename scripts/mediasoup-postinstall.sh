#!/usr/bin/env bash
# npm postinstall of the hub: make sure a mediasoup worker exists (scripts/mediasoup-worker.sh: cache, official
# prebuilt download, or offline build against Debian's libraries, with progress on stderr).
#
# A missing worker does not fail `npm install`: the hub starts without it and reports live consultations as
# unavailable (GET /api/health/ready -> media: unavailable); everything else works. The lines above this
# script's summary say what to install. Set MEDIASOUP_WORKER_REQUIRED=1 to make a missing worker an error
# (.ci/run checks it explicitly instead), MEDIASOUP_SKIP_POSTINSTALL=1 to skip this step.
set -uo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [[ ${MEDIASOUP_SKIP_POSTINSTALL:-0} == 1 ]]; then
  echo "mediasoup worker: skipped (MEDIASOUP_SKIP_POSTINSTALL=1)"
  exit 0
fi

echo "mediasoup worker: looking for a cached worker, else downloading or building one (a build takes ~5 min)..."
if worker=$(bash "$SCRIPT_DIR/mediasoup-worker.sh"); then
  echo "mediasoup worker: ready at $worker"
  exit 0
fi

cat >&2 <<MSG

mediasoup worker: NOT AVAILABLE. The hub will start, but live consultations (video calls) are reported as
unavailable until a worker exists. To fix it:
  - install the Debian packages named above (the full list is in scripts/mediasoup-apt-packages.txt), e.g.
      sudo apt-get install -y --no-install-recommends \$(grep -v '^#' scripts/mediasoup-apt-packages.txt)
    then run:  bash scripts/mediasoup-worker.sh
  - or point MEDIASOUP_WORKER_BIN at a mediasoup 3.12.16 worker binary.
See docs/media.md.

MSG
if [[ ${MEDIASOUP_WORKER_REQUIRED:-0} == 1 ]]; then exit 1; fi
exit 0
