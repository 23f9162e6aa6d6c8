"""FLOPs and parameters of each part of a model (paper Eq. 8-9 terms).

``python tools/analysis_tools/get_flops.py CONFIG [--shape H W]``

Prints, separately, N_feat (backbone + neck), the flow network
(``model.motion``), the temporal encoder (``model.encoder``, on p + 1
features) and N_parse (global parsing branch, RPN, RoI box head on the
test proposal budget, RoI mask head on the kept detections), counted with
``mmengine.analysis`` on random inputs of the given size. A per-frame
config (``ParsingRCNN``) has no flow network or encoder ("n/a").
FLOPs count one multiply-add as one FLOP (mmengine's convention).
"""
import argparse

import torch
from mmengine.analysis import get_model_complexity_info
from mmengine.config import DictAction
from torch import nn

from aten_mm.apis import ConfigError, init_model
from aten_mm.apis.cli import run_tool


class PartModule(nn.Module):
    """A model part as a module for the counter: ``fn`` over ``parts``.

    Args:
        fn (callable): Forward of the part, taking the traced inputs.
        parts (dict[str, nn.Module]): Modules whose parameters are counted.
    """

    def __init__(self, fn, parts: dict) -> None:
        super().__init__()
        self.fn = fn
        self.parts = nn.ModuleDict(parts)

    def forward(self, *inputs):
        return self.fn(*inputs)


def _first_tensor(out):
    if isinstance(out, torch.Tensor):
        return out
    if isinstance(out, (list, tuple)):
        for item in out:
            t = _first_tensor(item)
            if t is not None:
                return t
    return None


def _rois(num: int, h: int, w: int) -> torch.Tensor:
    """``(num, 5)`` random RoIs ``(batch, x1, y1, x2, y2)`` in the image."""
    g = torch.Generator().manual_seed(0)
    xy = torch.rand(num, 2, generator=g) * torch.tensor([w / 2, h / 2])
    wh = torch.rand(num, 2, generator=g) * torch.tensor([w / 2, h / 2]) + 4
    return torch.cat([torch.zeros(num, 1), xy, xy + wh], dim=1)


def build_parts(model, h: int, w: int, num_refs=None):
    """``[(name, module or None, inputs)]`` of the parts to count.

    Args:
        model (nn.Module): A ParsingRCNN or a video model (ATEN/DFF/FGFA).
        h, w (int): Input frame size.
        num_refs (int, optional): p for the encoder (default: the model's).

    Returns:
        list[tuple]: ``(name, PartModule | None, tuple of inputs)``.
    """
    det = getattr(model, 'detector', model)
    img = torch.randn(1, 3, h, w)
    parts = [('N_feat (backbone + neck)',
              PartModule(det.extract_feat,
                         dict(backbone=det.backbone, neck=det.neck)),
              (img, ))]
    with torch.no_grad():
        feat = det.extract_feat(img)
    motion = getattr(model, 'motion', None)
    parts.append(('flow network (motion)',
                  None if motion is None else PartModule(
                      lambda a, b: motion(a, b), dict(motion=motion)),
                  (img, torch.randn(1, 3, h, w))))
    encoder = getattr(model, 'encoder', None)
    p = num_refs if num_refs is not None else getattr(model, 'num_refs', 0)
    stacked = torch.randn(max(int(p), 1) + 1, *feat.shape)
    parts.append(('encoder (p + 1 features)',
                  None if encoder is None else PartModule(
                      lambda x: encoder(list(x.unbind(0))),
                      dict(encoder=encoder)),
                  (stacked, )))
    parts.append(('N_parse: global parsing branch',
                  PartModule(det.parsing_head.forward,
                             dict(head=det.parsing_head)),
                  (feat, )))
    if getattr(det, 'with_rpn', False):
        rpn = det.rpn_head
        parts.append(('N_parse: RPN head',
                      PartModule(lambda x: rpn((x, )), dict(rpn=rpn)),
                      (feat, )))
    if getattr(det, 'with_roi_head', False):
        roi = det.roi_head
        test_cfg = det.test_cfg or {}
        num_props = int(test_cfg.get('rpn', {}).get('max_per_img', 100))
        num_dets = int(test_cfg.get('rcnn', {}).get('max_per_img', 100))
        parts.append((
            f'N_parse: RoI box head ({num_props} proposals)',
            PartModule(
                lambda x, r: roi._bbox_forward((x, ), r)['cls_score'],
                dict(extractor=roi.bbox_roi_extractor, head=roi.bbox_head)),
            (feat, _rois(num_props, h, w))))
        if getattr(roi, 'with_mask', False):
            parts.append((
                f'N_parse: RoI mask head ({num_dets} detections)',
                PartModule(
                    lambda x, r: roi._mask_forward((x, ), r)['mask_preds'],
                    dict(extractor=roi.mask_roi_extractor,
                         head=roi.mask_head)),
                (feat, _rois(num_dets, h, w))))
    return parts


def count(module: nn.Module, inputs: tuple) -> dict:
    """FLOPs and parameters of one part (mmengine's counter)."""
    info = get_model_complexity_info(
        module, inputs=inputs, show_table=False, show_arch=False)
    return dict(flops=info['flops'], params=info['params'])


def _fmt(n: float, unit: str) -> str:
    return f'{n / 1e9:.3f} G{unit}' if n >= 1e8 else f'{n / 1e6:.3f} M{unit}'


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='FLOPs/params of N_feat, flow net, encoder, N_parse')
    parser.add_argument('config', help='config file')
    parser.add_argument('--shape', type=int, nargs='+', default=[288, 512],
                        help='input size H W (or one value for both); '
                        'default 288 512 (longer side 512, paper §5.1)')
    parser.add_argument('--num-refs', type=int, default=None,
                        help='encoder inputs p (default: the model\'s)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys')
    return parser.parse_args(argv)


def main(argv=None):
    """Print the table; returns ``{part: dict(flops, params) | None}``."""
    args = parse_args(argv)
    if len(args.shape) == 1:
        h = w = args.shape[0]
    elif len(args.shape) == 2:
        h, w = args.shape
    else:
        raise ConfigError(f'--shape takes H W or one size, got {args.shape}')
    if h < 32 or w < 32:
        raise ConfigError(f'--shape {h} {w} is too small (>= 32 px).')
    model = init_model(args.config, None, device='cpu',
                       cfg_options=args.cfg_options)
    results = {}
    rows = []
    for name, module, inputs in build_parts(model, h, w, args.num_refs):
        if module is None:
            results[name] = None
            rows.append((name, 'n/a', 'n/a'))
            continue
        module.eval()
        with torch.no_grad():
            res = count(module, inputs)
        results[name] = res
        rows.append((name, _fmt(res['flops'], 'FLOPs'),
                     _fmt(res['params'], '')))
    heads = [r for n, r in results.items() if n.startswith('N_parse')]
    total = dict(flops=sum(r['flops'] for r in heads),
                 params=sum(r['params'] for r in heads))
    results['N_parse (total)'] = total
    rows.append(('N_parse (total)', _fmt(total['flops'], 'FLOPs'),
                 _fmt(total['params'], '')))
    wn = max(len(r[0]) for r in rows)
    print(f'Input shape: (1, 3, {h}, {w})  config: {args.config}')
    print(f'{"part":<{wn}}  {"FLOPs":>14}  {"params":>12}')
    for name, flops, params in rows:
        print(f'{name:<{wn}}  {flops:>14}  {params:>12}')
    print('FLOPs of ops mmengine cannot count (e.g. RoIAlign, grid_sample) '
          'are left out; compare parts, not absolute totals.')
    return results


if __name__ == '__main__':
    run_tool(main)
