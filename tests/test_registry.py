"""Registry tree and scope of aten_mm."""
import pytest
import torch.nn as nn
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import DefaultScope

from aten_mm import registry


def test_scope_and_tree():
    assert registry.MODELS.scope == 'aten_mm'
    # every registry sits in mmengine's tree (through mmdet's)
    root = registry.MODELS
    while root.parent is not None:
        root = root.parent
    assert root is MMENGINE_MODELS
    assert registry.MODELS.parent.scope == 'mmdet'
    assert DefaultScope.get_current_instance().scope_name == 'aten_mm'


def test_builds_own_mmdet_and_mmseg_types():
    @registry.MODELS.register_module(name='_RegistryProbe', force=True)
    class Probe(nn.Module):

        def __init__(self, width):
            super().__init__()
            self.width = width

    probe = registry.MODELS.build(dict(type='_RegistryProbe', width=3))
    assert isinstance(probe, Probe) and probe.width == 3

    from mmdet.models import ResNet
    from mmseg.models.decode_heads import ASPPHead

    # unscoped mmdet types resolve under the aten_mm default scope
    resnet = registry.MODELS.build(dict(type='ResNet', depth=18))
    assert isinstance(resnet, ResNet)
    head = registry.MODELS.build(
        dict(type='mmseg.ASPPHead', in_channels=8, channels=4,
             dilations=(1, 2), num_classes=3))
    assert isinstance(head, ASPPHead)


def test_unknown_type_raises():
    with pytest.raises(KeyError, match='NoSuchModule'):
        registry.MODELS.build(dict(type='NoSuchModule'))


def test_version_check_names_package():
    from aten_mm.utils.version_check import check_dependency_versions
    with pytest.raises(ImportError, match='mmcv: found .* need >=9.0'):
        check_dependency_versions({'mmcv': ('9.0.0', '10.0.0')})
    with pytest.raises(ImportError, match='not installed'):
        check_dependency_versions({'no-such-pkg-xyz': ('1.0', '2.0')})
