#!/bin/sh
# `ruru serve` under load with wrk on loopback (bench/README.md, "The service"): single and
# batch lookups, POST /v1/logs against `ruru scan --record`, memory over 1,000,000 requests.
# Arguments go to bench/serve.py (--mb, --iocs, --seconds, --million).
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps bench
make release >/dev/null
exec python3 bench/serve.py "$@"
