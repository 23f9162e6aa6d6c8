# The `make demo` run (tools/misc/run_demo.py): tiny ATEN (l = 3, p = 2) on
# the default synthetic VIP set, a few minutes on 2 CPU cores. Over
# aten_tiny_synthetic.py only the optimiser changes: AdamW learns the
# randomly initialised tiny model much faster than SGD in a CPU budget of
# ~300 iterations (measured: docs/synthetic_study.md).
_base_ = './aten_tiny_synthetic.py'

optim_wrapper = dict(
    optimizer=dict(
        _delete_=True, type='AdamW', lr=1e-3, weight_decay=1e-4))
default_hooks = dict(logger=dict(interval=8))
