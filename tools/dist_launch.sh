#!/usr/bin/env bash
# The torchrun launch of dist_train.sh and dist_test.sh:
#   bash tools/dist_launch.sh TOOL NPROC [TOOL arguments]
# runs tools/TOOL on NPROC processes per node with the arguments as given.
# One node: torchrun picks a free port itself (--standalone: its store
# listens on port 0, no race with other jobs) unless PORT is set.
# Multi-node: set NNODES, NODE_RANK, MASTER_ADDR and PORT on every node.
# PYTHON selects the interpreter (default: python, e.g. PYTHON=.venv/bin/python).
set -e

TOOL=$1
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
    "$(dirname "$0")/$TOOL" \
    "${@:3}"
