# DFF at the key interval of the tiny ATEN (l = 3, first-frame keys) for the
# synthetic study. The synthetic sets annotate every 5th frame, so with
# dff_tiny_synthetic.py's l = 5 every annotated frame is a key frame and
# the study never scores a propagated DFF frame; l = 3 (prime to 5) scores
# key distances 0, 1 and 2 equally often (docs/synthetic_study_f5.md).
#   python tools/analysis_tools/synthetic_study.py \
#       --model configs/dff/dff_tiny_l3_synthetic.py --seed 0
_base_ = './dff_tiny_synthetic.py'

model = dict(key_interval=3)
