"""Measurement instrumentation: speed (paper Eq. 8), memory, the study.

- :mod:`.cost_model`: the Eq.-8 terms, unit counts and predicted speed-up;
- :mod:`.term_timer`: :class:`TermTimer`, the terms timed inside a run;
- :mod:`.stream_run`: models built for timing, stream runs (alone or
  interleaved), the user API's stream fps;
- :mod:`.frames`: frames to time on (video file, synthetic, folder);
- :mod:`.machine`: the machine a number was measured on;
- :mod:`.peak_rss`: peak memory of a script in a subprocess of its own;
- :mod:`.speed`: the stream-speed benchmark (one worker process per
  config, or all interleaved);
- :mod:`.levers`: each efficiency lever timed alone;
- :mod:`.study`: the synthetic accuracy study's subsets, merge and claims.

Used by ``tools/analysis_tools/{benchmark,benchmark_levers,
synthetic_study,long_video_memory}.py``.
"""
from .cost_model import (
    TERMS,
    config_schedule,
    eq8_counts,
    eq8_ratio,
    model_schedule,
    predicted_speedup,
    steady_warmup,
    summarize,
)
from .machine import machine_info, machine_line
from .stream_run import (
    StreamRun,
    build_model,
    build_samples,
    run_interleaved,
    run_stream,
    save_random_checkpoint,
    stream_fps,
)
from .term_timer import TermTimer

__all__ = [
    'TERMS', 'config_schedule', 'eq8_counts', 'eq8_ratio', 'model_schedule',
    'predicted_speedup', 'steady_warmup', 'summarize', 'machine_info',
    'machine_line', 'StreamRun', 'build_model', 'build_samples',
    'run_interleaved', 'run_stream', 'save_random_checkpoint', 'stream_fps',
    'TermTimer'
]
