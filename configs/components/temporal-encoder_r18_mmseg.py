# Component guide (docs/component_guide.md): ATEN's temporal encoding
# (paper §4.1-4.2, Eq. 3-6) in an mmseg segmentor. TemporalEncoderDecoder
# is mmseg's EncoderDecoder whose extract_feat warps the features of the
# earlier frames of a clip (N, T, 3, H, W) to the last one with FlowNetS
# flow x scale field (FlowWarp) and fuses them with a ConvGRUEncoder; the
# mmseg FCNHead then segments the last frame. Tiny, no pretrained weights.
_base_ = './deeplabv3plus-video-neck_r18_mmseg.py'

model = dict(
    type='aten_mm.TemporalEncoderDecoder',
    # clips (F, 3, H, W) -> (N, F, 3, H, W). No padding: mmdet's padding
    # of the ground truth reads `gt_sem_seg.sem_seg`, mmseg's maps are
    # `gt_sem_seg.data`, so the clips of a batch must share one size (train
    # on fixed-size crops, test with batch size 1).
    data_preprocessor=dict(
        _delete_=True,
        type='aten_mm.VideoDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375],
        bgr_to_rgb=True,
        pad_size_divisor=1,
        pad_mask=False,
        pad_seg=False),
    fuse_index=0,
    motion=dict(
        type='aten_mm.FlowNetS',
        base_channels=8,
        # the scale field S has the channels of the warped feature
        scale_channels={{_base_.feat_channels}},
        feat_stride=4),
    warp=dict(type='aten_mm.FlowWarp', padding_mode='zeros'),
    encoder=dict(
        type='aten_mm.ConvGRUEncoder',
        in_channels={{_base_.feat_channels}},
        kernel_size=3))
