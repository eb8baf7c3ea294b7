#!/usr/bin/env bash
# The README's main job: runs in the demo workspace under the dev profile.
set -euo pipefail
dlt=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/../demo"
echo "\$ dlt profile list"
WORKSPACE__PROFILE= "$dlt" --profile dev profile list
echo
echo "\$ dlt workspace info"
"$dlt" --profile dev workspace info
