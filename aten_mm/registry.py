"""Registries of the ``aten_mm`` scope.

Every registry here is a child of the matching MMDetection registry, which
itself is a child of mmengine's root registry (so all of them live in
mmengine's registry tree). Two consequences a config author relies on:

* mmdet types resolve unscoped (``type='RPNHead'``) while ``aten_mm`` is the
  default scope, which is what mmdet's own detectors need when they build
  their sub-modules under our default scope;
* any other OpenMMLab package is reached by scope prefix, e.g.
  ``type='mmseg.ASPPHead'`` or ``type='mmengine.SGD'``.
"""
import mmdet.registry as mmdet_registry
import mmseg.registry  # noqa: F401  (registers the 'mmseg' child scope)
from mmengine.registry import Registry

_SCOPE = 'aten_mm'


def _child(name, parent, location):
    return Registry(
        name, parent=parent, scope=_SCOPE,
        locations=[f'aten_mm.{location}'])


RUNNERS = _child('runner', mmdet_registry.RUNNERS, 'engine')
RUNNER_CONSTRUCTORS = _child('runner constructor',
                             mmdet_registry.RUNNER_CONSTRUCTORS, 'engine')
LOOPS = _child('loop', mmdet_registry.LOOPS, 'engine')
HOOKS = _child('hook', mmdet_registry.HOOKS, 'engine.hooks')
DATASETS = _child('dataset', mmdet_registry.DATASETS, 'datasets')
DATA_SAMPLERS = _child('data sampler', mmdet_registry.DATA_SAMPLERS,
                       'datasets.samplers')
TRANSFORMS = _child('transform', mmdet_registry.TRANSFORMS,
                    'datasets.transforms')
MODELS = _child('model', mmdet_registry.MODELS, 'models')
MODEL_WRAPPERS = _child('model_wrapper', mmdet_registry.MODEL_WRAPPERS,
                        'models')
WEIGHT_INITIALIZERS = _child('weight initializer',
                             mmdet_registry.WEIGHT_INITIALIZERS, 'models')
OPTIMIZERS = _child('optimizer', mmdet_registry.OPTIMIZERS, 'engine')
OPTIM_WRAPPERS = _child('optim_wrapper', mmdet_registry.OPTIM_WRAPPERS,
                        'engine')
OPTIM_WRAPPER_CONSTRUCTORS = _child(
    'optimizer wrapper constructor',
    mmdet_registry.OPTIM_WRAPPER_CONSTRUCTORS, 'engine')
PARAM_SCHEDULERS = _child('parameter scheduler',
                          mmdet_registry.PARAM_SCHEDULERS, 'engine')
METRICS = _child('metric', mmdet_registry.METRICS, 'evaluation')
EVALUATOR = _child('evaluator', mmdet_registry.EVALUATOR, 'evaluation')
TASK_UTILS = _child('task util', mmdet_registry.TASK_UTILS, 'models')
VISUALIZERS = _child('visualizer', mmdet_registry.VISUALIZERS,
                     'visualization')
VISBACKENDS = _child('vis_backend', mmdet_registry.VISBACKENDS,
                     'visualization')
LOG_PROCESSORS = _child('log_processor', mmdet_registry.LOG_PROCESSORS,
                        'engine')
