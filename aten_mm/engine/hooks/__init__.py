"""hooks."""
from .invalid_loss_hook import InvalidLossGuardHook  # noqa: F401
from .onnx_runtime_hook import OnnxRuntimeHook  # noqa: F401
from .step_reseed_hook import StepReseedHook  # noqa: F401
from .visualization_hook import ParsingVisualizationHook  # noqa: F401
