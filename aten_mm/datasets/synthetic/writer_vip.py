"""Writer of the public VIP layout (docs/synthetic_data.md, Layout).

```
<root>/VIP_Sequence/<video>/<12-digit frame_id>.jpg      every frame
<root>/VIP_Fine/Images/<video>/<frame_id>.jpg           annotated frames
<root>/VIP_Fine/Annotations/Category_ids/<video>/<frame_id>.png   0..19
<root>/VIP_Fine/Annotations/Human_ids/<video>/<frame_id>.png      0, 1..K
<root>/VIP_Fine/Annotations/Instance_ids/<video>/<frame_id>.png  (+ .txt)
<root>/VIP_Fine/lists/{train,val,test}_id.txt       videoN/<frame_id>
<root>/VIP_Fine/lists/{train,val,test}_videos.txt   one video per line
```
(plus ``flow/`` and ``meta/``, written by the generator, see
docs/synthetic_data.md).
Frame ids are 1-based; frames 1, 1 + K, 1 + 2K, … are annotated. Human ids
are the video's person numbers (stable over the video, so a person who is
not visible leaves a gap). Part instances follow the CIHP convention
``part_instance_id = (human_id - 1) * 20 + class_id``; the Instance_ids PNG
is uint8 while every id fits (up to 12 people), else uint16.
"""
import os.path as osp

import numpy as np

from .fileio import encode_jpg, encode_png, write_bytes, write_lines

SPLITS = ('train', 'val', 'test')


def vip_frame_name(frame_index: int) -> str:
    """12-digit 1-based VIP frame name of a 0-based frame index."""
    return f'{frame_index + 1:012d}'


def instance_map(category: np.ndarray, human: np.ndarray) -> tuple:
    """Part-instance map and table from the class and person maps.

    Args:
        category (np.ndarray): (H, W) uint8 class ids 0..19.
        human (np.ndarray): (H, W) uint8 person ids (0 = background).

    Returns:
        tuple: ``(ids, rows)``: (H, W) uint8/uint16 map of
        ``(human - 1) * 20 + class`` (0 = background) and the sorted list of
        ``(part_instance_id, class_id, human_id)`` present in it.
    """
    fg = category > 0
    ids = np.where(fg, (human.astype(np.int64) - 1) * 20 + category, 0)
    present = np.unique(ids[fg])
    rows = [(int(i), int((i - 1) % 20 + 1), int((i - 1) // 20 + 1))
            for i in present]
    dtype = np.uint8 if ids.max(initial=0) <= 255 else np.uint16
    return ids.astype(dtype), rows


class VIPWriter:
    """Write rendered frames and lists in the VIP layout.

    Args:
        root (str): Output root.
        annotate_every (int): K, every K-th frame (1, 1 + K, …) is
            annotated.
    """

    fmt = 'vip'
    first_frame_id = 1

    def __init__(self, root: str, annotate_every: int):
        self.root = root
        self.k = annotate_every
        self.fine = osp.join(root, 'VIP_Fine')

    #: Top-level entries of the set root that this writer fills.
    entries = ('VIP_Sequence', 'VIP_Fine')

    def annotated(self, frame_index: int) -> bool:
        """Whether the 0-based frame index gets annotation files."""
        return frame_index % self.k == 0

    @staticmethod
    def frame_stem(frame_index: int) -> str:
        """File stem of a 0-based frame index (12-digit, 1-based)."""
        return vip_frame_name(frame_index)

    def write_frame(self, video: str, frame_index: int, img: np.ndarray,
                    category: np.ndarray, human: np.ndarray) -> None:
        """Write one frame (and its annotations if it is annotated).

        Args:
            video (str): Video name, e.g. ``'videos1'``.
            frame_index (int): 0-based frame index.
            img (np.ndarray): (H, W, 3) uint8 BGR frame.
            category (np.ndarray): (H, W) uint8 class ids.
            human (np.ndarray): (H, W) uint8 person ids.
        """
        name = self.frame_stem(frame_index)
        jpg = encode_jpg(img)
        write_bytes(osp.join(self.root, 'VIP_Sequence', video,
                             name + '.jpg'), jpg)
        if not self.annotated(frame_index):
            return
        ann = osp.join(self.fine, 'Annotations')
        write_bytes(osp.join(self.fine, 'Images', video, name + '.jpg'), jpg)
        write_bytes(osp.join(ann, 'Category_ids', video, name + '.png'),
                    encode_png(category))
        write_bytes(osp.join(ann, 'Human_ids', video, name + '.png'),
                    encode_png(human))
        ids, rows = instance_map(category, human)
        write_bytes(osp.join(ann, 'Instance_ids', video, name + '.png'),
                    encode_png(ids))
        write_lines(osp.join(ann, 'Instance_ids', video, name + '.txt'),
                    [f'{i} {c} {h}' for i, c, h in rows])

    def write_lists(self, splits: dict, num_frames: int) -> None:
        """Write the per-split frame lists and video lists.

        Args:
            splits (dict): ``{'train'|'val'|'test': [video names]}``.
            num_frames (int): Frames per video.
        """
        lists = osp.join(self.fine, 'lists')
        for split in SPLITS:
            videos = splits.get(split, [])
            write_lines(osp.join(lists, f'{split}_videos.txt'), videos)
            write_lines(osp.join(lists, f'{split}_id.txt'), [
                f'{v}/{vip_frame_name(t)}' for v in videos
                for t in range(num_frames) if self.annotated(t)
            ])
