"""Clip mode vs stream mode, the stream cache and frozen modules (§4.4)."""
import pytest
import torch
from mmdet.structures import DetDataSample
from mmengine.evaluator import BaseMetric
from mmengine.runner import Runner
from torch.utils.data import Dataset

from aten_mm.models.vid import BaseVideoParser


def _run_clip(h, model, video):
    out = {}
    with torch.no_grad():
        for t in range(video.size(0)):
            inputs, sample = h.clip_of(model, video, t)
            [res] = model.predict(inputs, [sample])
            out[t] = res
    return out


def _run_stream(h, model, video, video_id='v0', n=None):
    """Feed frames one by one; returns results and the step of release."""
    n = video.size(0) if n is None else n
    out, released = {}, {}
    with torch.no_grad():
        for t in range(video.size(0)):
            sample = h.stream_sample(t, n, video_id=video_id)
            for res in model.predict(video[t][None, None], [sample]):
                out[res.frame_index] = res
                released[res.frame_index] = t
    return out, released


@pytest.mark.parametrize('name', ['aten_tiny', 'dff_tiny', 'fgfa_tiny'])
def test_clip_and_stream_modes_agree(vid_helpers, name):
    h = vid_helpers
    model = h.light_heads(h.build_tiny(name))
    video = h.synthetic_video(13)  # short last segment for l = 3 and 5
    clip = _run_clip(h, model, video)
    stream, released = _run_stream(h, model, video)
    assert sorted(stream) == list(range(13))
    # results are released in frame order
    order = sorted(stream, key=lambda t: (released[t], t))
    assert order == list(range(13))
    for t in range(13):
        torch.testing.assert_close(stream[t].feat, clip[t].feat,
                                   atol=1e-5, rtol=0)
        assert torch.equal(stream[t].pred_sem_seg.sem_seg,
                           clip[t].pred_sem_seg.sem_seg)
    # non-key frames get a feature of their own (propagated), not a copy
    assert (clip[0].feat - clip[2].feat).abs().max() > 1e-4


def test_stream_waits_for_the_later_keys_at_a_video_start(vid_helpers):
    h = vid_helpers
    model = h.light_heads(h.build_tiny('aten_tiny'))  # l = 3, p = 2
    # §4.4: segment 0 has no earlier keys -> the keys of segments 2, 1
    assert model.plan(0, 13) == dict(key=1, refs=[7, 4])
    assert model.plan(12, 13) == dict(key=12, refs=[7, 10])
    _, released = _run_stream(h, model, h.synthetic_video(13))
    # frames 0-7 need key 7; then each segment waits for its median key
    assert released == {0: 7, 1: 7, 2: 7, 3: 7, 4: 7, 5: 7, 6: 7, 7: 7,
                        8: 8, 9: 10, 10: 10, 11: 11, 12: 12}


@pytest.mark.parametrize('name', ['aten_tiny', 'dff_tiny', 'fgfa_tiny'])
def test_stream_cache_is_bounded(vid_helpers, name):
    h = vid_helpers
    model = h.build_tiny(name)
    model.detector.predict_from_feat = lambda feat, samples, rescale: samples
    interval, p = model.key_interval, model.num_refs
    if name == 'fgfa_tiny':  # a window of 2K + 1 frames, K frames delay
        max_entries, max_pending = 2 * p + 1, p + 1
    else:  # p + 1 keys; at most (p + 1) * l frames wait (video start)
        max_entries, max_pending = p + 1, (p + 1) * interval
    video = h.synthetic_video(50)
    emitted = []
    with torch.no_grad():
        for t in range(50):
            sample = h.stream_sample(t, 60)
            emitted += [s.frame_index for s in
                        model.predict(video[t][None, None], [sample])]
            cache = model.stream_cache
            assert len(cache.entries) <= max_entries
            assert len(cache.pending) <= max_pending
    assert emitted == list(range(len(emitted)))
    assert len(emitted) >= 50 - max_pending
    if name == 'aten_tiny':
        # only the last p + 1 keys are kept (images + raw features)
        assert sorted(model.stream_cache.entries) == [43, 46, 49]
        assert len(emitted) == 50  # frame 49 is its segment's key


def test_stream_new_video_flushes_the_previous_one(vid_helpers):
    h = vid_helpers
    model = h.light_heads(h.build_tiny('aten_tiny'))
    video = h.synthetic_video(13)
    with torch.no_grad():
        first = []
        for t in range(5):  # announced as 13 frames, ends after 5
            first += model.predict(video[t][None, None],
                                   [h.stream_sample(t, 13, video_id='a')])
        assert first == []  # all wait for key 7
        out = model.predict(video[0][None, None],
                            [h.stream_sample(0, 13, video_id='b')])
        # the 5 frames of 'a' come out, parsed as a 5-frame video
        assert [s.frame_index for s in out] == [0, 1, 2, 3, 4]
        assert {s.video_id for s in out} == {'a'}
        assert model.stream_cache.video_id == 'b'
        short = _run_clip(h, model, video[:5])
        for s in out:
            torch.testing.assert_close(s.feat, short[s.frame_index].feat,
                                       atol=1e-5, rtol=0)
        with pytest.raises(ValueError, match='in order'):
            model.predict(video[2][None, None],
                          [h.stream_sample(2, 13, video_id='b')])


def test_frozen_module_gets_no_gradient(vid_helpers):
    h = vid_helpers
    for frozen in ([], ['motion']):
        model = h.build_tiny('aten_tiny', freeze_modules=frozen).train()
        inputs, sample = h.training_clip(model)
        loss, _ = model.parse_losses(model.loss(inputs, [sample]))
        loss.backward()

        def grads(module):
            return [p.grad for p in module.parameters() if p.requires_grad]

        motion_grads = [p.grad for p in model.motion.parameters()]
        if frozen:
            assert not model.motion.training
            assert all(not p.requires_grad
                       for p in model.motion.parameters())
            assert all(g is None for g in motion_grads)
        else:  # Eq. (7) reaches the flow net when it is not frozen
            assert any(g is not None and g.abs().sum() > 0
                       for g in motion_grads)
        for module in (model.detector.backbone, model.detector.neck,
                       model.encoder, model.detector.parsing_head):
            assert module.training
            assert any(g is not None and g.abs().sum() > 0
                       for g in grads(module))


def test_bad_options_are_rejected(vid_helpers):
    h = vid_helpers
    with pytest.raises(ValueError, match='freeze_modules'):
        h.build_tiny('aten_tiny', freeze_modules=['flow'])
    with pytest.raises(ValueError, match='key_position'):
        h.build_tiny('aten_tiny', key_position='middle')
    with pytest.raises(ValueError, match='propagate'):
        h.build_tiny('aten_tiny', propagate='warp')
    with pytest.raises(ValueError, match='motion'):
        h.build_tiny('aten_tiny', motion=None)
    assert issubclass(type(h.build_tiny('dff_tiny')), BaseVideoParser)


class _FrameList(Dataset):
    """In-memory stream items: uint8 frames ``(1, 3, H, W)`` + samples."""

    def __init__(self, videos):
        self.items = []
        for vid, frames in videos:
            n = frames.size(0)
            for t in range(n):
                sample = DetDataSample(metainfo=dict(
                    video_id=vid, video_length=n, frame_index=t,
                    img_shape=(64, 64), ori_shape=(64, 64),
                    scale_factor=(1., 1.), stream=True))
                self.items.append(dict(inputs=frames[t:t + 1],
                                       data_samples=sample))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, idx):
        return self.items[idx]


class _FrameRecorder(BaseMetric):
    """Records which frames the evaluator received, in order."""

    default_prefix = 'stream'

    def process(self, data_batch, data_samples):
        for s in data_samples:
            self.results.append((s['video_id'], s['frame_index']))

    def compute_metrics(self, results):
        _FrameRecorder.seen = list(results)
        return dict(frames=len(results))


def test_mmengine_test_loop_runs_stream_mode(vid_helpers, tmp_path):
    """Delayed, variable-length outputs go through mmengine's TestLoop."""
    h = vid_helpers
    model = h.light_heads(h.build_tiny('aten_tiny'))
    g = torch.Generator().manual_seed(0)
    videos = [('a', torch.randint(0, 255, (8, 3, 64, 64), generator=g,
                                  dtype=torch.uint8)),
              ('b', torch.randint(0, 255, (4, 3, 64, 64), generator=g,
                                  dtype=torch.uint8))]
    runner = Runner(
        model=model, work_dir=str(tmp_path),
        test_dataloader=dict(
            dataset=_FrameList(videos), batch_size=1, num_workers=0,
            sampler=dict(type='DefaultSampler', shuffle=False),
            collate_fn=dict(type='pseudo_collate')),
        test_cfg=dict(type='TestLoop'),
        test_evaluator=[_FrameRecorder()],
        default_hooks=dict(logger=None, checkpoint=None),
        visualizer=dict(type='Visualizer', vis_backends=[]),
        default_scope='aten_mm', log_level='WARNING')
    metrics = runner.test()
    assert metrics['stream/frames'] == 12
    assert _FrameRecorder.seen == ([('a', t) for t in range(8)]
                                   + [('b', t) for t in range(4)])


def test_the_sample_says_its_mode(vid_helpers):
    """A one-frame clip is parsed at once; a stream frame (``stream=True``)
    starts a stream and may wait; a clip lacking frames is refused."""
    h = vid_helpers
    model = h.light_heads(  # l = 5, median keys: key 7
        h.build_tiny('dff_tiny', key_position='median'))
    video = h.synthetic_video(13)
    with torch.no_grad():
        # VIP clip item whose target is its key (p = 0): clip mode
        inputs, sample = h.clip_of(model, video, 7)
        assert inputs.shape[1] == 1
        [out] = model.predict(inputs, [sample])
        assert out.frame_index == 7 and model.stream_cache is None
        # a frame that needs its key starts a stream and waits
        assert model.predict(video[0][None, None],
                             [h.stream_sample(0, 13)]) == []
        assert model.stream_cache is not None
    # ATEN on a one-segment video: the dataset repeats the key as refs
    aten = h.light_heads(h.build_tiny('aten_tiny'))
    with torch.no_grad():
        inputs, sample = h.clip_of(aten, video[:3], 1)
        assert sample.ref_frame_indices == [1, 1] and inputs.shape[1] == 1
        assert len(aten.predict(inputs, [sample])) == 1
        with pytest.raises(ValueError, match='lacks frames'):
            aten.predict(video[0][None, None], [h.video_sample(0, 13)])


def test_clip_mode_refuses_references_other_than_the_plan(vid_helpers):
    """At inference a clip must carry exactly the model's plan; the error
    names the clip's frames and the plan's."""
    h = vid_helpers
    model = h.light_heads(h.build_tiny('aten_tiny'))  # t = 4: refs [1, 7]
    video = h.synthetic_video(13)
    inputs, sample = h.clip_of(model, video, 4)
    assert sample.ref_frame_indices == [1, 7]
    sample.set_metainfo(dict(ref_frame_indices=[1, 1]))
    with torch.no_grad():
        with pytest.raises(ValueError, match=r'reference frames \[1, 1\] '
                           r".*references \[1, 7\]"):
            model.predict(inputs, [sample])
        # training takes the clip's own plan (random keys, §4.4)
        model(inputs, [sample], mode='tensor')
        sample.set_metainfo(dict(ref_frame_indices=[1, 7]))
        assert len(model.predict(inputs, [sample])) == 1
