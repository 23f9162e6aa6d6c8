"""DFF: Deep Feature Flow (Zhu et al., CVPR 2017), the baseline of Table 1.
"""
from typing import Optional, Sequence

from aten_mm.registry import MODELS

from .aten import ATEN


@MODELS.register_module()
class DFF(ATEN):
    """Deep Feature Flow: key-frame features propagated by flow.

    N_feat runs on the key frame of each segment only (the median frame of
    l = 10 frames by default); a non-key frame's feature is the key's
    feature warped by FlowNet-S and multiplied by the scale field (Eq. 2,
    6), with no temporal encoding: ATEN with ``num_refs = 0`` and no
    encoder (F̄_k = F_k).

    Args:
        detector (dict): :class:`ParsingRCNN` config.
        motion (dict): FlowNetS config.
        encoder (None): Must be None (accepted so that DFF configs can
            inherit from ATEN's ``_base_`` with ``encoder=None``).
        key_interval (int): l. Defaults to 10.
        num_refs (int): Must be 0 (see ``encoder``).
        propagate (str): ``'flow'`` or ``'none'``.
        freeze_modules (Sequence[str]): Modules kept frozen.
        test_mode (str): ``'auto'``, ``'clip'`` or ``'stream'``.
        data_preprocessor (dict, optional): ``VideoDataPreprocessor``.
        init_cfg (dict, optional): Initialisation config.
    """

    def __init__(self,
                 detector: dict,
                 motion: Optional[dict] = None,
                 encoder: Optional[dict] = None,
                 key_interval: int = 10,
                 num_refs: int = 0,
                 propagate: str = 'flow',
                 freeze_modules: Sequence[str] = (),
                 test_mode: str = 'auto',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if encoder is not None or num_refs != 0:
            raise ValueError('DFF has no temporal encoding: expected '
                             f'encoder=None and num_refs=0, got encoder='
                             f'{encoder} and num_refs={num_refs}')
        super().__init__(
            detector=detector, motion=motion, encoder=None,
            key_interval=key_interval, num_refs=0, propagate=propagate,
            freeze_modules=freeze_modules, test_mode=test_mode,
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
