"""DFF: Deep Feature Flow (Zhu et al., CVPR 2017), the baseline of Table 1.
"""
from typing import Optional

from aten_mm.registry import MODELS

from .aten import ATEN


@MODELS.register_module()
class DFF(ATEN):
    """Deep Feature Flow: key-frame features propagated by flow.

    DFF's own schedule (paper §5.2: "all the settings the same as its
    paper"): the video is cut into segments of l = 10 frames, the key is
    the **first** frame of each segment and N_feat runs on it only; every
    other frame gets the feature of the **preceding** key warped by
    FlowNet-S and multiplied by the scale field (Eq. 2, 6), with no
    temporal encoding (ATEN with ``num_refs = 0`` and no encoder, F̄_k =
    F_k). Stream mode is therefore causal: frame t is parsed when it
    arrives. In training the key is drawn at most l - 1 frames before the
    target (:func:`~aten_mm.structures.frame_plan.key_offsets`).
    ``key_position='median'`` gives the variant with ATEN's median key
    (non-causal: a frame may wait for a later key).

    Args:
        key_interval (int): l. Defaults to 10.
        num_refs (int): Must be 0 (no temporal encoding).
        encoder (None): Must be None (accepted so that DFF configs can
            inherit from ATEN's ``_base_`` with ``encoder=None``).
        key_position (str): ``'first'`` (DFF) or ``'median'``. Defaults to
            ``'first'``.
        **kwargs: The other arguments of :class:`ATEN` (``detector``,
            ``motion``, ``aligner``, ``propagate``, ``freeze_modules``,
            ``data_preprocessor``, ``init_cfg``).
    """

    def __init__(self,
                 key_interval: int = 10,
                 num_refs: int = 0,
                 encoder: Optional[dict] = None,
                 key_position: str = 'first',
                 **kwargs) -> None:
        if encoder is not None or num_refs != 0:
            raise ValueError('DFF has no temporal encoding: expected '
                             f'encoder=None and num_refs=0, got encoder='
                             f'{encoder} and num_refs={num_refs}')
        super().__init__(key_interval=key_interval, num_refs=0,
                         encoder=None, key_position=key_position, **kwargs)
