# Table 2 "ATEN(l = 4)": as the l = 3 row with a longer key interval.
_base_ = './aten_r101-d16-deeplabv3plus_l3-p2_davis.py'

model = dict(key_interval=4)
