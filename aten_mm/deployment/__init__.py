"""ONNX export of a parser's tensor graphs and an ONNX Runtime backend."""
from .onnx_export import (
                          GraphCheckError,
                          check_frames,
                          export_checked,
                          export_config,
                          export_model,
                          preprocess_frame,
)
from .ort_backend import BACKENDS, OnnxBackendError, use_onnxruntime

__all__ = [
    'BACKENDS', 'GraphCheckError', 'OnnxBackendError', 'check_frames',
    'export_checked', 'export_config', 'export_model', 'preprocess_frame',
    'use_onnxruntime'
]
