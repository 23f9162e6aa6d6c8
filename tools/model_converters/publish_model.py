"""Make a checkpoint fit to hand to someone (as mmdet's ``publish_model``).

Usage::

    python tools/model_converters/publish_model.py IN.pth OUT.pth

``IN`` is read with the project's safe loader
(:func:`aten_mm.utils.checkpoint.safe_torch_load`: ``weights_only`` mode,
nothing in the file can run). Only ``state_dict`` and ``meta`` are kept:
the optimizer, the parameter schedulers, the message hub (log history)
and any other training state are dropped. The file is written as
``OUT-<sha>.pth``, ``<sha>`` being the first 8 hex digits of its SHA-256,
the name scheme of OpenMMLab's model zoos (the hash lets a user check the
download). An existing file of that name is never overwritten.

``--fp16`` stores the floating-point tensors of the state dict as float16
(half the size; the checkpoints that ``make demo`` starts from are
published this way to stay small). Loading needs nothing special: a
float16 value loads into a float32 parameter (``load_state_dict`` copies
with the parameter's dtype), so a model built from the config gets the
float32 weights rounded to float16 precision. ``meta['stored_dtype']``
records it.
"""
import argparse
import hashlib
import io
import os
import os.path as osp
import tempfile

import torch

from aten_mm.apis.cli import run_tool
from aten_mm.apis.config import ConfigError
from aten_mm.utils.checkpoint import safe_torch_load

#: What a published checkpoint keeps.
KEEP_KEYS = ('state_dict', 'meta')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Drop training state from a checkpoint and name it '
        'with its SHA-256 prefix (OUT-<8 hex>.pth)')
    parser.add_argument('in_file', help='input checkpoint')
    parser.add_argument('out_file', help='output name; "-<sha>" is added '
                        'before ".pth"')
    parser.add_argument('--fp16', action='store_true',
                        help='store floating-point weights as float16 '
                        '(half the size)')
    return parser.parse_args(argv)


def published_checkpoint(checkpoint: dict) -> dict:
    """Keep ``state_dict`` and ``meta`` of a loaded checkpoint.

    A plain state dict (no ``state_dict`` key, all tensors) is wrapped as
    ``{'state_dict': ...}``.

    Args:
        checkpoint (dict): As returned by ``safe_torch_load``.

    Returns:
        dict: ``state_dict`` and (when present) ``meta``.
    """
    if 'state_dict' not in checkpoint:
        if checkpoint and all(isinstance(v, torch.Tensor)
                              for v in checkpoint.values()):
            return dict(state_dict=checkpoint)
        raise ConfigError(
            'the checkpoint has no "state_dict" (keys: '
            f'{sorted(map(str, checkpoint))[:10]})')
    return {k: checkpoint[k] for k in KEEP_KEYS if k in checkpoint}


def to_fp16(published: dict) -> dict:
    """Store the floating-point tensors of ``state_dict`` as float16.

    Integer tensors (e.g. BN's ``num_batches_tracked``) are kept as they
    are; ``meta['stored_dtype']`` is set to ``'float16'``.

    Args:
        published (dict): Output of :func:`published_checkpoint`.

    Returns:
        dict: A new dict; the input is not changed.
    """
    state = {
        k: v.half() if v.is_floating_point() else v
        for k, v in published['state_dict'].items()
    }
    meta = dict(published.get('meta') or {}, stored_dtype='float16')
    return dict(published, state_dict=state, meta=meta)


def publish(in_file: str, out_file: str, fp16: bool = False) -> tuple:
    """Write the published checkpoint.

    Args:
        in_file (str): Input checkpoint.
        out_file (str): Output name (``.pth`` added when missing).
        fp16 (bool): Store floating-point weights as float16.

    Returns:
        tuple: the final path ``<out_file without .pth>-<sha256[:8]>.pth``
        and the sorted list of dropped top-level keys.
    """
    try:
        checkpoint = safe_torch_load(in_file)
    except ValueError as e:  # empty, truncated or corrupt: user input
        raise ConfigError(str(e)) from None
    published = published_checkpoint(checkpoint)
    if fp16:
        published = to_fp16(published)
    stem = out_file[:-4] if out_file.endswith('.pth') else out_file
    # serialised in memory: torch names the zip's records after the file,
    # so the bytes (and the hash) must not depend on a temporary name
    buffer = io.BytesIO()
    torch.save(published, buffer)
    data = buffer.getvalue()
    final = f'{stem}-{hashlib.sha256(data).hexdigest()[:8]}.pth'
    if osp.exists(final):
        raise ConfigError(f'{final} exists already; not overwritten')
    out_dir = osp.dirname(osp.abspath(final))
    os.makedirs(out_dir, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix='.publish-', suffix='.pth',
                               dir=out_dir)
    try:
        with os.fdopen(fd, 'wb') as f:
            f.write(data)
        os.replace(tmp, final)
    finally:
        if osp.exists(tmp):
            os.remove(tmp)
    dropped = sorted(str(k) for k in checkpoint if k not in published) \
        if 'state_dict' in checkpoint else []
    return final, dropped


def main(argv=None) -> str:
    args = parse_args(argv)
    final, dropped = publish(args.in_file, args.out_file, args.fp16)
    print(f'published {args.in_file} -> {final} (dropped: '
          f'{", ".join(dropped) or "nothing"})')
    return final


if __name__ == '__main__':
    run_tool(main)
