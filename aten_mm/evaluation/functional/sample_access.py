"""Reading fields of a data sample as the metrics receive it.

mmengine's ``Evaluator`` hands metrics ``data_sample.to_dict()`` (metainfo
and data fields in one dict); tools may pass the ``DataSample`` itself.
"""
import numpy as np
import torch


def get_field(sample, name: str, default=None):
    """``sample[name]`` for dicts, ``getattr`` for data elements."""
    if isinstance(sample, dict):
        return sample.get(name, default)
    if name in getattr(sample, 'metainfo', {}):
        return sample.metainfo[name]
    return getattr(sample, name, default)


def to_numpy(x) -> np.ndarray:
    """Tensor / ``BitmapMasks`` / array → numpy array."""
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    if hasattr(x, 'masks') and not isinstance(x, np.ndarray):
        return np.asarray(x.masks)
    return np.asarray(x)
