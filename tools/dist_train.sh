#!/usr/bin/env bash
# Distributed training with torchrun (one process per GPU, or per CPU slot
# with the gloo backend of configs/_base_/default_runtime.py).
#   bash tools/dist_train.sh CONFIG NPROC [train.py options]
# One node: torchrun picks a free port itself (--standalone: its store
# listens on port 0, no race with other jobs) unless PORT is set.
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
# PYTHON selects the interpreter (default: python, e.g. PYTHON=.venv/bin/python).
set -e

if [ $# -lt 2 ]; then
    echo "usage: $0 CONFIG NPROC [train.py options]" >&2
    exit 2
fi

CONFIG=$1
GPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-}
MASTER_ADDR=${MASTER_ADDR:-"127.0.0.1"}
if [ "$NNODES" = 1 ] && [ -z "$PORT" ]; then
    RDZV=(--standalone)
else
    RDZV=(--nnodes="$NNODES" --node_rank="$NODE_RANK"
          --master_addr="$MASTER_ADDR" --master_port="${PORT:-29500}")
fi
PYTHON=${PYTHON:-python}

PYTHONPATH="$(dirname "$0")/..":$PYTHONPATH \
"$PYTHON" -m torch.distributed.run \
    "${RDZV[@]}" \
    --nproc_per_node="$GPUS" \
    "$(dirname "$0")/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
