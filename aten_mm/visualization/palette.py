"""Colours: the part palette and the one person-colour scheme.

:data:`VIP_PALETTE` is the class palette of
:data:`aten_mm.datasets.vip_classes.VIP_PALETTE` as a ``(20, 3)`` uint8 RGB
array. :func:`person_colors` is the only place that maps person ids to
colours: the demos, the visualizer (hence ``browse_dataset.py`` and the
test-time drawings) and the synthetic set's preview all call it, so a
person has the same colour everywhere.
"""
from typing import Optional

import numpy as np

from aten_mm.datasets.vip_classes import VIP_PALETTE as _VIP_PALETTE

VIP_PALETTE = np.array(_VIP_PALETTE, dtype=np.uint8)
VIP_PALETTE.setflags(write=False)

#: RGB colours of person ids 1, 2, ... (cycled beyond 8): bright,
#: saturated colours that stand out against the darker part palette.
PERSON_PALETTE = np.array(
    [[230, 25, 75], [60, 180, 75], [255, 225, 25], [0, 130, 200],
     [245, 130, 48], [145, 30, 180], [70, 240, 240], [240, 50, 230]],
    dtype=np.uint8)
PERSON_PALETTE.setflags(write=False)


def person_colors(ids) -> np.ndarray:
    """RGB colours of person ids (id 0, no person, is black).

    Args:
        ids (int | np.ndarray): Person id(s) ``>= 0`` of any shape ``S``
            (e.g. an ``(H, W)`` person map).

    Returns:
        np.ndarray: ``S + (3,)`` uint8 RGB; id ``k >= 1`` gets
        ``PERSON_PALETTE[(k - 1) % 8]``.
    """
    ids = np.asarray(ids, dtype=np.int64)
    if ids.size and ids.min() < 0:
        raise ValueError(f'person ids must be >= 0, got {ids.min()}.')
    out = np.take(PERSON_PALETTE, (ids - 1) % len(PERSON_PALETTE), axis=0)
    out[ids == 0] = 0
    return out


def palette_from_meta(dataset_meta: Optional[dict],
                      default: np.ndarray = VIP_PALETTE) -> np.ndarray:
    """The class palette of a dataset's metainfo.

    Args:
        dataset_meta (dict, optional): ``metainfo`` of a dataset (or
            ``model.dataset_meta``); its ``palette`` is ``C`` RGB triples.
        default (np.ndarray): Used when the metainfo has no palette.

    Returns:
        np.ndarray: ``(C, 3)`` uint8 RGB.

    Raises:
        ValueError: if the palette is not a list of RGB triples in
            ``[0, 255]``, or has fewer colours than ``classes``.
    """
    palette = (dataset_meta or {}).get('palette')
    if palette is None:
        return default
    arr = np.asarray(palette)
    if arr.ndim != 2 or arr.shape[1] != 3 or len(arr) < 1 or \
            arr.min() < 0 or arr.max() > 255:
        raise ValueError(
            'metainfo "palette" must be a list of RGB triples in [0, 255], '
            f'got an array of shape {arr.shape}.')
    classes = (dataset_meta or {}).get('classes')
    if classes is not None and len(arr) < len(classes):
        raise ValueError(
            f'metainfo "palette" has {len(arr)} colours for '
            f'{len(classes)} classes.')
    return arr.astype(np.uint8)
