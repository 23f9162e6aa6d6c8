"""Evaluate a model through the ONNX Runtime backend (docs/deployment.md).

``tools/test.py ... --backend onnxruntime`` adds this hook: after the
runner has loaded the checkpoint, it swaps the model's dense networks
(N_feat, FlowNet-S, the temporal encoder, the dense parts of the parsing,
RPN, box and mask heads) for their ONNX graphs
(:func:`aten_mm.deployment.use_onnxruntime`), so the same test loop, the
same metric and the same files measure the deployed model.
"""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from aten_mm.registry import HOOKS


@HOOKS.register_module()
class OnnxRuntimeHook(Hook):
    """Run testing with the ONNX Runtime backend.

    Args:
        onnx_dir (str, optional): Graphs of ``tools/deployment/
            export_onnx.py``; None exports them at the first batch.
    """

    priority = 'VERY_LOW'

    def __init__(self, onnx_dir: Optional[str] = None) -> None:
        self.onnx_dir = onnx_dir

    def before_test(self, runner) -> None:
        """Swap the dense networks once the checkpoint is loaded."""
        from aten_mm.deployment import use_onnxruntime
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        use_onnxruntime(model, self.onnx_dir)
