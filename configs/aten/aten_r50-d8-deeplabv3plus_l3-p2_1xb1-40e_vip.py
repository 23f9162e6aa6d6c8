# ATEN (l = 3, p = 2) on the output-stride-8 ("d8") variant of the network:
# as aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip.py (the Table 1 row, at
# the release's output stride 16) with a finer, costlier encoder map.
_base_ = [
    '../_base_/models/aten_r50-d8-deeplabv3plus.py',
    '../_base_/datasets/vip_clip.py', '../_base_/schedules/schedule_40e.py',
    '../_base_/default_runtime.py'
]
