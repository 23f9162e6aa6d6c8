"""Proposal selection with topk equals mmdet's full sort, ties included."""
import os.path as osp

import pytest
import torch
from mmdet.structures import DetDataSample

from aten_mm.apis import init_model
from aten_mm.deployment import use_onnxruntime
from aten_mm.deployment.rpn_topk import TopkProposals, select_top

PERFRAME = osp.join(osp.dirname(__file__), '..', '..', 'configs',
                    'parsing_rcnn', 'parsing-rcnn_tiny_synthetic.py')


def proposals(rpn, feat, meta):
    sample = DetDataSample(metainfo=meta)
    with torch.no_grad():
        return rpn.predict((feat, ), [sample], rescale=False)[0]


@pytest.mark.parametrize('nms_pre', [50, 300, 100000, -1])
def test_topk_proposals_equal_the_sorted_ones(nms_pre):
    torch.manual_seed(0)
    model = init_model(PERFRAME, None)
    rpn = model.rpn_head
    rpn.test_cfg.nms_pre = nms_pre
    # 24 x 32 cells x 15 anchors = 11 520 candidates: 50 and 300 select
    # (the topk branch), 100 000 and -1 keep them all (branch not taken)
    feat = torch.randn(1, 64, 24, 32)
    meta = dict(img_shape=(96, 128), batch_input_shape=(96, 128),
                ori_shape=(96, 128), scale_factor=(1.0, 1.0))
    ref = proposals(rpn, feat, meta)
    rpn._predict_by_feat_single = TopkProposals(rpn)
    got = proposals(rpn, feat, meta)
    assert len(ref) > 0
    if 0 < nms_pre < 11520:
        assert len(ref) <= nms_pre
    torch.testing.assert_close(got.bboxes, ref.bboxes, rtol=0, atol=0)
    torch.testing.assert_close(got.scores, ref.scores, rtol=0, atol=0)


def test_saturated_scores_give_the_sorted_proposals():
    # every logit above ~17 is a sigmoid of exactly 1.0: 11 520 tied
    # scores, which topk and the (unstable) sort order differently
    torch.manual_seed(0)
    model = init_model(PERFRAME, None)
    rpn = model.rpn_head
    rpn.test_cfg.nms_pre = 300
    with torch.no_grad():
        rpn.rpn_cls.bias += 40.0
    feat = torch.randn(1, 64, 24, 32)
    meta = dict(img_shape=(96, 128), batch_input_shape=(96, 128),
                ori_shape=(96, 128), scale_factor=(1.0, 1.0))
    ref = proposals(rpn, feat, meta)
    assert (ref.scores == 1.0).all()
    rpn._predict_by_feat_single = TopkProposals(rpn)
    got = proposals(rpn, feat, meta)
    torch.testing.assert_close(got.bboxes, ref.bboxes, rtol=0, atol=0)


def sort_top(score, k):
    vals, inds = score.sort(descending=True)
    return vals[:k], inds[:k]


def test_select_top_uses_topk_only_without_ties(monkeypatch):
    score = torch.randperm(5000).float() / 5000  # all different
    want = sort_top(score, 300)

    def no_sort(*args, **kwargs):
        raise AssertionError('sorted although no score is tied')

    monkeypatch.setattr(torch.Tensor, 'sort', no_sort)
    got = select_top(score, 300)
    assert torch.equal(got[0], want[0]) and torch.equal(got[1], want[1])


@pytest.mark.parametrize('tie', ['inside', 'boundary', 'saturated'])
def test_select_top_falls_back_to_the_sort_on_ties(tie, monkeypatch):
    score = torch.randperm(5000).float() / 5000
    if tie == 'inside':  # two kept scores equal
        score[score == 4990 / 5000] = 4991 / 5000
    elif tie == 'boundary':  # the 300th best equals the 301st
        score[score == 4700 / 5000] = 4699 / 5000
    else:
        score[::2] = 1.0
    want = sort_top(score, 300)
    sorts = []
    real_sort = torch.Tensor.sort

    def counting_sort(self, *args, **kwargs):
        sorts.append(1)
        return real_sort(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, 'sort', counting_sort)
    got = select_top(score, 300)
    assert sorts  # the fallback ran
    assert torch.equal(got[0], want[0]) and torch.equal(got[1], want[1])


def test_onnxruntime_backend_installs_topk_and_removes_it_for_export():
    torch.manual_seed(0)
    model = init_model(PERFRAME, None)
    assert '_predict_by_feat_single' not in model.rpn_head.__dict__
    use_onnxruntime(model)
    assert isinstance(model.rpn_head._predict_by_feat_single, TopkProposals)
    model.onnx_backend._uninstall()
    assert '_predict_by_feat_single' not in model.rpn_head.__dict__
