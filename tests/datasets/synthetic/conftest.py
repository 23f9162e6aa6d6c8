"""Small synthetic sets shared by the tests of this folder (made once)."""
import pytest

from aten_mm.datasets.synthetic import generate_dataset

SMALL = dict(num_videos=3, num_frames=12, size=(96, 64), annotate_every=5,
             degrade_ratio=0.25, progress=False)


class SmallSets:
    """Lazily generated small sets, keyed by name."""

    def __init__(self, factory):
        self.factory = factory
        self.cache = {}

    def get(self, name, **kwargs):
        if name not in self.cache:
            root = str(self.factory.mktemp(name) / 'set')
            self.cache[name] = (root, generate_dataset(root, **dict(
                SMALL, **kwargs)))
        return self.cache[name]


@pytest.fixture(scope='session')
def small_sets(tmp_path_factory):
    return SmallSets(tmp_path_factory)
