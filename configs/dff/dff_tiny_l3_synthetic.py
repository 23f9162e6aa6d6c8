# The synthetic study's `dff`: DFF at the key interval of the tiny ATEN
# (l = 3, first-frame keys). The synthetic sets annotate every 5th frame, so
# with dff_tiny_synthetic.py's l = 5 (the study's `dff-l5`) every annotated
# frame is a key frame and no propagated DFF frame is ever scored; l = 3
# (prime to 5) scores key distances 0, 1 and 2 equally often
# (docs/synthetic_study.md, session 6).
#   python tools/analysis_tools/synthetic_study.py --model dff --seed 0
_base_ = './dff_tiny_synthetic.py'

model = dict(key_interval=3)
