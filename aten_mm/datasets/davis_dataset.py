"""DAVIS-2016 dataset (docs/davis_protocol.md "Layout")."""
import os.path as osp
from typing import List

from aten_mm.registry import DATASETS
from aten_mm.utils.path_check import check_relative_name

from .base_video_dataset import BaseVideoDataset
from .video_files import list_frames, read_lines, require_dir


@DATASETS.register_module()
class DAVISDataset(BaseVideoDataset):
    """DAVIS-2016 as a two-class (background / foreground) video dataset.

    Layout (relative to ``data_root``, names configurable)::

        JPEGImages/480p/<seq>/00000.jpg     frames, 0-based ids
        Annotations/480p/<seq>/00000.png    every frame, non-zero = fg
        ImageSets/2016/{train,val}.txt      one sequence per line

    ``frame_index == frame_id``. With ``clip_cfg=dict(mode='stream')`` (the
    val/test default of ``configs/_base_/datasets/davis.py``) the items are
    every frame of every sequence in order, F = 1, for stream evaluation;
    with ``mode='key'`` / ``'neighbors'`` / ``'single'`` every frame is a
    target with its clip, as VIP (training; frames without annotation are
    not targets then). ``seg_map_path`` is the
    annotation png (None where a frame has none).

    Args:
        img_dir (str): Frame folder. Defaults to ``'JPEGImages/480p'``.
        ann_dir (str): Annotation folder. Defaults to
            ``'Annotations/480p'``.
        split_file (str): Sequence list. Defaults to
            ``'ImageSets/2016/{split}.txt'``.
        **kwargs: ``data_root``, ``split`` (any name, used in
            ``split_file``), ``img_suffix``, ``meta_dir`` (the optional
            per-sequence json of the synthetic set, with
            ``degraded_frames``) ... of :class:`BaseVideoDataset`.
    """

    #: the foreground in the colour of object 1 of the DAVIS palette
    METAINFO = dict(classes=('background', 'foreground'),
                    palette=[[0, 0, 0], [128, 0, 0]])

    def __init__(self,
                 img_dir: str = 'JPEGImages/480p',
                 ann_dir: str = 'Annotations/480p',
                 split_file: str = 'ImageSets/2016/{split}.txt',
                 **kwargs):
        self.img_dir, self.ann_dir = img_dir, ann_dir
        self.split_file = split_file
        super().__init__(**kwargs)

    def index_videos(self) -> List[dict]:
        """Index every frame of every sequence of the split.

        Returns:
            list[dict]: See :meth:`BaseVideoDataset.index_videos`.
        """
        img_root = require_dir(self.data_path(self.img_dir), 'DAVIS image')
        ann_root = self.data_path(self.ann_dir)
        seqs = [check_relative_name(seq, source) for source, seq in
                read_lines(self.data_path(self.split_file.format(
                    split=self.split)), 'DAVIS split')]
        out = []
        for seq in seqs:
            seq_dir = require_dir(osp.join(img_root, seq), 'DAVIS sequence')
            frames = list_frames(seq_dir, self.img_suffix)
            if not frames:
                raise FileNotFoundError(
                    f'no *{self.img_suffix} frames in {seq_dir}')
            anns = list_frames(osp.join(ann_root, seq), '.png')
            length = max(frames) + 1
            degraded = set(self.video_meta(seq).get('degraded_frames', []))
            targets = [
                dict(frame_id=fid, frame_index=fid, img_path=frames[fid],
                     seg_map_path=anns.get(fid),
                     degraded=fid in degraded)
                for fid in sorted(frames)
            ]
            if self.clip_cfg.get('mode') != 'stream':
                # clip mode: only annotated frames are targets
                targets = [t for t in targets if t['seg_map_path']]
            out.append(dict(video_id=seq, video_length=length,
                            frames=frames, targets=targets))
        return out
