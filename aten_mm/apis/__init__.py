"""apis of aten_mm: model building, stream inference, tool helpers."""
from .config import ConfigError, check_cfg_options, load_config
from .inference import (
                        VideoInferencer,
                        build_frame_pipeline,
                        frame_results,
                        inference_frames,
                        init_model,
)
from .launch import build_runner, default_work_dir, setup_cpu_distributed
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
    'setup_cpu_distributed', 'AtomicVideoWriter', 'FrameFolderWriter',
    'FrameSource', 'display_path', 'open_frame_source', 'open_video_output',
    'read_image', 'video_output_kind', 'write_image'
]
