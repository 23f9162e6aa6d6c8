"""Shared indexing and clip logic of the video datasets (paper §4.4)."""
import os.path as osp
from typing import Dict, List, Optional, Tuple

from mmengine.dataset import BaseDataset
from mmengine.logging import MMLogger

from aten_mm.structures.frame_plan import clip_indices

from .video_files import read_meta, resolve_path

_CLIP_MODES = ('key', 'neighbors', 'single', 'stream')


class BaseVideoDataset(BaseDataset):
    """Base of the video datasets: one item per target frame.

    A subclass implements :meth:`index_videos`, returning for every video of
    the split its length, the frames on disk and the target frames (with
    their ground-truth paths). This class then computes each target's clip
    (key + reference frames, :func:`clip_indices`), checks that every frame
    the clip needs is on disk and builds the items. Targets whose frames
    are missing even after the §4.4 fallback are reported once in a summary
    (count and first examples) through MMLogger — or raise, with
    ``on_missing='error'`` — never dropped silently.

    An item (``get_data_info``) holds the metainfo keys of
    docs/interfaces.md: ``video_id``, ``video_length``, ``frame_id``,
    ``frame_index``, ``key_frame_index``, ``ref_frame_indices``,
    ``clip_frame_indices``, ``frame_paths`` (aligned with
    ``clip_frame_indices``), ``img_path``, ``degraded``, ``stream`` (True
    in stream mode: the model feeds the frame to its stream engine) and the
    ground-truth paths.

    Args:
        split (str): The split; a subclass may restrict it to
            ``SPLITS``. Its list files name ``{split}``. Defaults to
            ``'train'``.
        img_suffix (str): Frame file extension. Defaults to ``'.jpg'``.
        clip_cfg (dict): Which frames a clip holds: ``mode='key'`` with
            ``key_interval`` (l) and ``num_refs`` (p, 0 = DFF);
            ``mode='neighbors'`` with ``num_neighbors`` (FGFA, ±K);
            ``mode='single'`` (per-frame baseline); ``mode='stream'``
            (every frame of each video in order, F = 1). Defaults to
            ``dict(mode='key', key_interval=3, num_refs=2)``.
        random_offset (bool): Training randomisation: the key is drawn so
            that the target lands at a random position of its segment
            (paper §4.4). Key mode only. Defaults to False.
        on_missing (str): ``'warn'`` (log the summary, leave the target
            out) or ``'error'`` (raise FileNotFoundError with it).
        meta_dir (str): Folder of the optional per-video json
            (``<video>.json``: ``num_frames``, ``degraded_frames``; the
            synthetic sets), relative to ``data_root``. Defaults to
            ``'meta'``.
        **kwargs: Passed to :class:`mmengine.dataset.BaseDataset`
            (``data_root``, ``pipeline``, ``test_mode``, ...).
    """

    #: the split names a subclass accepts (None: any)
    SPLITS: Optional[Tuple[str, ...]] = None

    def __init__(self,
                 *args,
                 split: str = 'train',
                 img_suffix: str = '.jpg',
                 clip_cfg: Optional[dict] = None,
                 random_offset: bool = False,
                 on_missing: str = 'warn',
                 meta_dir: str = 'meta',
                 **kwargs):
        clip_cfg = dict(clip_cfg or dict(mode='key', key_interval=3,
                                         num_refs=2))
        if clip_cfg.get('mode', 'key') not in _CLIP_MODES:
            raise ValueError(f"clip_cfg['mode'] must be one of {_CLIP_MODES}"
                             f", got {clip_cfg.get('mode')!r}")
        if on_missing not in ('warn', 'error'):
            raise ValueError(f"on_missing must be 'warn' or 'error', got "
                             f'{on_missing!r}')
        if self.SPLITS is not None and split not in self.SPLITS:
            raise ValueError(f'{type(self).__name__}: split must be one of '
                             f'{self.SPLITS}, got {split!r}')
        self.split = split
        self.img_suffix = img_suffix
        self.clip_cfg = clip_cfg
        self.random_offset = random_offset and clip_cfg.get('mode',
                                                             'key') == 'key'
        self.on_missing = on_missing
        self.meta_dir = meta_dir
        self._video_frames: Dict[str, Dict[int, str]] = {}
        self._video_groups: Optional[List[Tuple[str, List[int]]]] = None
        self.missing_summary: List[str] = []
        super().__init__(*args, **kwargs)

    # -- subclass API -----------------------------------------------------
    def index_videos(self) -> List[dict]:
        """Index the split.

        Returns:
            list[dict]: One dict per video, in dataset order, with
            ``video_id`` (str), ``video_length`` (int), ``frames``
            (``{frame_index: path}`` of the frames on disk) and ``targets``
            (list of dicts with at least ``frame_index`` and ``frame_id``,
            plus ground-truth paths and ``degraded``), in frame order.
        """
        raise NotImplementedError

    def data_path(self, *parts: str) -> str:
        """``parts`` joined under ``data_root`` (an absolute path is
        kept)."""
        return resolve_path(self.data_root, osp.join(*parts))

    def video_meta(self, video_id: str) -> dict:
        """The per-video json ``<meta_dir>/<video_id>.json`` (``{}`` when
        absent; ValueError naming the file if invalid)."""
        return read_meta(self.data_path(self.meta_dir, f'{video_id}.json'))

    # -- BaseDataset ------------------------------------------------------
    def load_data_list(self) -> List[dict]:
        """Build the items and report targets that cannot be loaded."""
        data_list, missing = [], []
        stream = self.clip_cfg.get('mode') == 'stream'
        for video in self.index_videos():
            vid, n = video['video_id'], video['video_length']
            frames = video['frames']
            self._video_frames[vid] = frames
            for target in video['targets']:
                t = target['frame_index']
                if t not in frames:
                    missing.append(f'{vid} frame_index {t}: target frame '
                                   'not on disk')
                    continue
                clip = clip_indices(t, n, self.clip_cfg, frames)
                lost = [i for i in clip['clip'] if i not in frames]
                if lost:
                    missing.append(f'{vid} frame_index {t}: key frame '
                                   f'{clip["key"]} not on disk')
                    continue
                # the inference mode travels with the sample (metainfo)
                item = dict(video_id=vid, video_length=n, degraded=False,
                            stream=stream)
                item.update(target)
                item.update(self._clip_fields(clip, frames))
                if stream:
                    # key/refs for information: the model computes its own
                    item['clip_frame_indices'] = [t]
                    item['frame_paths'] = [frames[t]]
                data_list.append(item)
        self._report_missing(missing, len(data_list))
        return data_list

    def get_data_info(self, idx: int) -> dict:
        """Item ``idx``; redraws the key when ``random_offset`` is on."""
        info = super().get_data_info(idx)
        if self.random_offset and not self.test_mode:
            frames = self._video_frames[info['video_id']]
            clip = clip_indices(info['frame_index'], info['video_length'],
                                self.clip_cfg, frames, random_offset=True)
            info.update(self._clip_fields(clip, frames))
        return info

    # -- helpers ----------------------------------------------------------
    @staticmethod
    def _clip_fields(clip: dict, frames: Dict[int, str]) -> dict:
        return dict(
            key_frame_index=clip['key'],
            ref_frame_indices=list(clip['refs']),
            clip_frame_indices=list(clip['clip']),
            frame_paths=[frames[i] for i in clip['clip']])

    def _report_missing(self, missing: List[str], num_items: int) -> None:
        self.missing_summary = missing
        if not missing:
            return
        msg = (f'{type(self).__name__}: {len(missing)} target frame(s) '
               f'left out because frames they need are not on disk '
               f'({num_items} kept); first examples: '
               + '; '.join(missing[:5]))
        if self.on_missing == 'error':
            raise FileNotFoundError(msg)
        MMLogger.get_current_instance().warning(msg)

    def video_groups(self) -> List[Tuple[str, List[int]]]:
        """Consecutive runs of items of one video, in dataset order.

        Returns:
            list[tuple[str, list[int]]]: ``(video_id, item indices)``.
        """
        if self._video_groups is None:
            groups: List[Tuple[str, List[int]]] = []
            for i in range(len(self)):
                vid = self.get_data_info_static(i)['video_id']
                if groups and groups[-1][0] == vid:
                    groups[-1][1].append(i)
                else:
                    groups.append((vid, [i]))
            self._video_groups = groups
        return self._video_groups

    def get_data_info_static(self, idx: int) -> dict:
        """Item ``idx`` as indexed (no random redraw)."""
        return BaseDataset.get_data_info(self, idx)
