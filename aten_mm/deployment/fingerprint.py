"""What a graph was traced from: the weights and structure of its module.

A folder of exported graphs runs in place of a model's own networks
(:mod:`.ort_backend`), so graphs exported from another checkpoint or
another config would give other results without any error. The export
writes one fingerprint per graph into the manifest; the backend computes
the same fingerprint on the model it serves and refuses a folder whose
graphs do not match.
"""
import hashlib

import torch
import torch.nn as nn

#: Version of :func:`module_fingerprint`'s definition, kept in the manifest
#: (``fingerprint_format``): a folder written under another definition is
#: refused as written by another version, not as another model.
FINGERPRINT_FORMAT = 1


def module_fingerprint(module: nn.Module) -> str:
    """SHA-256 of a module's tensors and structure.

    The digest covers every parameter and buffer (non-persistent buffers
    too: FlowNet-S keeps its input normalisation there) by name, dtype,
    shape and bytes, and the module tree: each submodule's name, class and
    ``extra_repr`` (kernel sizes, strides, dilations, FlowNet-S's input
    scale). A module's ``init_cfg`` is left out: it says where training
    starts, and mmengine's Runner keeps a ``Pretrained`` entry that
    :func:`aten_mm.apis.init_model` drops. Two modules built from the same
    config and checkpoint have the same digest in any process, whichever
    of the two built them.

    Args:
        module (nn.Module): The module a graph is traced from.

    Returns:
        str: Hex digest.
    """
    digest = hashlib.sha256(_structure(module).encode())
    tensors = [*module.named_parameters(), *module.named_buffers()]
    for name, tensor in sorted(tensors, key=lambda item: item[0]):
        t = tensor.detach().cpu().contiguous()
        digest.update(f'{name}:{t.dtype}:{tuple(t.shape)};'.encode())
        digest.update(t.reshape(-1).view(torch.uint8).numpy().data)
    return digest.hexdigest()


def _structure(module: nn.Module) -> str:
    """One line per submodule: name, class and ``extra_repr``."""
    return '\n'.join(
        f'{name}:{type(m).__module__}.{type(m).__qualname__}'
        f'({m.extra_repr()})' for name, m in module.named_modules())
