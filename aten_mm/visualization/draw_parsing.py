"""Overlay of an instance-level human parsing result on an image.

One pure function serves the visualizer (:class:`ParsingVisualizer`), the
visualization hook and the demos, so every overlay looks the same; persons
get the colours of :func:`~aten_mm.visualization.palette.person_colors`.
"""
from typing import Optional, Sequence

import cv2
import numpy as np

from .legend import draw_legend
from .palette import VIP_PALETTE, person_colors


def _as_numpy(x):
    if hasattr(x, 'masks'):  # mmdet BitmapMasks
        x = x.masks
    if hasattr(x, 'detach'):  # torch.Tensor
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def colorize_part_map(part_map: np.ndarray,
                      palette: np.ndarray = VIP_PALETTE) -> np.ndarray:
    """Turn a class-id map into a BGR colour image.

    Args:
        part_map (np.ndarray): Class ids ``(H, W)``, integers in
            ``[0, len(palette))``.
        palette (np.ndarray): ``(C, 3)`` uint8 RGB colours (index = class).

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 BGR image.

    Raises:
        ValueError: if a class id lies outside the palette.
    """
    part_map = _as_numpy(part_map)
    palette = np.asarray(palette, dtype=np.uint8)
    if part_map.size and (part_map.min() < 0
                          or part_map.max() >= len(palette)):
        raise ValueError(
            f'part map values must lie in [0, {len(palette) - 1}] (one '
            f'palette colour per class), got values in '
            f'[{part_map.min()}, {part_map.max()}].')
    return palette[:, ::-1][part_map.astype(np.int64)]


def draw_parsing(image_bgr: np.ndarray,
                 part_map: Optional[np.ndarray] = None,
                 person_masks: Optional[np.ndarray] = None,
                 person_ids: Optional[Sequence[int]] = None,
                 alpha: float = 0.6,
                 palette: np.ndarray = VIP_PALETTE,
                 thickness: int = 2,
                 draw_ids: bool = True) -> np.ndarray:
    """Draw a parsing result: part colours, person outlines and ids.

    The part map (the global parsing of paper §4.5, Fig. 4) is alpha-blended
    in the VIP palette on the non-background pixels (class 0 keeps the
    image), then each person instance gets its outline and its id, the
    same ids the official ``inst_*.png`` files use (docs/vip_protocol.md §3).

    Args:
        image_bgr (np.ndarray): ``(H, W, 3)`` uint8 BGR image (OpenCV order).
        part_map (np.ndarray, optional): ``(H, W)`` class ids; ``None`` draws
            no parts.
        person_masks (np.ndarray, optional): ``(K, H, W)`` bool masks
            (tensor or ``BitmapMasks`` accepted).
        person_ids (Sequence[int], optional): ``K`` ids shown next to each
            person; defaults to ``1..K`` (score order, as the fusion numbers
            them).
        alpha (float): Opacity of the part colours in ``[0, 1]``; at 1 the
            part pixels take the palette colour exactly.
        palette (np.ndarray): ``(C, 3)`` uint8 RGB palette.
        thickness (int): Outline thickness in pixels.
        draw_ids (bool): Whether to write the ids.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 BGR overlay (a new array).

    Raises:
        ValueError: if shapes disagree, ``alpha`` is outside ``[0, 1]`` or a
            class id lies outside the palette.
    """
    image = np.asarray(image_bgr)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(
            f'image must be (H, W, 3) BGR, got shape {image.shape}.')
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f'alpha must be in [0, 1], got {alpha}.')
    h, w = image.shape[:2]
    out = np.array(image, dtype=np.uint8, order='C')  # contiguous copy
    if part_map is not None:
        part_map = _as_numpy(part_map)
        if part_map.ndim == 3 and part_map.shape[0] == 1:
            part_map = part_map[0]
        if part_map.shape != (h, w):
            raise ValueError(
                f'part map shape {part_map.shape} differs from the image '
                f'size {(h, w)}.')
        colors = colorize_part_map(part_map, palette)
        fg = part_map > 0
        blended = (1.0 - alpha) * out[fg].astype(np.float32) + \
            alpha * colors[fg].astype(np.float32)
        out[fg] = np.clip(np.round(blended), 0, 255).astype(np.uint8)
    if person_masks is None:
        return out
    masks = _as_numpy(person_masks).astype(bool)
    if masks.size == 0:
        return out
    if masks.ndim != 3 or masks.shape[1:] != (h, w):
        raise ValueError(
            f'person masks must be (K, {h}, {w}), got {masks.shape}.')
    if person_ids is None:
        person_ids = range(1, len(masks) + 1)
    person_ids = [int(i) for i in person_ids]
    if len(person_ids) != len(masks):
        raise ValueError(
            f'{len(person_ids)} person ids for {len(masks)} person masks.')
    font_scale = max(0.35, min(h, w) / 400.0)
    for mask, pid in zip(masks, person_ids):
        if not mask.any():
            continue
        color = tuple(int(c) for c in person_colors(pid)[::-1])
        contours, _ = cv2.findContours(
            mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(out, contours, -1, color, thickness)
        if draw_ids:
            ys, xs = np.nonzero(mask)
            org = (int(xs.min()), max(int(ys.min()) - 3, 10))
            cv2.putText(out, str(pid), org, cv2.FONT_HERSHEY_SIMPLEX,
                        font_scale, color, max(1, thickness // 2),
                        cv2.LINE_AA)
    return out


def _fit(label_map: np.ndarray, img_shape, out_hw) -> np.ndarray:
    """Crop a (padded) label map to ``img_shape`` and resize it (nearest)."""
    if img_shape is not None:
        label_map = label_map[..., :img_shape[0], :img_shape[1]]
    if label_map.shape[-2:] == tuple(out_hw):
        return label_map
    dsize = (int(out_hw[1]), int(out_hw[0]))
    if label_map.ndim == 2:
        return cv2.resize(label_map.astype(np.uint8), dsize,
                          interpolation=cv2.INTER_NEAREST)
    return np.stack([
        cv2.resize(m.astype(np.uint8), dsize, interpolation=cv2.INTER_NEAREST)
        for m in label_map
    ]).reshape(len(label_map), *out_hw)


def parsing_from_sample(data_sample, which: str = 'pred',
                        out_hw: Optional[Sequence[int]] = None,
                        score_thr: Optional[float] = None,
                        ignore_index: int = 255):
    """Read the part map and the persons of a ``DetDataSample``.

    Args:
        data_sample (DetDataSample): With ``pred_sem_seg`` /
            ``pred_instances`` (original size, see docs/interfaces.md) for
            ``which='pred'``, or ``gt_sem_seg`` / ``gt_instances`` (size of
            the network input, possibly padded) for ``which='gt'``.
        which (str): ``'pred'`` or ``'gt'``.
        out_hw (Sequence[int], optional): ``(H, W)`` to bring the maps to
            (nearest); defaults to the map's own size.
        score_thr (float, optional): Drop predicted persons scoring lower.
            Kept persons keep their ids (``index + 1``, the ids of the
            official files).
        ignore_index (int): GT value drawn as background.

    Returns:
        tuple: ``part_map`` ``(H, W)`` int64 or None, ``masks`` ``(K, H, W)``
        bool or None, ``ids`` list of K ints.
    """
    if which not in ('pred', 'gt'):
        raise ValueError(f"which must be 'pred' or 'gt', got {which!r}.")
    img_shape = None
    if which == 'gt':
        img_shape = data_sample.metainfo.get('img_shape')
    part_map = masks = None
    ids = []
    seg = data_sample.get(f'{which}_sem_seg')
    if seg is not None:
        part_map = _as_numpy(seg.sem_seg)
        part_map = part_map.reshape(part_map.shape[-2:]).astype(np.int64)
        if out_hw is None:
            out_hw = (part_map.shape if img_shape is None else
                      tuple(img_shape[:2]))
        part_map = _fit(part_map, img_shape, out_hw).astype(np.int64)
        part_map[part_map == ignore_index] = 0
    inst = data_sample.get(f'{which}_instances')
    if inst is not None and 'masks' in inst:
        masks = _as_numpy(inst.masks).astype(bool)
        ids = list(range(1, len(masks) + 1))
        if which == 'pred' and score_thr is not None and 'scores' in inst:
            keep = _as_numpy(inst.scores) >= score_thr
            masks = masks[keep]
            ids = [i for i, k in zip(ids, keep) if k]
        if len(masks) and out_hw is not None:
            masks = _fit(masks, img_shape, out_hw).astype(bool)
        elif out_hw is not None:
            masks = np.zeros((0, *out_hw), dtype=bool)
    return part_map, masks, ids


def draw_data_sample(image_bgr: np.ndarray, data_sample, which='pred',
                     alpha: float = 0.6,
                     score_thr: Optional[float] = None,
                     palette: np.ndarray = VIP_PALETTE,
                     class_names: Optional[Sequence[str]] = None
                     ) -> np.ndarray:
    """:func:`draw_parsing` of a ``DetDataSample``'s prediction or GT.

    With ``class_names`` a legend of the classes present in the part map
    (:func:`~aten_mm.visualization.legend.draw_legend`) goes in the
    top-left corner.

    Args:
        image_bgr (np.ndarray): ``(H, W, 3)`` uint8 BGR image at the
            sample's original size.
        data_sample (DetDataSample): See :func:`parsing_from_sample`.
        which (str): ``'pred'`` or ``'gt'``.
        alpha (float): Opacity of the part colours.
        score_thr (float, optional): Person score threshold (predictions).
        palette (np.ndarray): ``(C, 3)`` uint8 RGB palette.
        class_names (Sequence[str], optional): Names of the classes (index
            = class id); draws the legend when given.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 BGR overlay.
    """
    part_map, masks, ids = parsing_from_sample(
        data_sample, which, out_hw=image_bgr.shape[:2], score_thr=score_thr)
    out = draw_parsing(image_bgr, part_map, masks, ids, alpha=alpha,
                       palette=palette)
    if class_names is not None and part_map is not None:
        present = np.unique(part_map)
        out = draw_legend(out, present[present > 0], class_names, palette)
    return out
