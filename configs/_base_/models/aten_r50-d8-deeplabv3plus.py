# ATEN on the output-stride-8 variant of the Parsing R-CNN ("d8": ResNet-50
# stages 4-5 dilated by 2 and 4, ASPP rates 12/24/36): a finer encoder
# map than the release's output stride 16 (aten_r50-d16-deeplabv3plus.py),
# about twice the cost of N_feat. Everything else as the d16 model.
_base_ = './aten_r50-d16-deeplabv3plus.py'

model = dict(
    detector=dict(
        backbone=dict(strides=(1, 2, 1, 1), dilations=(1, 1, 2, 4)),
        neck=dict(output_stride=8)))
