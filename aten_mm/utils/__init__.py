"""Utilities of aten_mm."""
from .checkpoint import (
    UnsafeCheckpointError,
    install_safe_globals,
    load_checkpoint,
    safe_torch_load,
)
from .config_check import ConfigError
from .setup_env import register_all_modules
from .user_error import UserError

# Our checkpoints load in torch's weights_only mode from the moment aten_mm
# is imported (mmengine's resume / load_from included).
install_safe_globals()

__all__ = ['register_all_modules', 'load_checkpoint', 'safe_torch_load',
           'UnsafeCheckpointError', 'install_safe_globals', 'UserError',
           'ConfigError']
