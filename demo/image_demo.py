"""Parse images with a model and write the overlays (and the label files).

``python demo/image_demo.py INPUT CONFIG CHECKPOINT --out OUT``

INPUT is an image file or a folder of images (``.jpg``, ``.png`` ...).
Each image goes through the config's test pipeline on its own (a stream
item with ``F = 1``, docs/interfaces.md); the overlay shows the parts in
the dataset palette and each person outlined with its id. OUT is an image
file for a single input image, else a folder that receives
``<image name>.png`` per image. ``--save-labels`` also writes each image's
prediction in the official VIP format (docs/vip_protocol.md §3) next to
the overlays: ``<out folder>/<input folder name>/gray/global_<name>.png``
(the part-label PNG), ``inst_<name>.png`` (the per-person masks as one id
map) with ``scores_<name>.txt``, and ``instance_part/<name>.png`` /
``.txt``. Nothing is written when an output would replace an input, and an
existing output is only replaced with ``--overwrite``; both are checked
before any image is processed. See docs/demo.md.
"""
import argparse
import os
import os.path as osp

import numpy as np
from mmengine.config import DictAction
from mmengine.utils import ProgressBar

from aten_mm.apis import (
    ConfigError,
    VideoInferencer,
    build_frame_pipeline,
    display_path,
    init_model,
    read_image,
    write_image,
)
from aten_mm.apis.cli import run_tool
from aten_mm.apis.video_io import IMAGE_EXTENSIONS, natural_key, same_file
from aten_mm.evaluation.functional import (
    vip_prediction_paths,
    write_vip_prediction,
)
from aten_mm.evaluation.functional.vip_files import vip_prediction_from_sample
from aten_mm.visualization import draw_data_sample, palette_from_meta


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='aten_mm image demo')
    parser.add_argument('img', help='image file or folder of images')
    parser.add_argument('config', help='config file')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out', required=True,
        help='output image file (single input image) or folder')
    parser.add_argument('--save-labels', action='store_true',
                        help='also write the part-label PNG and the person '
                        'masks in the official VIP format')
    parser.add_argument('--overwrite', action='store_true',
                        help='replace existing output files')
    parser.add_argument('--device', default=None,
                        help='device, e.g. cpu or cuda:0 (default: cuda:0 '
                        'when CUDA is available, else cpu)')
    parser.add_argument('--score-thr', type=float, default=None,
                        help='only draw persons scoring at least this')
    parser.add_argument('--alpha', type=float, default=0.6,
                        help='opacity of the part colours')
    parser.add_argument('--side-by-side', action='store_true',
                        help='put the input left of the overlay')
    parser.add_argument('--legend', action='store_true',
                        help='draw a colour legend of the classes present')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config keys')
    return parser.parse_args(argv)


def list_images(path: str) -> list:
    """The input images: the file itself, or a folder's images in natural
    order (``2.jpg`` before ``10.jpg``)."""
    if osp.isfile(path):
        return [path]
    if not osp.isdir(path):
        raise FileNotFoundError(
            f'Input "{display_path(path)}" does not exist (expected an '
            'image file or a folder of images).')
    names = [n for n in os.listdir(path)
             if n.lower().endswith(IMAGE_EXTENSIONS)
             and osp.isfile(osp.join(path, n))]
    if not names:
        raise ValueError(f'Folder "{display_path(path)}" holds no image '
                         f'({", ".join(IMAGE_EXTENSIONS)}).')
    names.sort(key=natural_key)
    return [osp.join(path, n) for n in names]


def plan_outputs(args, images: list) -> list:
    """Every image's output paths, checked before anything is processed.

    Returns:
        list[dict]: Per image ``img``, ``stem``, ``overlay`` (path),
        ``video_id`` and ``label_root`` (None without ``--save-labels``).

    Raises:
        ConfigError: if an output would replace an input, two inputs would
            share an output, or an output exists without ``--overwrite``.
    """
    single = osp.isfile(args.img)
    out_is_file = osp.splitext(args.out)[1].lower() in IMAGE_EXTENSIONS \
        and not osp.isdir(args.out)
    if out_is_file and not single:
        raise ConfigError(
            f'--out "{display_path(args.out)}" is an image file name but '
            f'the input "{display_path(args.img)}" is a folder; give an '
            'output folder.')
    if not out_is_file and osp.isfile(args.out):
        raise ConfigError(
            f'--out "{display_path(args.out)}" is an existing file without '
            f'an image extension ({", ".join(IMAGE_EXTENSIONS)}); give an '
            'image file name or a folder.')
    if not single and same_file(args.out, args.img):
        raise ConfigError(
            f'--out "{display_path(args.out)}" is the input folder; the '
            'overlays would be written among (and could replace) the '
            'input images. Choose another folder.')
    out_dir = osp.dirname(osp.abspath(args.out)) if out_is_file else \
        args.out
    plans, seen = [], {}
    for img in images:
        stem = osp.splitext(osp.basename(img))[0]
        overlay = args.out if out_is_file else osp.join(out_dir,
                                                        stem + '.png')
        video_id = osp.basename(osp.dirname(osp.abspath(img))) or 'images'
        plan = dict(img=img, stem=stem, overlay=overlay, video_id=video_id,
                    label_root=out_dir if args.save_labels else None)
        paths = [overlay]
        if args.save_labels:
            paths += list(vip_prediction_paths(out_dir, video_id,
                                               stem).values())
        for path in paths:
            key = osp.normcase(osp.abspath(path))
            if key in seen:
                raise ConfigError(
                    f'"{display_path(img)}" and "{display_path(seen[key])}" '
                    f'would both be written to "{display_path(path)}" '
                    '(same name stem); rename one.')
            seen[key] = img
            hit = [i for i in images if same_file(path, i)]
            if hit:
                raise ConfigError(
                    f'output "{display_path(path)}" is the input '
                    f'"{display_path(hit[0])}"; writing it would destroy '
                    'the input. Choose another --out.')
            if osp.lexists(path) and not args.overwrite:
                raise ConfigError(
                    f'output "{display_path(path)}" exists; pass '
                    '--overwrite to replace it.')
        plans.append(plan)
    return plans


def main(argv=None):
    """Run the demo.

    Returns:
        list[dict]: Per image ``img``, ``overlay`` (path),
        ``overlay_image`` ``(H, W', 3)`` uint8 BGR and ``sample`` (the
        ``DetDataSample``).
    """
    args = parse_args(argv)
    plans = plan_outputs(args, list_images(args.img))
    model = init_model(args.config, args.checkpoint, device=args.device,
                       cfg_options=args.cfg_options)
    meta = model.dataset_meta or {}
    palette = palette_from_meta(meta)
    class_names = None
    if args.legend:
        from aten_mm.datasets.vip_classes import VIP_CLASSES
        class_names = meta.get('classes', VIP_CLASSES)
    pipeline = build_frame_pipeline(model.cfg)
    results = []
    progress = ProgressBar(len(plans)) if len(plans) > 1 else None
    for plan in plans:
        img = read_image(plan['img'])
        inferencer = VideoInferencer(model, video_id=plan['stem'],
                                     video_length=1, pipeline=pipeline)
        sample = (inferencer.feed(img, img_path=plan['img']) +
                  inferencer.flush())[0]
        overlay = draw_data_sample(img, sample, 'pred', args.alpha,
                                   score_thr=args.score_thr,
                                   palette=palette, class_names=class_names)
        if args.side_by_side:
            overlay = np.concatenate([img, overlay], axis=1)
        os.makedirs(osp.dirname(osp.abspath(plan['overlay'])),
                    exist_ok=True)
        write_image(plan['overlay'], overlay)
        if plan['label_root'] is not None:
            write_vip_prediction(plan['label_root'], plan['video_id'],
                                 plan['stem'],
                                 vip_prediction_from_sample(sample))
        results.append(dict(img=plan['img'], overlay=plan['overlay'],
                            overlay_image=overlay, sample=sample))
        if progress is not None:
            progress.update()
    persons = sum(len(r['sample'].pred_instances) for r in results
                  if 'pred_instances' in r['sample'])
    where = display_path(plans[0]['overlay'] if len(plans) == 1 else
                         args.out)
    print(f'\n{len(results)} image(s), {persons} person(s); overlays '
          f'written to {where}' +
          (f'; VIP label files under {display_path(plans[0]["label_root"])}'
           if args.save_labels else ''))
    return results


if __name__ == '__main__':
    run_tool(main)
