#!/usr/bin/env bash
# Testing on a Slurm cluster (one task per GPU).
#   [GPUS=8] bash tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT \
#       [test.py options]
# Environment (GPUS, GPUS_PER_NODE, ...): see tools/slurm_launch.sh.
exec bash "$(dirname "$0")/slurm_launch.sh" "$1" "$2" test.py \
    "$3" "$4" --launcher="slurm" "${@:5}"
