"""ONNX Runtime's RoiAlign in place of mmcv's RoIAlign: the same numbers."""
import pytest
import torch
from mmcv.ops import RoIAlign

from aten_mm.deployment.ort_roi_align import OrtRoIAlign, roi_align_graph


def _rois(num=40, seed=0):
    """Boxes over a 2-image batch of 64 x 96 inputs: inside, crossing the
    border, outside, tiny and one of zero width."""
    g = torch.Generator().manual_seed(seed)
    xy = torch.rand(num, 2, generator=g) * torch.tensor([120., 90.]) - 20
    wh = torch.rand(num, 2, generator=g) * torch.tensor([60., 50.]) + 0.5
    boxes = torch.cat([xy, xy + wh], 1)
    boxes[0] = torch.tensor([30., 20., 30., 40.])  # zero width
    batch = (torch.arange(num) % 2).float()[:, None]
    return torch.cat([batch, boxes], 1)


@pytest.mark.parametrize('size,ratio,aligned', [
    ((7, 7), 2, True), ((14, 14), 2, True), ((7, 7), 0, True),
    ((7, 7), 2, False), ((14, 14), 0, False)])
def test_same_numbers_as_mmcv(size, ratio, aligned):
    layer = RoIAlign(size, spatial_scale=0.25, sampling_ratio=ratio,
                     pool_mode='avg', aligned=aligned)
    feat = torch.randn(2, 8, 16, 24)
    rois = _rois()
    ort = OrtRoIAlign(layer, roi_align_graph(layer))
    want = layer(feat, rois)
    got = ort(feat, rois)
    assert got.shape == want.shape == (40, 8, *size)
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    # the batch index is honoured: the same boxes on the other image differ
    flipped = rois.clone()
    flipped[:, 0] = 1 - flipped[:, 0]
    assert not torch.allclose(ort(feat, flipped), want)


def test_channels_last_feature_and_no_rois():
    layer = RoIAlign((7, 7), 0.25, 2, 'avg', True)
    ort = OrtRoIAlign(layer, roi_align_graph(layer))
    feat = torch.randn(2, 8, 16, 24)
    rois = _rois()
    torch.testing.assert_close(
        ort(feat.contiguous(memory_format=torch.channels_last), rois),
        layer(feat, rois), atol=1e-5, rtol=1e-5)
    empty = ort(feat, rois[:0])
    assert empty.shape == (0, 8, 7, 7)


def test_max_pooling_has_no_graph():
    # ONNX's max mode is not mmcv's: such a layer stays on mmcv
    assert roi_align_graph(RoIAlign((7, 7), 0.25, 2, 'max', True)) is None
    assert roi_align_graph(torch.nn.Identity()) is None


def test_backend_swaps_average_roi_align_layers_only():
    import os.path as osp

    from aten_mm.apis import init_model
    from aten_mm.deployment import use_onnxruntime
    config = osp.join(osp.dirname(__file__), '..', '..', 'configs',
                      'parsing_rcnn', 'parsing-rcnn_tiny_synthetic.py')
    model = use_onnxruntime(init_model(config, None, cfg_options={
        'model.roi_head.mask_roi_extractor.roi_layer.pool_mode': 'max'}))
    roi_head = model.roi_head
    box = roi_head.bbox_roi_extractor.roi_layers[0]
    assert isinstance(box, OrtRoIAlign)
    assert box.output_size == (7, 7)  # what mmdet's extractor reads
    assert type(roi_head.mask_roi_extractor.roi_layers[0]) is RoIAlign
    # while graphs are traced, the mmcv layer is back
    model.onnx_backend._uninstall()
    assert roi_head.bbox_roi_extractor.roi_layers[0] is box.torch_layer
    model.onnx_backend._install()
    assert roi_head.bbox_roi_extractor.roi_layers[0] is box
