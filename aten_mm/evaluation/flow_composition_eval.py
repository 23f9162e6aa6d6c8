"""Run :mod:`.functional.flow_composition` on a VIP-layout set with flow
(``tools/analysis_tools/eval_flow_composition.py``)."""
import json
import os
import os.path as osp
from typing import Dict, Optional

import mmcv
import numpy as np
import torch
from mmengine.utils import ProgressBar

from aten_mm.utils.path_check import check_relative_name

from .functional.flow_composition import composition_epe, composition_summary


def _read_frame(path: str) -> np.ndarray:
    img = mmcv.imread(path)
    if img is None:
        raise FileNotFoundError(f'{path}: missing or unreadable frame')
    return img


def _preprocess(model, bgr: np.ndarray) -> torch.Tensor:
    """BGR frame -> the ``(1, 3, H, W)`` normalised input of the model's
    data preprocessor (no resize, no padding)."""
    pre = model.data_preprocessor
    x = torch.from_numpy(np.ascontiguousarray(bgr)).permute(2, 0, 1)
    x = x[None].float()
    if getattr(pre, '_channel_conversion', False):
        x = x.flip(1)
    if getattr(pre, '_enable_normalize', False):
        x = (x - pre.mean) / pre.std
    return x


def evaluate_set(data_root: str, config: str, checkpoint: str,
                 key_interval: int = 3, split: str = 'val',
                 max_videos: Optional[int] = None,
                 json_out: Optional[str] = None, log=print) -> Dict:
    """Mean EPE of direct and composed flow over ``2·key_interval``.

    Args:
        data_root (str): VIP-layout set with ``flow/`` (and
            ``VIP_Sequence``, ``VIP_Fine/lists/<split>_videos.txt``).
        config (str): Config with a FlowNet-S ``motion``.
        checkpoint (str): Its weights (safe loader).
        key_interval (int): l.
        split (str): List to read.
        max_videos (int, optional): First videos only.
        json_out (str, optional): Write the result (refuses to replace a
            file).
        log (Callable): Output lines.

    Returns:
        dict: ``epe_direct``, ``epe_composed``, ``pairs``,
        ``valid_pixels`` and the settings.
    """
    from aten_mm.apis.inference import init_model
    if key_interval < 1:
        raise ValueError(f'--key-interval must be >= 1, got {key_interval}')
    if json_out and osp.exists(json_out):
        raise FileExistsError(f'{json_out} exists; not replacing it')
    lst = osp.join(data_root, 'VIP_Fine', 'lists', f'{split}_videos.txt')
    if not osp.isfile(lst):
        raise FileNotFoundError(f'{lst}: no video list for split {split!r}')
    with open(lst, encoding='utf-8') as f:
        videos = [check_relative_name(v.strip(), f'{lst}:{i}')
                  for i, v in enumerate(f, 1) if v.strip()]
    videos = videos[:max_videos] if max_videos else videos
    model = init_model(config, checkpoint)
    motion = getattr(model, 'motion', None)
    if motion is None or not hasattr(motion, 'predict_dense'):
        raise ValueError(f'{config}: the model has no FlowNet-S `motion`')
    records = []
    bar = ProgressBar(len(videos))
    for video in videos:
        seq = osp.join(data_root, 'VIP_Sequence', video)
        stems = sorted(osp.splitext(n)[0] for n in os.listdir(seq)
                       if n.endswith('.jpg'))
        frames = [_preprocess(model, _read_frame(osp.join(seq, s + '.jpg')))
                  for s in stems]
        flow_dir = osp.join(data_root, 'flow', video)

        def gt(t, stems=stems, flow_dir=flow_dir):
            base = osp.join(flow_dir, stems[t])
            if not osp.isfile(base + '.flo'):
                raise FileNotFoundError(f'{base}.flo: no ground-truth flow '
                                        '(generate the set with --flow)')
            valid = mmcv.imread(base + '_valid.png', flag='grayscale')
            return mmcv.flowread(base + '.flo'), valid > 0

        def estimate(t, s, frames=frames):
            with torch.no_grad():
                flow = motion.predict_dense(frames[t], frames[s])
            return flow[0].permute(1, 2, 0).numpy()

        records += composition_epe(len(frames), key_interval, gt, estimate)
        bar.update()
    result = dict(composition_summary(records), key_interval=key_interval,
                  split=split, videos=len(videos), config=config,
                  checkpoint=checkpoint)
    log(f"\nflow t -> t-{2 * key_interval} over {result['pairs']} frames: "
        f"EPE direct {result['epe_direct']}, composed "
        f"{result['epe_composed']} (px, valid pixels)")
    if json_out:
        os.makedirs(osp.dirname(osp.abspath(json_out)), exist_ok=True)
        with open(json_out, 'w') as f:
            json.dump(result, f, indent=2)
    return result
