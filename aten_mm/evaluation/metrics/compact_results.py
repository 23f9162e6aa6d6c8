"""Compact predictions for ``tools/test.py --out x.pkl`` and their reader.

Like mmdet's ``DumpDetResults``, a dumped sample keeps the predictions and
no ground truth, with every mask run-length encoded (COCO RLE, through
mmdet's ``encode_mask_results``). One compact sample is a dict of plain
Python values only (str, int, float, bytes, lists, dicts), so the file is
read back with an unpickler that refuses every class and function (but
the bytes decoder of pickle protocol 2): opening a dump cannot run code.

Compact sample::

    video_id, frame_id, img_path, seg_map_path, ori_shape  (identity)
    pred_sem_seg: {'size': [H, W], 'classes': [c, ...], 'masks': [rle]}
        (one RLE per class present other than 0; the rest is class 0)
    pred_instances / pred_part_instances (when the model gives them):
        {'masks': [rle, ...], 'scores': [float], 'labels': [int]}

``expand_sample`` turns it back into the dict form the metrics read
(``pred_sem_seg.sem_seg`` ``(1, H, W)``, ``masks`` ``(n, H, W)`` bool), so
the official files written from a dump are byte-identical to those
``tools/test.py --out-dir`` writes.
"""
import codecs
import io
import pickle
from typing import List

import numpy as np
from mmdet.structures.mask import encode_mask_results
from pycocotools import mask as mask_util

from ..functional.sample_access import get_field, to_numpy

#: Metainfo kept in a compact sample (what names a frame and its size).
IDENTITY_KEYS = ('video_id', 'frame_id', 'img_path', 'seg_map_path',
                 'ori_shape')
INSTANCE_FIELDS = ('pred_instances', 'pred_part_instances')


def _plain(value):
    """Tensors/arrays/tuples -> lists and Python scalars."""
    if hasattr(value, 'tolist'):
        value = to_numpy(value).tolist()
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _encode(masks: np.ndarray) -> list:
    """``(n, H, W)`` bool masks -> ``n`` COCO RLE dicts."""
    return list(encode_mask_results(np.asarray(masks, dtype=bool)))


def _decode(rles: list, size) -> np.ndarray:
    """``n`` RLE dicts -> ``(n, H, W)`` bool masks."""
    h, w = size
    if not rles:
        return np.zeros((0, h, w), dtype=bool)
    masks = mask_util.decode(list(rles))  # (H, W, n) uint8
    return np.ascontiguousarray(masks.transpose(2, 0, 1)).astype(bool)


def compact_sample(sample) -> dict:
    """One output data sample (dict or ``DataSample``) -> compact dict.

    Args:
        sample (dict | DataSample): A model output with ``pred_sem_seg``
            and optionally ``pred_instances`` / ``pred_part_instances``.

    Returns:
        dict: The compact sample (module docstring).
    """
    out = {k: _plain(get_field(sample, k)) for k in IDENTITY_KEYS
           if get_field(sample, k) is not None}
    sem = get_field(sample, 'pred_sem_seg')
    if sem is None:
        raise ValueError('a dumped sample needs pred_sem_seg')
    sem_seg = to_numpy(get_field(sem, 'sem_seg'))
    sem_seg = sem_seg.reshape(sem_seg.shape[-2:]).astype(np.int64)
    classes = [int(c) for c in np.unique(sem_seg) if c != 0]
    out['pred_sem_seg'] = dict(
        size=list(sem_seg.shape), classes=classes,
        masks=_encode(np.stack([sem_seg == c for c in classes])
                      if classes else np.zeros((0, *sem_seg.shape))))
    for name in INSTANCE_FIELDS:
        inst = get_field(sample, name)
        masks = None if inst is None else get_field(inst, 'masks')
        if masks is None:
            continue
        entry = dict(masks=_encode(to_numpy(masks)))
        for key in ('scores', 'labels'):
            value = get_field(inst, key)
            if value is not None:
                entry[key] = _plain(value)
        out[name] = entry
    return out


def expand_sample(compact: dict) -> dict:
    """A compact sample -> the sample dict the metrics read.

    Args:
        compact (dict): As made by :func:`compact_sample`.

    Returns:
        dict: identity keys, ``pred_sem_seg={'sem_seg': (1, H, W) int64}``
        and, where dumped, ``pred_instances`` / ``pred_part_instances``
        with ``masks`` ``(n, H, W)`` bool, ``scores`` float32 and
        ``labels`` int64 arrays.
    """
    out = {k: compact[k] for k in IDENTITY_KEYS if k in compact}
    sem = compact['pred_sem_seg']
    size = tuple(sem['size'])
    sem_seg = np.zeros(size, dtype=np.int64)
    for c, mask in zip(sem['classes'], _decode(sem['masks'], size)):
        sem_seg[mask] = c
    out['pred_sem_seg'] = dict(sem_seg=sem_seg[None])
    for name in INSTANCE_FIELDS:
        if name not in compact:
            continue
        entry = compact[name]
        inst = dict(masks=_decode(entry['masks'], size))
        if 'scores' in entry:
            inst['scores'] = np.asarray(entry['scores'], dtype=np.float32)
        if 'labels' in entry:
            inst['labels'] = np.asarray(entry['labels'], dtype=np.int64)
        out[name] = inst
    return out


class _NoGlobals(pickle.Unpickler):
    """An unpickler that refuses every class and function.

    The one exception is ``_codecs.encode``, with which pickle protocol 2
    (mmengine's default for ``.pkl``) writes ``bytes``; it only turns a
    string into bytes.
    """

    def find_class(self, module, name):
        if (module, name) == ('_codecs', 'encode'):
            return codecs.encode
        raise pickle.UnpicklingError(
            f'{module}.{name}: a compact prediction dump holds plain '
            'values only')


def load_compact_results(path: str) -> List[dict]:
    """Read a ``tools/test.py --out`` dump (a list of compact samples).

    Args:
        path (str): The ``.pkl`` file.

    Returns:
        list[dict]: The compact samples, in test order.

    Raises:
        FileNotFoundError: no such file.
        ValueError: not a compact dump (names the file and why).
    """
    try:
        with open(path, 'rb') as f:
            data = _NoGlobals(io.BytesIO(f.read())).load()
    except FileNotFoundError:
        raise FileNotFoundError(f'prediction dump not found: {path}') \
            from None
    except (pickle.UnpicklingError, EOFError, ValueError) as e:
        raise ValueError(
            f'{path}: not a compact prediction dump of tools/test.py '
            f'--out ({e})') from None
    if not isinstance(data, list) or not all(
            isinstance(s, dict) and 'pred_sem_seg' in s for s in data):
        raise ValueError(f'{path}: expected a list of compact samples '
                         '(dicts with pred_sem_seg), as tools/test.py '
                         '--out writes')
    return data
