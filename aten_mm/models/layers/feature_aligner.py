"""Flow-guided feature alignment, paper Eq. (3) and (6).

One implementation of ``F_{j→i} = W(F_j, F(I_i, I_j)) ⊙ S`` serves every
model that aligns features: the video parsers (ATEN's reference keys,
Eq. 3; the propagation to non-key frames, Eq. 2; FGFA's neighbours) and the
mmseg :class:`TemporalEncoderDecoder`. The flow network itself stays a
sub-module of the model (``model.motion``) and is passed in, so the
aligner has no weights of its own and the models' state dicts keep their
``motion.*`` keys.
"""
from typing import Optional, Tuple, Union

import torch.nn as nn
from torch import Tensor

from aten_mm.registry import MODELS

from .flow_warp import flow_warp


@MODELS.register_module()
class FlowAligner(nn.Module):
    """Warp features of reference frames onto a current frame (Eq. 3, 6).

    ``flow, S = motion(I_cur, I_ref)`` (flow in pixels of the feature grid,
    mapping positions of the current frame to the reference frame), then
    ``W(F_ref, flow) ⊙ S`` with the bilinear sampler ``W`` (``warp``).

    Args:
        warp (dict): The sampler W. Defaults to ``dict(type='FlowWarp')``.
        use_scale (bool): Multiply by the scale field S when the flow net
            returns one (ATEN, DFF). False warps only (FGFA has no scale
            field). Defaults to True.
    """

    def __init__(self, warp: Optional[dict] = None,
                 use_scale: bool = True) -> None:
        super().__init__()
        self.warp = MODELS.build(warp or dict(type='aten_mm.FlowWarp'))
        self.use_scale = bool(use_scale)

    needs_motion = True

    def forward(self, motion: nn.Module, feats: Tensor, cur: Tensor,
                refs: Tensor, maps: Optional[Tensor] = None
                ) -> Union[Tensor, Tuple[Tensor, Tensor]]:
        """Align ``feats`` of the frames ``refs`` to the frame(s) ``cur``.

        Args:
            motion (nn.Module): Flow network, ``motion(cur, ref)`` ->
                ``(flow (M, 2, h, w), scale (M, C, h, w) | None)``.
            feats (Tensor): ``(M, C, h, w)`` features of ``refs``.
            cur (Tensor): ``(1, 3, H, W)`` (shared by all M) or
                ``(M, 3, H, W)`` frames the features are aligned to.
            refs (Tensor): ``(M, 3, H, W)`` frames of ``feats``.
            maps (Tensor, optional): ``(M, K, h, w)`` head outputs of the
                ``refs`` (a detector's ``head_maps``) warped by the same
                flow, without the scale field (S belongs to the feature's
                channels) and with border padding (a head output has no
                "zero" value: 0 is an objectness of 0.5).

        Returns:
            Tensor: ``(M, C, h, w)`` aligned features; with ``maps`` the
            tuple (aligned features, ``(M, K, h, w)`` warped maps).
        """
        if motion is None:
            raise ValueError('FlowAligner needs a flow network (the '
                             "model's motion config)")
        if cur.size(0) != refs.size(0):
            cur = cur.expand(refs.size(0), -1, -1, -1)
        flow, scale = motion(cur, refs)
        if flow.shape[-2:] != feats.shape[-2:]:
            raise ValueError(
                f'FlowAligner: flow grid {tuple(flow.shape[-2:])} differs '
                f'from the feature grid {tuple(feats.shape[-2:])}; the flow '
                "net's feat_stride must be the stride of the features")
        warped = self.warp(feats, flow)
        if scale is not None and self.use_scale:
            warped = warped * scale
        if maps is None:
            return warped
        return warped, flow_warp(maps, flow, padding_mode='border')


@MODELS.register_module()
class IdentityAligner(nn.Module):
    """No alignment: the features are used unwarped (the "w/o
    flow-warping align" ablations); needs no flow network."""

    needs_motion = False

    def forward(self, motion: Optional[nn.Module], feats: Tensor,
                cur: Tensor, refs: Tensor, maps: Optional[Tensor] = None
                ) -> Union[Tensor, Tuple[Tensor, Tensor]]:
        """Return ``feats`` (``(M, C, h, w)``) unchanged (with ``maps``:
        the tuple ``(feats, maps)``)."""
        return feats if maps is None else (feats, maps)
