"""Datasets built from the real config files through mmengine's Runner."""
import os.path as osp

from mmengine.config import Config
from mmengine.runner import Runner

from aten_mm.registry import MODELS

CFG = osp.join(osp.dirname(osp.dirname(osp.dirname(__file__))), 'configs',
               '_base_', 'datasets')


def loader(cfg, name, root, **overrides):
    dl = cfg[name]
    dl.dataset.data_root = root
    dl.update(num_workers=0, persistent_workers=False, **overrides)
    return Runner.build_dataloader(dl, seed=0)


def test_synthetic_vip_config(synthetic_vip):
    root, summary = synthetic_vip
    cfg = Config.fromfile(osp.join(CFG, 'synthetic_vip_clip.py'))
    assert cfg.key_interval == 3 and cfg.num_refs == 2
    train = loader(cfg, 'train_dataloader', root)
    assert len(train.dataset) == summary['annotated_frames']['train']
    batch = next(iter(train))
    assert len(batch['inputs']) == 2
    for clip, sample in zip(batch['inputs'], batch['data_samples']):
        # 64x48 frames -> longer side 256
        assert clip.shape == (len(sample.clip_frame_indices), 3, 192, 256)
        assert sample.frame_index in sample.clip_frame_indices
        assert sample.key_frame_index in sample.clip_frame_indices
        assert len(sample.ref_frame_indices) == 2
        seg = sample.gt_sem_seg.sem_seg
        assert seg.shape == (1, 192, 256)
        assert set(seg.unique().tolist()) <= set(range(20)) | {255}
        assert sample.gt_instances.masks.masks.shape[1:] == (192, 256)
    pre = MODELS.build(dict(type='VideoDataPreprocessor',
                            mean=[123.675, 116.28, 103.53],
                            std=[58.395, 57.12, 57.375], bgr_to_rgb=True,
                            pad_size_divisor=32))
    out = pre(batch, training=True)
    fmax = max(len(c) for c in batch['inputs'])
    assert out['inputs'].shape == (2, fmax, 3, 192, 256)
    # val: VideoSampler, every annotated frame of the split once, in order
    val = loader(cfg, 'val_dataloader', root)
    seen = [(s.video_id, s.frame_id) for b in val for s in b['data_samples']]
    videos = summary['splits']['val']
    assert seen == [(v, f) for v in videos for f in (1, 5, 9)]


def test_davis_config(synthetic_davis):
    root, summary = synthetic_davis
    cfg = Config.fromfile(osp.join(CFG, 'davis.py'))
    train = loader(cfg, 'train_dataloader', root)
    assert len(train.dataset) == summary['frames']['train']
    item = train.dataset[0]
    seg = item['data_samples'].gt_sem_seg.sem_seg
    assert set(seg.unique().tolist()) <= {0, 1}
    assert item['inputs'].shape[-2:] == seg.shape[-2:]
    val = loader(cfg, 'val_dataloader', root)
    assert len(val.dataset) == summary['frames']['val']
    infos = [val.dataset.get_data_info(i) for i in range(len(val.dataset))]
    assert [(i['video_id'], i['frame_index']) for i in infos] == [
        (v, t) for v in summary['splits']['val'] for t in range(10)]
    first = val.dataset[0]
    assert first['inputs'].shape == (1, 3, 512, 896)
    meta = first['data_samples']
    assert meta.frame_index == 0 and meta.clip_frame_indices == [0]
    ann = meta.seg_map_path
    assert osp.basename(ann) == '00000.png'


CONFIGS = osp.join(osp.dirname(CFG), '..')


def test_dff_training_keys_come_from_the_model(synthetic_vip):
    """The DFF config's training dataset follows the model's plan (l = 5,
    first-frame keys): every drawn key lies 0 ... l - 1 frames before its
    target, i.e. key - target in [-(l - 1), 0]."""
    from aten_mm.apis import load_config
    root, _ = synthetic_vip
    cfg = load_config(osp.join(CONFIGS, 'dff', 'dff_tiny_synthetic.py'),
                      check_keys=False)
    assert cfg.train_dataloader.dataset.clip_cfg == dict(
        mode='key', key_interval=5, num_refs=0, key_position='first')
    dataset = loader(cfg, 'train_dataloader', root).dataset
    offsets = set()
    for _ in range(20):
        for i in range(len(dataset)):
            info = dataset.get_data_info(i)
            offsets.add(info['key_frame_index'] - info['frame_index'])
            assert info['ref_frame_indices'] == []
    assert offsets <= set(range(-4, 1)) and min(offsets) < 0
    assert 0 in offsets


def test_vip_trainval_split_concatenates_train_and_val(synthetic_vip):
    """§5.1's 354 training videos = the train + val lists."""
    root, summary = synthetic_vip
    cfg = Config.fromfile(osp.join(CFG, 'vip_clip_trainval.py'))
    dl = cfg.train_dataloader
    for part in dl.dataset.datasets:
        part.data_root = root
    dl.update(num_workers=0, persistent_workers=False)
    train = Runner.build_dataloader(dl, seed=0)
    ann = summary['annotated_frames']
    assert len(train.dataset) == ann['train'] + ann['val']
    videos = {train.dataset.get_data_info(i)['video_id']
              for i in range(len(train.dataset))}
    assert videos == set(summary['splits']['train'] +
                         summary['splits']['val'])
