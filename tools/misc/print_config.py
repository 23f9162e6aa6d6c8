"""Print the whole config: ``python tools/misc/print_config.py CONFIG``.

All ``_base_`` files merged and ``--cfg-options`` applied (unknown keys are
refused with the list of existing ones), as mmdet's tool of the same name.
"""
import argparse

from mmengine.config import DictAction

from aten_mm.apis.cli import run_tool
from aten_mm.apis.config import ConfigError, load_config


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='Print the whole config')
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--save-path', help='also write the merged config to this .py file')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys, e.g. train_cfg.max_iters=100')
    return parser.parse_args(argv)


def main(argv=None):
    """Print (and optionally save) the config; returns its text."""
    args = parse_args(argv)
    cfg = load_config(args.config, args.cfg_options)
    text = cfg.pretty_text
    print(f'Config:\n{text}')
    if args.save_path is not None:
        if not args.save_path.endswith('.py'):
            raise ConfigError(
                f'--save-path must end with .py, got "{args.save_path}".')
        cfg.dump(args.save_path)
        print(f'Config saved to {args.save_path}')
    return text


if __name__ == '__main__':
    run_tool(main)
