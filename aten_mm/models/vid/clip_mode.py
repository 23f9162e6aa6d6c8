"""Clip mode: one target frame per sample, with every frame it needs.

The dataset packs the frames of ``clip_frame_indices`` and the plan it
computed (``key_frame_index``, ``ref_frame_indices``) with the model's own
frame plan (:mod:`aten_mm.structures.frame_plan`); :func:`unpack_clip`
checks that the clip holds what the target needs and, at inference, that
the plan is exactly the model's.
"""
from typing import Dict, Tuple

from mmdet.structures import DetDataSample
from torch import Tensor


def unpack_clip(model, inputs: Tensor, sample: DetDataSample,
                check_plan: bool = False) -> Tuple[Dict[int, Tensor], int,
                                                   Dict]:
    """Frames, target and plan of one clip sample (clip mode).

    With ``check_plan`` (inference) the clip's key and references must be
    the model's plan for the frame: a clip sampled for another model would
    otherwise silently run a different model.

    Args:
        model (BaseVideoParser): The video parser (its :meth:`plan`).
        inputs (Tensor): ``(F, 3, H, W)`` frames of the clip (frames beyond
            ``clip_frame_indices`` are batch padding).
        sample (DetDataSample): The target's sample (``frame_index``,
            ``clip_frame_indices``, ``key_frame_index``,
            ``ref_frame_indices``, ``video_length``).
        check_plan (bool): Refuse a clip whose key or references differ
            from the model's plan.

    Returns:
        tuple: ``frames`` (``frame_index -> (1, 3, H, W)``), the target
        index ``t`` and the plan (``key``, ``refs``).
    """
    name, meta = type(model).__name__, sample.metainfo
    if inputs.dim() != 4:
        raise ValueError(f'{name}: expected one clip (F, 3, H, W), got '
                         f'{tuple(inputs.shape)}')
    t = int(meta.get('frame_index', 0))
    indices = list(meta.get('clip_frame_indices', [t]))
    if len(indices) > inputs.size(0):
        raise ValueError(f'{name}: clip_frame_indices {indices} do not '
                         f'match the {inputs.size(0)} frames of the clip')
    where = f"the clip of video {meta.get('video_id')} frame_index {t}"
    if 'key_frame_index' in meta and 'ref_frame_indices' in meta:
        plan = dict(key=int(meta['key_frame_index']),
                    refs=[int(r) for r in meta['ref_frame_indices']])
    else:
        plan = model.plan(t, int(meta['video_length']))
    if check_plan and 'video_length' in meta:
        own = model.plan(t, int(meta['video_length']))
        if own != plan:
            raise ValueError(
                f'{name}: {where} has key frame {plan["key"]} and '
                f'reference frames {plan["refs"]} but the model\'s plan '
                f'is key {own["key"]}, references {own["refs"]} '
                f'(key_interval={model.key_interval}, num_refs='
                f'{model.num_refs}); derive the dataset clip_cfg from '
                'the model')
    # frames beyond len(indices) are batch padding and are ignored
    frames = {int(i): inputs[j:j + 1] for j, i in enumerate(indices)}
    lost = sorted({t, plan['key'], *plan['refs']} - set(frames))
    if lost:
        raise ValueError(
            f'{name}: {where} lacks frames {lost} (has {indices}); the '
            "dataset clip_cfg must match the model's frame plan")
    return frames, t, plan
