"""Writer of a DAVIS-2016-style binary set (docs/synthetic_data.md, Layout).

```
<root>/JPEGImages/480p/<seq>/00000.jpg       every frame, 0-based ids
<root>/Annotations/480p/<seq>/00000.png      every frame, 0 / 255
<root>/ImageSets/2016/{train,val}.txt        one sequence per line
```
The foreground is every person pixel of the renderer (VIP ``Human_ids >
0``). The folder keeps DAVIS's ``480p`` name whatever the frame size. The
generator passes VIP's train split as DAVIS train and VIP's val and test
splits together as DAVIS val (DAVIS-2016 has no public test list).
"""
import os.path as osp

import numpy as np

from .fileio import encode_jpg, encode_png, write_bytes, write_lines


class DAVISWriter:
    """Write rendered frames and lists in the DAVIS-2016 layout.

    Args:
        root (str): Output root.
    """

    fmt = 'davis'
    first_frame_id = 0

    def __init__(self, root: str):
        self.root = root

    #: Top-level entries of the set root that this writer fills.
    entries = ('JPEGImages', 'Annotations', 'ImageSets')

    def annotated(self, frame_index: int) -> bool:
        """Every DAVIS frame is annotated."""
        return True

    @staticmethod
    def frame_stem(frame_index: int) -> str:
        """File stem of a 0-based frame index (5-digit, 0-based)."""
        return f'{frame_index:05d}'

    def write_frame(self, video: str, frame_index: int, img: np.ndarray,
                    category: np.ndarray, human: np.ndarray) -> None:
        """Write frame ``frame_index`` (0-based) and its binary mask.

        Args:
            video (str): Sequence name.
            frame_index (int): 0-based frame index (= DAVIS frame id).
            img (np.ndarray): (H, W, 3) uint8 BGR frame.
            category (np.ndarray): (H, W) uint8 class ids (unused).
            human (np.ndarray): (H, W) uint8 person ids.
        """
        name = self.frame_stem(frame_index)
        write_bytes(osp.join(self.root, 'JPEGImages', '480p', video,
                             name + '.jpg'), encode_jpg(img))
        mask = np.where(human > 0, 255, 0).astype(np.uint8)
        write_bytes(osp.join(self.root, 'Annotations', '480p', video,
                             name + '.png'), encode_png(mask))

    def write_lists(self, splits: dict, num_frames: int) -> None:
        """Write ``ImageSets/2016/{train,val}.txt``.

        Args:
            splits (dict): ``{'train'|'val': [video names]}`` (a
                ``'test'`` list, if any, is appended to val).
            num_frames (int): Frames per video (unused).
        """
        sets = osp.join(self.root, 'ImageSets', '2016')
        write_lines(osp.join(sets, 'train.txt'), splits.get('train', []))
        write_lines(osp.join(sets, 'val.txt'),
                    splits.get('val', []) + splits.get('test', []))
