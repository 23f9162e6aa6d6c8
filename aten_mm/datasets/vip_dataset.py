"""VIP (Video Instance-level Parsing) dataset (docs/vip_protocol.md §1)."""
import os.path as osp
from typing import Dict, List, Optional, Tuple

from aten_mm.registry import DATASETS
from aten_mm.utils.path_check import check_relative_name

from .base_video_dataset import BaseVideoDataset
from .video_files import frame_number, list_frames, read_lines, require_dir
from .vip_classes import VIP_CLASSES, VIP_PALETTE


@DATASETS.register_module()
class VIPDataset(BaseVideoDataset):
    """VIP in its public layout; one item = one annotated frame of a split.

    Layout (folder and list names configurable, relative to ``data_root``)::

        VIP_Fine/Images/<video>/<12-digit frame id>.jpg       annotated
        VIP_Fine/Annotations/{Category_ids,Human_ids}/<video>/<id>.png
        VIP_Fine/Annotations/Instance_ids/<video>/<id>.png + .txt
        VIP_Fine/lists/{split}_id.txt   lines ``<video>/<frame id>``
        VIP_Sequence/<video>/<id>.jpg   raw frames (real VIP: ±10 around
                                        each annotated frame)
        meta/<video>.json               optional (synthetic set):
                                        ``num_frames``, ``degraded_frames``

    Frame ids are 1-based, ``frame_index = frame_id - 1``. The frames on
    disk of a video are the union of the sequence and image folders; the
    video length is ``num_frames`` of the meta json when present, else the
    largest frame id on disk. A listed frame must have its part map
    (``Category_ids``; on the test split, whose ground truth is not
    public, it may have none); video ids must be relative names (they name
    output files). Key frames that fall on missing raw frames
    are replaced by later keys (paper §4.4, :func:`key_clip_indices`).

    With ``clip_cfg=dict(mode='stream')`` the items are every frame on disk
    of every video of the split in frame order (``{split}_videos.txt``, or
    the videos of the id list when that file is absent); the ground-truth
    paths are set for annotated frames only (None elsewhere).

    Args:
        img_dir, seq_dir, ann_dir, list_dir (str): Folders, relative to
            ``data_root``.
        id_list (str): Annotated-frame list in ``list_dir``; ``{split}`` is
            replaced by the split. Defaults to ``'{split}_id.txt'``.
        video_list (str): Video list (stream mode). Defaults to
            ``'{split}_videos.txt'``.
        **kwargs: ``data_root``, ``split`` (``'train'``, ``'val'`` or
            ``'test'``), ``img_suffix``, ``clip_cfg``, ``random_offset``,
            ``on_missing``, ``meta_dir`` (the optional ``<video>.json``) of
            :class:`BaseVideoDataset` and ``pipeline``, ``test_mode``, ...
            of mmengine's ``BaseDataset``.
    """

    METAINFO = dict(classes=VIP_CLASSES,
                    palette=[list(c) for c in VIP_PALETTE])
    SPLITS = ('train', 'val', 'test')

    def __init__(self,
                 img_dir: str = 'VIP_Fine/Images',
                 seq_dir: str = 'VIP_Sequence',
                 ann_dir: str = 'VIP_Fine/Annotations',
                 list_dir: str = 'VIP_Fine/lists',
                 id_list: str = '{split}_id.txt',
                 video_list: str = '{split}_videos.txt',
                 **kwargs):
        self.img_dir, self.seq_dir, self.ann_dir = img_dir, seq_dir, ann_dir
        self.list_dir = list_dir
        self.id_list, self.video_list = id_list, video_list
        super().__init__(**kwargs)

    def _gt_paths(self, video: str, name: str,
                  source: str) -> Dict[str, Optional[str]]:
        """The ground-truth files of a listed frame (None where absent).

        The part map (``Category_ids``) of a listed frame must exist,
        except on the test split (no public ground truth); the others are
        checked by whatever needs them (training: ``Human_ids``; the
        metric: all four).

        Raises:
            FileNotFoundError: naming the missing part map and the line of
                the list that names the frame.
        """
        ann = self.data_path(self.ann_dir)
        paths = dict(
            seg_map_path=osp.join(ann, 'Category_ids', video, f'{name}.png'),
            human_map_path=osp.join(ann, 'Human_ids', video, f'{name}.png'),
            instance_map_path=osp.join(ann, 'Instance_ids', video,
                                       f'{name}.png'),
            instance_txt_path=osp.join(ann, 'Instance_ids', video,
                                       f'{name}.txt'))
        if not osp.isfile(paths['seg_map_path']) and self.split != 'test':
            raise FileNotFoundError(
                f'{source}: frame {video}/{name} is listed as annotated but '
                f'its part map {paths["seg_map_path"]} does not exist')
        return {k: p if osp.isfile(p) else None for k, p in paths.items()}

    def index_videos(self) -> List[dict]:
        """Index the videos, raw frames and annotated frames of the split.

        Returns:
            list[dict]: See :meth:`BaseVideoDataset.index_videos`.
        """
        img_root = require_dir(self.data_path(self.img_dir), 'VIP image')
        seq_root = self.data_path(self.seq_dir)
        list_root = require_dir(self.data_path(self.list_dir), 'VIP list')
        id_path = osp.join(list_root, self.id_list.format(split=self.split))
        annotated: Dict[str, List[str]] = {}
        listed: Dict[Tuple[str, str], str] = {}
        for source, line in read_lines(id_path, 'VIP annotated-frame list'):
            video, sep, name = line.rpartition('/')
            name = osp.splitext(name)[0]
            if not sep or frame_number(name) is None:
                raise ValueError(f'{source}: bad line {line!r}: expected '
                                 '"<video>/<frame id>"')
            check_relative_name(video, source)
            annotated.setdefault(video, []).append(name)
            listed[(video, name)] = source
        videos = list(annotated)
        stream = self.clip_cfg.get('mode') == 'stream'
        if stream:
            video_path = osp.join(list_root,
                                  self.video_list.format(split=self.split))
            if osp.isfile(video_path):
                videos = [check_relative_name(video, source) for source, video
                          in read_lines(video_path, 'VIP video list')]
        out = []
        for video in videos:
            frame_files = list_frames(osp.join(seq_root, video),
                                      self.img_suffix)
            # annotated frames override: they are the reference copies
            frame_files.update(list_frames(osp.join(img_root, video),
                                           self.img_suffix))
            frames = {fid - 1: path for fid, path in frame_files.items()}
            meta = self.video_meta(video)
            length = int(meta.get('num_frames', 0)) or (
                max(frame_files) if frame_files else 0)
            degraded = set(meta.get('degraded_frames', []))
            names = {int(n): n for n in annotated.get(video, [])}
            if stream:
                fids = sorted(fid for fid in frame_files if fid <= length)
            else:
                fids = sorted(names)
            targets = []
            for fid in fids:
                name = names.get(fid, f'{fid:012d}')
                target = dict(
                    frame_id=fid,
                    frame_index=fid - 1,
                    img_path=frame_files.get(fid, osp.join(
                        img_root, video, name + self.img_suffix)),
                    degraded=fid in degraded)
                if fid in names:
                    target.update(self._gt_paths(video, name,
                                                 listed[(video, name)]))
                else:
                    target.update(seg_map_path=None, human_map_path=None,
                                  instance_map_path=None,
                                  instance_txt_path=None)
                targets.append(target)
            out.append(dict(video_id=video, video_length=max(length, 1),
                            frames=frames, targets=targets))
        return out
