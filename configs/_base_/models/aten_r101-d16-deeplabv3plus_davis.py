# ATEN for DAVIS-2016 (paper §5.3, Table 2): ResNet-101 backbone at output
# stride 16 (as the release), 2 classes (background / object), no instance
# branch (parsing only), l = 3, p = 2.
_base_ = ['./aten_r50-d16-deeplabv3plus.py', './davis-r101-detector.py']

model = dict(detector={{_base_.davis_detector}})
