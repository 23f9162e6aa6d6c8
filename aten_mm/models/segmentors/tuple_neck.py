"""Glue: a single-map neck (e.g. the DeepLabV3+ neck of §4.5) for mmseg."""
from typing import Sequence, Tuple, Union

from mmengine.model import BaseModule
from torch import Tensor

from aten_mm.registry import MODELS


@MODELS.register_module()
class TupleNeck(BaseModule):
    """Wrap a neck that returns one tensor so that it returns a 1-tuple.

    mmseg's decode heads select their input with ``inputs[in_index]``; a
    neck that returns one ``(N, C, H, W)`` tensor, like
    :class:`~aten_mm.models.necks.VideoDeepLabV3Plus` (the feature F of
    paper §4.3, §4.5), would then be indexed along the batch. Wrapped in
    this module it gives ``(F,)`` and the head takes it with
    ``in_index=0``. A neck that already returns a list/tuple passes through
    unchanged.

    Args:
        neck (dict): Config of the wrapped neck.
        init_cfg (dict | list[dict], optional): mmengine init config.
    """

    def __init__(self, neck: dict, init_cfg=None) -> None:
        super().__init__(init_cfg=init_cfg)
        if not isinstance(neck, dict) or 'type' not in neck:
            raise ValueError('TupleNeck: `neck` must be a config dict with '
                             f'a "type" key, got {neck!r}')
        self.neck = MODELS.build(neck)

    def forward(self, inputs: Sequence[Tensor]
                ) -> Union[Tuple[Tensor, ...], list]:
        """Run the wrapped neck on the backbone outputs.

        Args:
            inputs (Sequence[Tensor]): Backbone maps ``(N, C_i, H_i, W_i)``.

        Returns:
            tuple[Tensor]: ``(out,)`` when the neck returns one tensor
            ``out`` (N, C, H, W); the neck's own sequence otherwise.
        """
        out = self.neck(inputs)
        if isinstance(out, Tensor):
            return (out, )
        return out
