"""VideoDataPreprocessor: identical normalisation/padding of clip frames."""
import numpy as np
import torch
from mmdet.structures import DetDataSample
from mmdet.structures.bbox import HorizontalBoxes
from mmdet.structures.mask import BitmapMasks
from mmengine.structures import InstanceData, PixelData

from aten_mm.registry import MODELS


def sample(h, w):
    s = DetDataSample()
    s.gt_instances = InstanceData(
        bboxes=HorizontalBoxes(torch.tensor([[0., 0., 2., 2.]])),
        labels=torch.zeros(1, dtype=torch.long),
        masks=BitmapMasks(np.ones((1, h, w), np.uint8), h, w))
    s.gt_sem_seg = PixelData(sem_seg=torch.ones(1, h, w, dtype=torch.long))
    return s


def test_normalise_and_pad_clips():
    pre = MODELS.build(dict(type='VideoDataPreprocessor',
                            mean=[10., 20., 30.], std=[2., 4., 5.],
                            bgr_to_rgb=True, pad_size_divisor=8,
                            pad_value=-1))
    a = torch.randint(0, 256, (3, 3, 10, 13), dtype=torch.uint8)
    b = torch.randint(0, 256, (2, 3, 6, 5), dtype=torch.uint8)
    out = pre(dict(inputs=[a, b], data_samples=[sample(10, 13),
                                               sample(6, 5)]),
              training=True)
    x, samples = out['inputs'], out['data_samples']
    assert x.shape == (2, 3, 3, 16, 16)
    mean = torch.tensor([10., 20., 30.]).view(3, 1, 1)
    std = torch.tensor([2., 4., 5.]).view(3, 1, 1)
    for f in range(3):  # every frame converted and padded identically
        want = (a[f].flip(0).float() - mean) / std
        assert torch.allclose(x[0, f, :, :10, :13], want)
        assert (x[0, f, :, 10:] == -1).all() and (x[0, f, :, :, 13:] ==
                                                  -1).all()
    assert torch.allclose(x[1, 1, :, :6, :5],
                          (b[1].flip(0).float() - mean) / std)
    assert (x[1, 2] == -1).all()  # the shorter clip's missing frame
    assert samples[0].batch_input_shape == (16, 16)
    assert samples[0].pad_shape == (16, 16)
    assert samples[1].pad_shape == (8, 8)
    assert samples[1].num_frames == 2
    assert isinstance(samples[0].gt_instances.bboxes, torch.Tensor)
    # gt padded to the batch shape: masks with 0, part maps with 255
    seg = samples[1].gt_sem_seg.sem_seg
    assert seg.shape == (1, 16, 16)
    assert (seg[:, :6, :5] == 1).all() and (seg[:, 6:] == 255).all()
    assert samples[1].gt_instances.masks.masks.shape == (1, 16, 16)
    assert samples[1].gt_instances.masks.masks[0, 6:].sum() == 0
