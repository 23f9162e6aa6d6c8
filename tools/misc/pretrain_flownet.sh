#!/usr/bin/env bash
# Pretrain FlowNet-S on synthetic ground-truth flow and benchmark it against
# zero flow and OpenCV (docs/flow.md). Writes WORK/flownet-s.pth, the
# `motion` init of the video configs, and WORK/eval_*.json.
#   bash tools/misc/pretrain_flownet.sh [CONFIG] [DATA] [WORK]
# Defaults: configs/flownet/flownet-s_tiny_synthetic.py, data/synthetic_vip,
# work_dirs/flow_tiny. DATA is generated (make_synthetic_vip.py, with flow)
# when it does not exist. PYTHON selects the interpreter (default: python).
set -euo pipefail

CONFIG=${1:-configs/flownet/flownet-s_tiny_synthetic.py}
DATA=${2:-data/synthetic_vip}
WORK=${3:-work_dirs/flow_tiny}
PYTHON=${PYTHON:-python}
# one OpenMP thread: on a busy CPU two threads wait for each other (10x
# slower measured, docs/flow.md); set OMP_NUM_THREADS to override
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}

if [ ! -d "$DATA/flow" ]; then
    if [ -e "$DATA" ]; then
        echo "error: $DATA exists but has no flow/ folder; regenerate it" \
             "with make_synthetic_vip.py --flow or pass another DATA" >&2
        exit 2
    fi
    "$PYTHON" tools/dataset_converters/make_synthetic_vip.py --out "$DATA"
fi

"$PYTHON" tools/train.py "$CONFIG" --work-dir "$WORK" --cfg-options \
    train_dataloader.dataset.data_root="$DATA/" \
    val_dataloader.dataset.data_root="$DATA/" \
    test_dataloader.dataset.data_root="$DATA/"

CKPT=$(cat "$WORK/last_checkpoint")
cp "$CKPT" "$WORK/flownet-s.pth"
echo "FlowNet-S weights: $WORK/flownet-s.pth (from $CKPT)"

for METHOD in zero dis farneback; do
    "$PYTHON" tools/analysis_tools/eval_flow.py "$DATA" --split val \
        --method "$METHOD" --json "$WORK/eval_$METHOD.json" --overwrite
done
"$PYTHON" tools/analysis_tools/eval_flow.py "$DATA" --split val \
    --config "$CONFIG" --checkpoint "$WORK/flownet-s.pth" \
    --json "$WORK/eval_flownet.json" --overwrite
