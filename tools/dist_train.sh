#!/usr/bin/env bash
# Distributed training with torchrun (one process per GPU, or per CPU slot
# with the gloo backend of configs/_base_/default_runtime.py).
#   bash tools/dist_train.sh CONFIG NPROC [train.py options]
# Ports, multi-node settings and PYTHON: see tools/dist_launch.sh.
set -e

if [ $# -lt 2 ]; then
    echo "usage: $0 CONFIG NPROC [train.py options]" >&2
    exit 2
fi

exec bash "$(dirname "$0")/dist_launch.sh" train.py "$2" \
    "$1" --launcher pytorch "${@:3}"
