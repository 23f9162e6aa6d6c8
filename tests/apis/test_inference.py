import os.path as osp

import numpy as np
import pytest
import torch
from mmengine.config import Config

from aten_mm.apis import (
    VideoInferencer,
    build_frame_pipeline,
    inference_frames,
    init_model,
)

TINY = osp.join(osp.dirname(__file__), '..', '..', 'configs',
                'parsing_rcnn', 'parsing-rcnn_tiny_synthetic.py')


class DelayedModel:
    """Stand-in for a video model answering ``delay`` frames late."""

    def __init__(self, delay):
        self.delay = delay
        self.cfg = Config(dict(test_dataloader=dict(dataset=dict(pipeline=[
            dict(type='LoadClipFrames'),
            dict(type='PackClipInputs')]))))
        self.pending = []
        self.seen_inputs = []

    def stream_reset(self):
        self.pending = []

    def test_step(self, batch):
        assert batch['inputs'][0].shape[0] == 1  # F = 1
        self.seen_inputs.append(batch['inputs'][0])
        self.pending.extend(batch['data_samples'])
        out = []
        while len(self.pending) > self.delay:
            out.append(self.pending.pop(0))
        return out

    def stream_flush(self):
        out, self.pending = self.pending, []
        return out


@pytest.mark.parametrize('delay', [0, 2])
def test_inference_frames_pairs_each_frame_with_its_result(delay):
    frames = [np.full((8, 12, 3), i, np.uint8) for i in range(5)]
    model = DelayedModel(delay)
    pairs = list(inference_frames(model, frames, video_id='clip'))
    assert len(pairs) == 5
    for i, (frame, sample) in enumerate(pairs):
        assert sample.metainfo['frame_index'] == i
        assert sample.metainfo['video_id'] == 'clip'
        assert sample.metainfo['video_length'] == 5
        assert int(frame[0, 0, 0]) == i
    # the pipeline got the frame itself (BGR, (1, 3, H, W))
    assert torch.equal(model.seen_inputs[3][0, :, 0, 0],
                       torch.full((3, ), 3, dtype=torch.uint8))


def test_inferencer_refuses_extra_frames_and_detects_lost_results():
    model = DelayedModel(0)
    inf = VideoInferencer(model, 'v', video_length=1)
    inf.feed(np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(ValueError, match='has 1 frames'):
        inf.feed(np.zeros((8, 8, 3), np.uint8))
    lossy = DelayedModel(1)
    lossy.stream_flush = lambda: []
    inf = VideoInferencer(lossy, 'v', video_length=2)
    inf.feed(np.zeros((8, 8, 3), np.uint8))
    with pytest.raises(RuntimeError, match='1 frames fed but 0'):
        inf.flush()


def test_frame_pipeline_drops_loading():
    cfg = Config.fromfile(TINY)
    names = [t.__class__.__name__ for t in
             build_frame_pipeline(cfg).transforms]
    assert names and not any(n.startswith('Load') for n in names)


def test_init_model_loads_checkpoint(tmp_path):
    torch.manual_seed(0)
    model = init_model(TINY)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    for v in state.values():
        if v.is_floating_point():
            v.add_(1.0)
    ckpt = tmp_path / 'w.pth'
    torch.save(dict(state_dict=state,
                    meta=dict(dataset_meta=dict(classes=('a', 'b')))),
               str(ckpt))
    loaded = init_model(TINY, str(ckpt))
    assert not loaded.training
    assert loaded.dataset_meta == dict(classes=('a', 'b'))
    for k, v in loaded.state_dict().items():
        assert torch.equal(v, state[k]), k
    with pytest.raises(FileNotFoundError):
        init_model('missing_config.py')
