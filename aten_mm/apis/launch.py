"""Runner set-up shared by ``tools/train.py`` and ``tools/test.py``."""
import os.path as osp

import torch
from mmengine.runner import Runner

from aten_mm.registry import RUNNERS


def default_work_dir(cfg, config_path: str, work_dir=None) -> None:
    """Set ``cfg.work_dir``: ``work_dir``, the config's, or work_dirs/NAME.

    Args:
        cfg (Config): Config to update in place.
        config_path (str): The config file (its stem names the directory).
        work_dir (str, optional): ``--work-dir`` of the command line.
    """
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(config_path))[0])


def setup_cpu_distributed(cfg) -> None:
    """Let a distributed run work without CUDA (gloo, CPU DDP).

    mmengine 0.10's pytorch launcher calls ``torch.cuda.set_device`` and its
    DDP wrapper passes ``device_ids=[LOCAL_RANK]``; both assume GPUs. Without
    CUDA the gloo process group is started here (the runner then finds it
    initialised) and the model is wrapped with ``device_ids=None``.

    Args:
        cfg (Config): Config with ``launcher`` set; updated in place.
    """
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return
    import torch.distributed as dist
    if cfg.launcher == 'pytorch' and not dist.is_initialized():
        backend = cfg.get('env_cfg', {}).get('dist_cfg', {}).get(
            'backend', 'gloo')
        if backend == 'nccl':
            backend = 'gloo'  # nccl needs CUDA
        dist.init_process_group(backend=backend)
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel')
    wrapper.setdefault('device_ids', None)
    wrapper.setdefault('broadcast_buffers', False)
    wrapper.setdefault('find_unused_parameters',
                       cfg.get('find_unused_parameters', False))
    cfg.model_wrapper_cfg = wrapper


def build_runner(cfg) -> Runner:
    """``Runner.from_cfg``, or the registered ``runner_type`` when set.

    Args:
        cfg (Config): Full config.

    Returns:
        Runner: The runner.
    """
    from .clip_plan import derive_clip_cfgs
    derive_clip_cfgs(cfg)  # the datasets take l / p from the model
    if 'runner_type' not in cfg:
        return Runner.from_cfg(cfg)
    return RUNNERS.build(cfg)
