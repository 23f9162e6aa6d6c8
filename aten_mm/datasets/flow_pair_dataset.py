"""Consecutive frame pairs with ground-truth optical flow (issue 13 §2)."""
import os
import os.path as osp
from typing import List

from mmengine.dataset import BaseDataset

from aten_mm.registry import DATASETS
from aten_mm.utils.path_check import check_relative_name

from .video_files import read_lines, require_dir, resolve_path

# Where the raw frames, the per-frame person masks and the split lists of
# each layout live (relative to data_root): VIP (synthetic or real) and the
# DAVIS-2016 layout of aten_mm.datasets.synthetic.writer_davis.
LAYOUTS = {
    'vip': dict(
        frames='VIP_Sequence',
        person='VIP_Fine/Annotations/Human_ids',
        video_lists=('VIP_Fine/lists/{split}_videos.txt',
                     'VIP_Fine/lists/{split}_id.txt'),
        img_suffix='.jpg'),
    'davis': dict(
        frames='JPEGImages/480p',
        person='Annotations/480p',
        video_lists=('ImageSets/2016/{split}.txt', ),
        img_suffix='.jpg'),
}


def detect_layout(data_root: str) -> str:
    """``'vip'`` or ``'davis'`` from the folders under ``data_root``."""
    for name, layout in LAYOUTS.items():
        if osp.isdir(osp.join(data_root, layout['frames'])):
            return name
    raise FileNotFoundError(
        f'{data_root}: neither a VIP layout (VIP_Sequence/) nor a DAVIS '
        'layout (JPEGImages/480p/) found')


@DATASETS.register_module()
class FlowPairDataset(BaseDataset):
    """Pairs (frame ``t``, frame ``t - 1``) with the backward flow of ``t``.

    Layout (``flow_dir`` relative to ``data_root``)::

        <flow_dir>/<video>/<stem of frame t>.flo        Middlebury .flo
        <flow_dir>/<video>/<stem of frame t>_valid.png  255 valid, 0 not

    The flow is float32 (H, W, 2) at frame resolution in pixels:
    ``flow[y, x] = (dx, dy)`` such that the content at ``(x, y)`` of frame
    ``t`` is at ``(x + dx, y + dy)`` in frame ``t - 1`` (the direction in
    which the video models' feature warp samples). One item per ``.flo``
    file of the split's videos; frame ``t`` is the raw frame with the same
    stem, frame ``t - 1`` the raw frame just before it in the video's
    sorted frame folder. A missing ``_valid.png`` means every pixel is
    valid. Raw frames: ``VIP_Sequence/<video>/`` (VIP) or
    ``JPEGImages/480p/<video>/`` (DAVIS layout). Person pixels come from
    the frame's person annotation (VIP ``Human_ids > 0``, DAVIS mask > 0)
    when frame ``t`` is annotated; ``person_path`` is None otherwise, and
    such pairs do not count in the person EPE.

    Args:
        data_root (str): Dataset root.
        split (str): Split whose videos are used (VIP: ``train``/``val``/
            ``test``; DAVIS layout: ``train``/``val``).
        layout (str): ``'auto'``, ``'vip'`` or ``'davis'``.
        flow_dir (str): Flow folder. Defaults to ``'flow'``.
        **kwargs: ``pipeline``, ``test_mode``, ... of mmengine's
            ``BaseDataset``.
    """

    METAINFO = dict(task='optical flow')

    def __init__(self,
                 data_root: str = '',
                 split: str = 'train',
                 layout: str = 'auto',
                 flow_dir: str = 'flow',
                 **kwargs) -> None:
        if layout not in ('auto', ) + tuple(LAYOUTS):
            raise ValueError(f"layout must be 'auto', 'vip' or 'davis', "
                             f'got {layout!r}')
        self.split = split
        self.layout = layout
        self.flow_dir = flow_dir
        super().__init__(data_root=data_root, **kwargs)

    def _videos(self, layout: dict) -> List[str]:
        for pattern in layout['video_lists']:
            path = resolve_path(self.data_root, pattern.format(
                split=self.split))
            if osp.isfile(path):
                videos = []
                for source, line in read_lines(path, 'video list'):
                    video = line.split('/')[0] if '/' in line else line
                    check_relative_name(video, source)
                    if video not in videos:
                        videos.append(video)
                return videos
        tried = [resolve_path(self.data_root, p.format(split=self.split))
                 for p in layout['video_lists']]
        raise FileNotFoundError(
            f'no video list for split {self.split!r}: tried {tried}')

    def load_data_list(self) -> List[dict]:
        """Index every ``.flo`` of the split's videos.

        Returns:
            list[dict]: ``img_path`` (frame t), ``ref_img_path`` (t - 1),
            ``flow_path``, ``valid_path`` (or None), ``person_path`` (or
            None), ``video``, ``frame`` (stem of t).

        Raises:
            FileNotFoundError: Missing folders, lists, flow folder of a
                video, or the frame of a ``.flo``.
            ValueError: A ``.flo`` for the first frame (no ``t - 1``), or
                no pair at all.
        """
        name = self.layout if self.layout != 'auto' else detect_layout(
            self.data_root)
        layout = LAYOUTS[name]
        frame_root = require_dir(
            resolve_path(self.data_root, layout['frames']), 'frame')
        flow_root = require_dir(
            resolve_path(self.data_root, self.flow_dir),
            'ground-truth flow (generate the set with flow, see '
            'docs/flow.md)')
        person_root = resolve_path(self.data_root, layout['person'])
        suffix = layout['img_suffix']
        items = []
        for video in self._videos(layout):
            flow_video = require_dir(osp.join(flow_root, video),
                                     f'flow of video {video!r}')
            frame_dir = require_dir(osp.join(frame_root, video),
                                    f'frames of video {video!r}')
            stems = sorted(osp.splitext(e.name)[0]
                           for e in os.scandir(frame_dir)
                           if e.name.endswith(suffix))
            order = {stem: i for i, stem in enumerate(stems)}
            flows = sorted(e.name[:-4] for e in os.scandir(flow_video)
                           if e.name.endswith('.flo'))
            for stem in flows:
                flow_path = osp.join(flow_video, stem + '.flo')
                if stem not in order:
                    raise FileNotFoundError(
                        f'{flow_path}: its frame {stem}{suffix} is not in '
                        f'{frame_dir}')
                if order[stem] == 0:
                    raise ValueError(
                        f'{flow_path}: flow for the first frame of the '
                        'video (there is no previous frame)')
                prev = stems[order[stem] - 1]
                valid = osp.join(flow_video, stem + '_valid.png')
                person = osp.join(person_root, video, stem + '.png')
                items.append(dict(
                    img_path=osp.join(frame_dir, stem + suffix),
                    ref_img_path=osp.join(frame_dir, prev + suffix),
                    flow_path=flow_path,
                    valid_path=valid if osp.isfile(valid) else None,
                    person_path=person if osp.isfile(person) else None,
                    video=video,
                    frame=stem))
        if not items:
            raise ValueError(f'no flow pairs for split {self.split!r} under '
                             f'{flow_root}')
        return items

