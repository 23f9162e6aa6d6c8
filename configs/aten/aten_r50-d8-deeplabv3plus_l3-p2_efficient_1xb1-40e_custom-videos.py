# Your own videos in the VIP layout (docs/custom_dataset.md): the efficient
# ATEN (l = 3, p = 2) on data/my_videos. Frames extracted with
# tools/dataset_converters/vip_videos_to_frames.py data/my_videos; labels
# under VIP_Fine/Annotations, split lists under VIP_Fine/lists. For the
# paper's settings inherit './aten_r50-d16-deeplabv3plus_l3-p2_1xb1-40e_vip.py'
# instead; the data lines below stay the same.
_base_ = './aten_r50-d8-deeplabv3plus_l3-p2_efficient_1xb1-40e_vip.py'

data_root = 'data/my_videos/'
# One frame in N annotated, all raw frames in VIP_Sequence/<video>/; the
# split lists are VIP_Fine/lists/{train,val}_id.txt ("<video>/<frame>").
train_dataloader = dict(dataset=dict(data_root=data_root))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
