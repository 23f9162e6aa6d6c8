"""The machine a measurement ran on."""
import datetime
import os
import platform

import torch


def machine_info(threads: int) -> dict:
    """CPU model, cores, threads, torch version and date."""
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return dict(cpu=cpu, cpu_count=os.cpu_count(), threads=threads,
                torch=torch.__version__, python=platform.python_version(),
                date=datetime.datetime.now().isoformat(timespec='seconds'))


def machine_line(threads: int) -> str:
    """:func:`machine_info` in one line: CPU, cores, torch (threads),
    Python."""
    m = machine_info(threads)
    return (f'{m["cpu"]}, {m["cpu_count"]} cores, torch {m["torch"]} '
            f'({m["threads"]} threads), Python {m["python"]}')
