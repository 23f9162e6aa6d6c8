# Table 1 "FGFA": features of every frame, the ±2 neighbours aggregated.
# The paper does not give FGFA's window on VIP; K = 2 (5 frames) is our
# choice: the window of FGFA's own paper (±9 at test time) would exceed the
# ±10 raw frames VIP stores around each annotated frame at training time.
_base_ = [
    '../_base_/models/fgfa_r50-d16-deeplabv3plus.py',
    '../_base_/datasets/vip_clip.py', '../_base_/schedules/schedule_40e.py',
    '../_base_/default_runtime.py'
]
