"""Data preprocessor for clips (docs/interfaces.md "Data preprocessor")."""
import math
from typing import Optional, Sequence

import torch
import torch.nn.functional as F
from mmdet.models.data_preprocessors import DetDataPreprocessor
from mmdet.models.utils.misc import samplelist_boxtype2tensor

from aten_mm.registry import MODELS


@MODELS.register_module()
class VideoDataPreprocessor(DetDataPreprocessor):
    """mmdet's ``DetDataPreprocessor`` for clips ``(F, 3, H, W)``.

    Every frame of a clip is converted (BGR → RGB), normalised by
    ``mean``/``std`` and padded bottom/right exactly like the others, to
    the batch's largest size rounded up to ``pad_size_divisor``; the output
    is ``(N, F, 3, Hp, Wp)``. ``batch_input_shape`` (``(Hp, Wp)``) and
    ``pad_shape`` (the sample's own size rounded up to the divisor, as
    mmdet) are set in each data sample; in training the ground-truth masks
    (``mask_pad_value``) and part maps (``seg_pad_value`` = 255) are padded
    to ``batch_input_shape`` as mmdet does.

    Args:
        mean, std (Sequence[float] | None): Normalisation (RGB order after
            conversion).
        pad_size_divisor (int): Defaults to 1.
        pad_value (float): Value of padded pixels (after normalisation).
        pad_mask (bool): Pad gt masks in training. Defaults to True.
        pad_seg (bool): Pad gt part maps in training. Defaults to True.
        **kwargs: Other ``DetDataPreprocessor`` arguments (``bgr_to_rgb``,
            ``mask_pad_value``, ``seg_pad_value``, ``boxtype2tensor``...);
            ``batch_augments`` is not supported.
    """

    def __init__(self,
                 mean: Optional[Sequence[float]] = None,
                 std: Optional[Sequence[float]] = None,
                 pad_size_divisor: int = 1,
                 pad_value: float = 0,
                 pad_mask: bool = True,
                 pad_seg: bool = True,
                 **kwargs):
        if kwargs.get('batch_augments'):
            raise ValueError('VideoDataPreprocessor does not support '
                             'batch_augments')
        super().__init__(mean=mean, std=std,
                         pad_size_divisor=pad_size_divisor,
                         pad_value=pad_value, pad_mask=pad_mask,
                         pad_seg=pad_seg, **kwargs)

    def _padded(self, size: int) -> int:
        d = self.pad_size_divisor
        return int(math.ceil(size / d)) * d

    def forward(self, data: dict, training: bool = False) -> dict:
        """Normalise and pad a batch of clips.

        Args:
            data (dict): ``inputs``: list of N uint8/float tensors
                ``(F, 3, H_i, W_i)`` (or one tensor ``(N, F, 3, H, W)``);
                ``data_samples``: list of N ``DetDataSample`` or None.
            training (bool): Pad the ground truth too.

        Returns:
            dict: ``inputs`` float ``(N, F, 3, Hp, Wp)`` and the data
            samples.
        """
        data = self.cast_data(data)
        inputs, data_samples = data['inputs'], data.get('data_samples')
        inputs = list(inputs)
        for i, clip in enumerate(inputs):
            if clip.dim() != 4 or clip.shape[1] != 3:
                raise ValueError(f'clip {i} must be (F, 3, H, W), got '
                                 f'{tuple(clip.shape)}')
        fmax = max(c.shape[0] for c in inputs)
        hp = self._padded(max(c.shape[-2] for c in inputs))
        wp = self._padded(max(c.shape[-1] for c in inputs))
        out = []
        for clip in inputs:
            clip = clip.float()
            if self._channel_conversion:
                clip = clip[:, [2, 1, 0]]
            if self._enable_normalize:
                clip = (clip - self.mean) / self.std
            h, w = clip.shape[-2:]
            out.append(F.pad(clip, (0, wp - w, 0, hp - h, 0, 0, 0,
                                    fmax - clip.shape[0]),
                             value=self.pad_value))
        batch = torch.stack(out)
        if data_samples is not None:
            for sample, clip in zip(data_samples, inputs):
                h, w = clip.shape[-2:]
                sample.set_metainfo({
                    'batch_input_shape': (hp, wp),
                    'pad_shape': (self._padded(h), self._padded(w)),
                    'num_frames': clip.shape[0]
                })
            if self.boxtype2tensor:
                samplelist_boxtype2tensor(data_samples)
            if self.pad_mask and training:
                self.pad_gt_masks(data_samples)
            if self.pad_seg and training:
                self.pad_gt_sem_seg(data_samples)
        return dict(inputs=batch, data_samples=data_samples)
