"""apis of aten_mm: model building, stream inference, the train / test /
render entry points of the tools, tool helpers."""
from .config import ConfigError, check_cfg_options, load_config
from .inference import (
                        VideoInferencer,
                        build_frame_pipeline,
                        frame_results,
                        inference_frames,
                        init_model,
)
from .launch import build_runner, default_work_dir, setup_cpu_distributed
from .render import render_video
from .run_config import (
                         RunError,
                         data_overrides,
                         evaluate_run,
                         merge_dicts,
                         train_run,
                         write_run_config,
)
from .test import build_test_config, format_metrics, test_model
from .train import build_train_config, train_model
from .video_io import (
                       AtomicVideoWriter,
                       FrameFolderWriter,
                       FrameSource,
                       display_path,
                       open_frame_source,
                       open_video_output,
                       read_image,
                       video_output_kind,
                       write_image,
)

__all__ = [
    'ConfigError', 'check_cfg_options', 'load_config', 'VideoInferencer',
    'build_frame_pipeline', 'frame_results', 'inference_frames',
    'init_model', 'build_runner', 'default_work_dir',
    'setup_cpu_distributed', 'render_video', 'RunError', 'data_overrides',
    'evaluate_run', 'merge_dicts', 'train_run', 'write_run_config',
    'build_test_config', 'format_metrics', 'test_model',
    'build_train_config', 'train_model', 'AtomicVideoWriter',
    'FrameFolderWriter', 'FrameSource', 'display_path', 'open_frame_source',
    'open_video_output', 'read_image', 'video_output_kind', 'write_image'
]
