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


def module_fingerprint(module: nn.Module) -> str:
    """SHA-256 of a module's tensors and structure.

    The digest covers every parameter and buffer (non-persistent buffers
    too: FlowNet-S keeps its input normalisation there) by name, dtype,
    shape and bytes, and the module's ``repr`` (layer types, kernel sizes,
    strides, dilations, and what a module's ``extra_repr`` adds, e.g.
    FlowNet-S's input scale). Two modules built from the same config and
    checkpoint have the same digest in any process.

    Args:
        module (nn.Module): The module a graph is traced from.

    Returns:
        str: Hex digest.
    """
    digest = hashlib.sha256(repr(module).encode())
    tensors = [*module.named_parameters(), *module.named_buffers()]
    for name, tensor in sorted(tensors, key=lambda item: item[0]):
        t = tensor.detach().cpu().contiguous()
        digest.update(f'{name}:{t.dtype}:{tuple(t.shape)};'.encode())
        digest.update(t.reshape(-1).view(torch.uint8).numpy().data)
    return digest.hexdigest()
