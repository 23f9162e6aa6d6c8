"""DAVISDataset: stream and clip items, binary ground truth, errors."""
import cv2
import numpy as np
import pytest

from aten_mm.datasets import DAVISDataset


def test_davis_stream_and_clips(synthetic_davis):
    root, summary = synthetic_davis
    stream = DAVISDataset(data_root=root, split='val',
                          clip_cfg=dict(mode='stream'))
    assert len(stream) == summary['frames']['val']
    info = stream.get_data_info(13)
    assert (info['video_id'], info['frame_index'], info['frame_id']) == (
        summary['splits']['val'][1], 3, 3)
    assert info['clip_frame_indices'] == [3] and info['video_length'] == 10
    clips = DAVISDataset(
        data_root=root, split='train',
        clip_cfg=dict(mode='key', key_interval=3, num_refs=2),
        pipeline=[dict(type='LoadClipFrames'),
                  dict(type='LoadDAVISAnnotations'),
                  dict(type='PackClipInputs')])
    assert len(clips) == summary['frames']['train']
    item = clips[9]  # last frame of the first video: key 9, refs 4 and 7
    meta = item['data_samples']
    assert (meta.key_frame_index, meta.ref_frame_indices,
            meta.clip_frame_indices) == (9, [4, 7], [4, 7, 9])
    ann = cv2.imread(meta.seg_map_path, cv2.IMREAD_UNCHANGED)
    seg = item['data_samples'].gt_sem_seg.sem_seg[0].numpy()
    assert ann.max() > 0 and np.array_equal(seg, (ann > 0).astype(seg.dtype))


def test_davis_missing_paths(synthetic_davis, tmp_path):
    root, _ = synthetic_davis
    with pytest.raises(FileNotFoundError, match='ImageSets/2016/test.txt'):
        DAVISDataset(data_root=root, split='test')
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        DAVISDataset(data_root=str(tmp_path), split='val')
