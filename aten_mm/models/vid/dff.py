"""DFF: Deep Feature Flow (Zhu et al., CVPR 2017), the baseline of Table 1.
"""
from typing import Optional

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
        key_interval (int): l. Defaults to 10.
        num_refs (int): Must be 0 (no temporal encoding).
        encoder (None): Must be None (accepted so that DFF configs can
            inherit from ATEN's ``_base_`` with ``encoder=None``).
        **kwargs: The other arguments of :class:`ATEN` (``detector``,
            ``motion``, ``propagate``, ``freeze_modules``, ``test_mode``,
            ``data_preprocessor``, ``init_cfg``).
    """

    def __init__(self,
                 key_interval: int = 10,
                 num_refs: int = 0,
                 encoder: Optional[dict] = None,
                 **kwargs) -> None:
        if encoder is not None or num_refs != 0:
            raise ValueError('DFF has no temporal encoding: expected '
                             f'encoder=None and num_refs=0, got encoder='
                             f'{encoder} and num_refs={num_refs}')
        super().__init__(key_interval=key_interval, num_refs=0,
                         encoder=None, **kwargs)
