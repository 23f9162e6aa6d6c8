"""Pure evaluation functions (numpy / torch, no registry)."""
from .average_precision import (
    ap_at_thresholds,
    iou_thresholds,
    round_scores,
    voc_ap,
)
from .davis_files import (
    davis_prediction_path,
    voc_palette,
    write_davis_prediction,
)
from .davis_measures import (
    boundary_map,
    boundary_tolerance,
    davis_f,
    davis_j,
    davis_summary,
    disk,
    sequence_statistics,
)
from .flow_epe import flow_epe_summary, flow_epe_sums
from .instance_iou import (
    instance_iou_matrix,
    masks_to_id_map,
    max_iou_per_prediction,
)
from .semantic_scores import confusion_matrix, segmentation_scores
from .vip_evaluation import (
    PART_IOU_THRS,
    PERSON_IOU_THRS,
    vip_frame_record,
    vip_summary,
)
from .vip_files import (
    load_vip_gt,
    load_vip_prediction,
    read_frame_list,
    read_instance_table,
    read_label_png,
    read_table,
    vip_prediction_from_sample,
    vip_prediction_paths,
    write_vip_prediction,
)

__all__ = [
    'confusion_matrix', 'segmentation_scores',
    'round_scores', 'voc_ap', 'ap_at_thresholds', 'iou_thresholds',
    'instance_iou_matrix', 'max_iou_per_prediction', 'masks_to_id_map',
    'read_label_png', 'read_instance_table', 'read_table',
    'read_frame_list', 'load_vip_gt',
    'load_vip_prediction', 'write_vip_prediction', 'vip_prediction_paths',
    'vip_prediction_from_sample',
    'vip_frame_record', 'vip_summary', 'PERSON_IOU_THRS', 'PART_IOU_THRS',
    'davis_j', 'davis_f', 'boundary_map', 'boundary_tolerance', 'disk',
    'sequence_statistics', 'davis_summary', 'davis_prediction_path',
    'write_davis_prediction', 'voc_palette', 'flow_epe_sums',
    'flow_epe_summary'
]
