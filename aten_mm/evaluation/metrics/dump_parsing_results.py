"""Dump compact predictions to a pickle (``tools/test.py --out``)."""
from typing import Sequence

from mmengine.evaluator import DumpResults

from aten_mm.registry import METRICS

from .compact_results import compact_sample


@METRICS.register_module()
class DumpParsingResults(DumpResults):
    """Collect compact predictions and dump them to a ``.pkl`` file.

    The video-parsing counterpart of mmdet's ``DumpDetResults``: no ground
    truth is kept and every mask (part classes, persons, part instances)
    is run-length encoded (:func:`compact_sample`). Read the file back
    with :func:`load_compact_results`;
    ``tools/analysis_tools/dump_to_official_files.py`` turns it into the
    official VIP or DAVIS result files.

    Args:
        out_file_path (str): The ``.pkl`` file.
        collect_device (str): ``'cpu'`` or ``'gpu'``.
    """

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Keep one compact sample per output sample."""
        self.results.extend(compact_sample(s) for s in data_samples)
