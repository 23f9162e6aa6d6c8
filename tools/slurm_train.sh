#!/usr/bin/env bash
# Training on a Slurm cluster (one task per GPU).
#   [GPUS=8] bash tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR \
#       [train.py options]
# Environment (GPUS, GPUS_PER_NODE, ...): see tools/slurm_launch.sh.
exec bash "$(dirname "$0")/slurm_launch.sh" "$1" "$2" train.py \
    "$3" --work-dir="$4" --launcher="slurm" "${@:5}"
