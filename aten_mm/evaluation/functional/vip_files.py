"""VIP ground-truth files and the official prediction files
(docs/vip_protocol.md §1, §3).

Everything here works on the "evaluated form" of a frame, plain numpy:

* ground truth: ``sem_seg`` (H, W) class map (0..19, 255 = ignore),
  ``person_map`` (H, W) person ids, ``part_map`` (H, W) part-instance ids
  and ``part_table`` ``{part_instance_id: class_id}``;
* prediction: ``sem_seg`` (H, W) class map, ``person_map`` (H, W) ids
  1..K, ``person_scores`` (K,) (entry ``k - 1`` scores id ``k``),
  ``part_map`` (H, W) ids 1..M, ``part_labels`` (M,) classes 1..19 and
  ``part_scores`` (M,).
"""
import math
import os
import os.path as osp
from typing import Dict

import numpy as np
from PIL import Image

from aten_mm.utils.path_check import check_relative_name, join_inside
from aten_mm.utils.text_io import read_text

from .instance_iou import masks_to_id_map
from .sample_access import get_field, to_numpy

IGNORE_INDEX = 255


def read_label_png(path: str) -> np.ndarray:
    """Read a single-channel label PNG as raw ids (uint8 or uint16).

    Palette PNGs give their indices. An RGB image is refused: VIP label
    maps are single-channel raw ids.

    Args:
        path (str): The PNG file.

    Returns:
        np.ndarray: ``(H, W)`` integer array.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'label file not found: {path}')
    with Image.open(path) as img:
        if img.mode not in ('L', 'P', 'I;16', 'I', '1'):
            raise ValueError(
                f'{path}: expected a single-channel label PNG of raw ids, '
                f'got image mode {img.mode!r}')
        arr = np.array(img)
    if arr.ndim != 2:
        raise ValueError(f'{path}: expected a 2-D label map, got shape '
                         f'{arr.shape}')
    return arr


def _check_class_map(arr: np.ndarray, path: str, num_classes: int,
                     allow_ignore: bool) -> None:
    values = np.unique(arr)
    bad = values[(values >= num_classes)
                 & ~((values == IGNORE_INDEX) & allow_ignore)]
    if len(bad):
        allowed = f'0..{num_classes - 1}'
        if allow_ignore:
            allowed += f' or {IGNORE_INDEX}'
        raise ValueError(f'{path}: label values {bad.tolist()} outside '
                         f'{allowed}')


def read_instance_table(txt_path: str, num_classes: int = 20
                        ) -> Dict[int, int]:
    """Read an ``Instance_ids`` table (``part_instance_id class_id
    human_id`` per line).

    Args:
        txt_path (str): The ``.txt`` file.
        num_classes (int): Number of classes. Defaults to 20.

    Returns:
        dict[int, int]: part-instance id → class id.
    """
    table = {}
    rows = read_table(txt_path, (int, int, int),
                      '"part_instance_id class_id human_id"')
    for lineno, (inst_id, cls, _) in rows:
        if not 0 <= cls < num_classes:
            raise ValueError(f'{txt_path}:{lineno}: class id {cls} '
                             f'outside 0..{num_classes - 1}')
        if table.get(inst_id, cls) != cls:
            raise ValueError(f'{txt_path}:{lineno}: instance id '
                             f'{inst_id} listed with two classes')
        table[inst_id] = cls
    return table


def load_vip_gt(seg_map_path: str,
                human_map_path: str,
                instance_map_path: str,
                instance_txt_path: str,
                num_classes: int = 20) -> dict:
    """Load one annotated VIP frame's ground truth at original size.

    Validation: class values outside ``0..num_classes-1`` other than 255
    and a part-instance id of the PNG missing from its table raise a
    ``ValueError`` naming the file (table lines whose id does not occur in
    the PNG are ignored, like the official script does).

    Args:
        seg_map_path (str): ``Category_ids`` PNG.
        human_map_path (str): ``Human_ids`` PNG.
        instance_map_path (str): ``Instance_ids`` PNG.
        instance_txt_path (str): ``Instance_ids`` table.
        num_classes (int): Defaults to 20.

    Returns:
        dict: the ground-truth evaluated form (see the module docstring).
    """
    sem_seg = read_label_png(seg_map_path)
    _check_class_map(sem_seg, seg_map_path, num_classes, allow_ignore=True)
    person_map = read_label_png(human_map_path)
    part_map = read_label_png(instance_map_path)
    for arr, path in ((person_map, human_map_path),
                      (part_map, instance_map_path)):
        if arr.shape != sem_seg.shape:
            raise ValueError(f'{path}: size {arr.shape} differs from '
                             f'{seg_map_path} {sem_seg.shape}')
    table = read_instance_table(instance_txt_path, num_classes)
    ids = np.unique(part_map)
    missing = [int(i) for i in ids if i != 0 and int(i) not in table]
    if missing:
        raise ValueError(
            f'{instance_txt_path}: part-instance ids {missing} of '
            f'{instance_map_path} are missing from the table')
    return dict(sem_seg=sem_seg, person_map=person_map, part_map=part_map,
                part_table=table)


def _id_dtype(id_map: np.ndarray, what: str):
    top = int(id_map.max()) if id_map.size else 0
    if top > np.iinfo(np.uint16).max:
        raise ValueError(f'{what}: {top} ids do not fit a 16-bit PNG')
    return np.uint8 if top <= np.iinfo(np.uint8).max else np.uint16


def _bboxes(id_map: np.ndarray, num: int) -> np.ndarray:
    """Tight inclusive ``(y1, x1, y2, x2)`` of ids ``1..num`` (0s if
    absent)."""
    boxes = np.zeros((num, 4), dtype=np.int64)
    ys, xs = np.nonzero(id_map)
    ids = id_map[ys, xs].astype(np.int64) - 1
    keep = ids < num
    ys, xs, ids = ys[keep], xs[keep], ids[keep]
    big = np.iinfo(np.int64).max
    y1 = np.full(num, big)
    x1 = np.full(num, big)
    y2 = np.full(num, -1)
    x2 = np.full(num, -1)
    np.minimum.at(y1, ids, ys)
    np.minimum.at(x1, ids, xs)
    np.maximum.at(y2, ids, ys)
    np.maximum.at(x2, ids, xs)
    present = y2 >= 0
    boxes[present] = np.stack([y1, x1, y2, x2], axis=1)[present]
    return boxes


def vip_prediction_paths(root: str, video_id: str, frame_name: str) -> dict:
    """The five official file paths of one frame (docs/vip_protocol.md §3).

    Returns:
        dict: ``global``, ``inst``, ``scores``, ``part``, ``part_txt``.

    Raises:
        ValueError: a path would lead outside ``root`` (a video id such as
            ``../x`` or ``/tmp/x``).
    """
    return dict(
        global_=join_inside(root, video_id, 'gray',
                            f'global_{frame_name}.png'),
        inst=join_inside(root, video_id, 'gray', f'inst_{frame_name}.png'),
        scores=join_inside(root, video_id, 'gray',
                           f'scores_{frame_name}.txt'),
        part=join_inside(root, video_id, 'instance_part',
                         f'{frame_name}.png'),
        part_txt=join_inside(root, video_id, 'instance_part',
                             f'{frame_name}.txt'))


def write_vip_prediction(out_root: str, video_id: str, frame_name: str,
                         pred: dict) -> None:
    """Write one frame's prediction in the official format
    (docs/vip_protocol.md §3).

    Files under ``out_root/<video_id>/``: ``gray/global_<frame>.png``
    (uint8 classes), ``gray/inst_<frame>.png`` (person ids),
    ``gray/scores_<frame>.txt`` (``%f y1 x1 y2 x2`` per person id),
    ``instance_part/<frame>.png`` (part ids; uint16 when an id exceeds 255,
    else uint8) and ``instance_part/<frame>.txt`` (``class_id %f`` per part
    id).

    Args:
        out_root (str): Results root.
        video_id (str): e.g. ``'videos1'``.
        frame_name (str): 12-digit frame name without extension.
        pred (dict): the prediction evaluated form (module docstring).

    Raises:
        ValueError: a file would be written outside ``out_root``.
    """
    paths = vip_prediction_paths(out_root, video_id, frame_name)
    os.makedirs(osp.dirname(paths['global_']), exist_ok=True)
    os.makedirs(osp.dirname(paths['part']), exist_ok=True)
    sem_seg = np.asarray(pred['sem_seg'])
    if sem_seg.size and (sem_seg.min() < 0 or sem_seg.max() > 255):
        raise ValueError('sem_seg values must fit uint8')
    Image.fromarray(sem_seg.astype(np.uint8)).save(paths['global_'])

    person_map = np.asarray(pred['person_map'])
    scores = np.asarray(pred['person_scores'], dtype=np.float64).ravel()
    Image.fromarray(person_map.astype(_id_dtype(person_map, 'persons'))
                    ).save(paths['inst'])
    boxes = _bboxes(person_map, len(scores))
    with open(paths['scores'], 'w') as f:
        for s, (y1, x1, y2, x2) in zip(scores, boxes):
            f.write('%f %d %d %d %d\n' % (s, y1, x1, y2, x2))

    part_map = np.asarray(pred['part_map'])
    labels = np.asarray(pred['part_labels']).astype(np.int64).ravel()
    part_scores = np.asarray(pred['part_scores'], np.float64).ravel()
    Image.fromarray(part_map.astype(_id_dtype(part_map, 'part instances'))
                    ).save(paths['part'])
    with open(paths['part_txt'], 'w') as f:
        for c, s in zip(labels, part_scores):
            f.write('%d %f\n' % (c, s))


def vip_prediction_from_sample(sample) -> dict:
    """A model's output sample → the prediction evaluated form.

    Reads ``pred_sem_seg.sem_seg`` ``(1, H, W)``, ``pred_instances``
    (``masks`` ``(k, H, W)``, ``scores``) and ``pred_part_instances``
    (``masks`` ``(m, H, W)``, ``labels``, ``scores``); missing instance
    fields mean no prediction. Masks become id maps in their order (id
    ``i + 1`` for mask ``i``), exactly what the official files hold.

    Args:
        sample (dict | DataSample): One output data sample.

    Returns:
        dict: ``sem_seg``, ``person_map``, ``person_scores``, ``part_map``,
        ``part_labels``, ``part_scores`` (numpy).
    """
    sem = get_field(sample, 'pred_sem_seg')
    if sem is None:
        raise ValueError('a VIP prediction needs pred_sem_seg in the data '
                         'sample')
    sem_seg = to_numpy(get_field(sem, 'sem_seg'))
    sem_seg = sem_seg.reshape(sem_seg.shape[-2:])
    shape = sem_seg.shape

    def instances(name, need_labels):
        inst = get_field(sample, name)
        masks = None if inst is None else get_field(inst, 'masks')
        if masks is None:
            empty = np.zeros(0)
            return np.zeros(shape, np.int32), empty, empty.astype(np.int64)
        masks = to_numpy(masks)
        if masks.shape[1:] != shape:
            raise ValueError(f'{name}.masks has size {masks.shape[1:]}, '
                             f'pred_sem_seg {shape}')
        scores = to_numpy(get_field(inst, 'scores')).astype(np.float64)
        labels = (to_numpy(get_field(inst, 'labels')).astype(np.int64)
                  if need_labels else None)
        return masks_to_id_map(masks), scores, labels

    person_map, person_scores, _ = instances('pred_instances', False)
    part_map, part_scores, part_labels = instances('pred_part_instances',
                                                   True)
    return dict(sem_seg=sem_seg, person_map=person_map,
                person_scores=person_scores, part_map=part_map,
                part_labels=part_labels, part_scores=part_scores)


def read_table(path: str, types: tuple, what: str) -> list:
    """Parse a whitespace-separated text table, skipping blank lines.

    Args:
        path (str): The text file.
        types (tuple): One converter per column, e.g. ``(int, float)``.
        what (str): The expected line, for error messages.

    Returns:
        list: ``(line_number, [values])`` per non-blank line; a bad line
        (wrong number of fields, a field that does not convert, a float
        that is NaN or infinite) raises ``ValueError`` naming the file and
        line.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'file not found: {path}')
    lines = read_text(path).splitlines()
    rows = []
    for lineno, line in enumerate(lines, start=1):
        fields = line.split()
        if not fields:
            continue
        try:
            if len(fields) != len(types):
                raise ValueError
            values = [t(v) for t, v in zip(types, fields)]
        except ValueError:
            raise ValueError(f'{path}:{lineno}: expected {what}, got '
                             f'{line.strip()!r}') from None
        bad = [v for v in values
               if isinstance(v, float) and not math.isfinite(v)]
        if bad:
            raise ValueError(f'{path}:{lineno}: expected {what} with finite '
                             f'numbers, got {line.strip()!r}')
        rows.append((lineno, values))
    return rows


def read_frame_list(path: str) -> list:
    """The annotated frames of a VIP id list (docs/vip_protocol.md §1).

    Args:
        path (str): A list such as ``VIP_Fine/lists/val_id.txt``, one
            ``<video>/<frame>`` a line (e.g. ``videos1/000000000001``).

    Returns:
        list[tuple[str, str]]: ``(video, frame)`` pairs (the frame name
        without extension), in file order.

    Raises:
        ValueError: a line that is not ``<video>/<frame>`` (naming the
            file and line), a name that leaves its folder, or no frame.
    """
    frames = []
    for lineno, (name, ) in read_table(path, (str, ), '"<video>/<frame>"'):
        parts = name.split('/')
        if len(parts) != 2:
            raise ValueError(f'{path}:{lineno}: expected '
                             f'"<video>/<frame>", got {name!r}')
        for part in parts:
            check_relative_name(part, f'{path}:{lineno}')
        frames.append((parts[0], osp.splitext(parts[1])[0]))
    if not frames:
        raise ValueError(f'{path}: no frame listed')
    return frames


def load_vip_prediction(pred_root: str, video_id: str, frame_name: str,
                        num_classes: int = 20) -> dict:
    """Load one frame's official prediction files back to evaluated form.

    Args:
        pred_root (str): Results root.
        video_id (str): Video folder name.
        frame_name (str): 12-digit frame name.
        num_classes (int): Defaults to 20.

    Returns:
        dict: the prediction evaluated form (module docstring).
    """
    paths = vip_prediction_paths(pred_root, video_id, frame_name)
    sem_seg = read_label_png(paths['global_'])
    _check_class_map(sem_seg, paths['global_'], num_classes,
                     allow_ignore=False)
    person_map = read_label_png(paths['inst'])
    part_map = read_label_png(paths['part'])
    rows = read_table(paths['scores'], (float, int, int, int, int),
                      '"score y1 x1 y2 x2"')
    person_scores = np.array([r[0] for _, r in rows], np.float64)
    rows = read_table(paths['part_txt'], (int, float), '"class_id score"')
    part_labels = np.array([r[0] for _, r in rows], np.int64)
    part_scores = np.array([r[1] for _, r in rows], np.float64)
    for arr, path, n in ((person_map, paths['inst'], len(person_scores)),
                         (part_map, paths['part'], len(part_labels))):
        if arr.shape != sem_seg.shape:
            raise ValueError(f'{path}: size {arr.shape} differs from '
                             f'{paths["global_"]} {sem_seg.shape}')
        top = int(arr.max()) if arr.size else 0
        if top > n:
            raise ValueError(f'{path}: id {top} has no line in its table '
                             f'({n} lines)')
    bad = (part_labels < 1) | (part_labels >= num_classes)
    if bad.any():
        raise ValueError(f'{paths["part_txt"]}: class ids '
                         f'{sorted(set(part_labels[bad].tolist()))} outside '
                         f'1..{num_classes - 1}')
    return dict(sem_seg=sem_seg, person_map=person_map,
                person_scores=person_scores, part_map=part_map,
                part_labels=part_labels, part_scores=part_scores)
