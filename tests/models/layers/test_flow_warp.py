"""Tests of flow_warp / FlowWarp (paper Eq. 6)."""
import pytest
import torch

from aten_mm.models.layers import FlowWarp, flow_warp
from aten_mm.registry import MODELS


@pytest.mark.parametrize('align_corners', [True, False])
@pytest.mark.parametrize('size', [(7, 9), (33, 65), (128, 72), (2, 3)])
@pytest.mark.parametrize('dtype', [torch.float32, torch.float64])
def test_zero_flow_is_exact_identity(size, dtype, align_corners):
    torch.manual_seed(0)
    x = torch.randn(2, 5, *size, dtype=dtype)
    out = flow_warp(x, torch.zeros(2, 2, *size, dtype=dtype),
                    align_corners=align_corners)
    assert torch.equal(out, x)


@pytest.mark.parametrize('align_corners', [True, False])
def test_integer_flow_shifts_with_zeros_entering(align_corners):
    torch.manual_seed(0)
    x = torch.randn(1, 3, 11, 13)
    flow = torch.zeros(1, 2, 11, 13)
    flow[:, 0] = 2.0   # sample 2 px to the right
    flow[:, 1] = -1.0  # and 1 px up
    out = flow_warp(x, flow, align_corners=align_corners)
    expected = torch.zeros_like(x)
    expected[:, :, 1:, :-2] = x[:, :, :-1, 2:]
    assert torch.equal(out, expected)


def test_fractional_flow_matches_hand_bilinear():
    x = torch.arange(12, dtype=torch.float64).view(1, 1, 3, 4) ** 2
    flow = torch.zeros(1, 2, 3, 4, dtype=torch.float64)
    # pixel (y=1, x=1) samples at (x=1.25, y=1.5)
    flow[0, 0, 1, 1] = 0.25
    flow[0, 1, 1, 1] = 0.5
    # pixel (y=0, x=3) samples at (x=3.5, y=0): half outside -> half zero
    flow[0, 0, 0, 3] = 0.5
    # pixel (y=2, x=0) samples at (x=-0.75, y=2.0)
    flow[0, 0, 2, 0] = -0.75
    out = flow_warp(x, flow)
    v = x[0, 0]
    expected_11 = (0.75 * 0.5 * v[1, 1] + 0.25 * 0.5 * v[1, 2]
                   + 0.75 * 0.5 * v[2, 1] + 0.25 * 0.5 * v[2, 2])
    assert out[0, 0, 1, 1].item() == pytest.approx(expected_11.item())
    assert out[0, 0, 0, 3].item() == pytest.approx(0.5 * v[0, 3].item())
    assert out[0, 0, 2, 0].item() == pytest.approx(0.25 * v[2, 0].item())
    # untouched pixels stay
    mask = torch.ones(3, 4, dtype=torch.bool)
    mask[1, 1] = mask[0, 3] = mask[2, 0] = False
    assert torch.equal(out[0, 0][mask], v[mask])


def test_border_mode_clamps_instead_of_zeros():
    x = torch.arange(6, dtype=torch.float64).view(1, 1, 2, 3) + 1
    flow = torch.zeros(1, 2, 2, 3, dtype=torch.float64)
    flow[:, 0] = 5.0  # everything samples far to the right
    zeros = flow_warp(x, flow, padding_mode='zeros')
    border = flow_warp(x, flow, padding_mode='border')
    assert torch.equal(zeros, torch.zeros_like(x))
    expected = x[:, :, :, 2:3].expand_as(x)
    assert torch.equal(border, expected)
    # half a pixel beyond the border: zeros fades, border keeps the value
    flow[:, 0] = 0.0
    flow[0, 0, 0, 2] = 0.5
    assert flow_warp(x, flow)[0, 0, 0, 2].item() == pytest.approx(1.5)
    assert flow_warp(x, flow, padding_mode='border')[0, 0, 0, 2] == 3.0


def test_gradcheck_features_and_flow():
    torch.manual_seed(0)
    x = torch.randn(1, 2, 5, 6, dtype=torch.float64, requires_grad=True)
    # keep sample points off the integer lattice (bilinear kinks)
    flow = (torch.rand(1, 2, 5, 6, dtype=torch.float64) * 0.8 + 0.1
            ) * torch.tensor([1.0, -1.0], dtype=torch.float64).view(1, 2, 1,
                                                                     1)
    flow = (flow * 1.7).requires_grad_(True)
    assert torch.autograd.gradcheck(
        lambda a, b: flow_warp(a, b), (x, flow), eps=1e-6, atol=1e-5)
    assert torch.autograd.gradcheck(
        lambda a, b: flow_warp(a, b, padding_mode='border'), (x, flow),
        eps=1e-6, atol=1e-5)


def test_module_from_registry_and_bad_input():
    warp = MODELS.build(dict(type='FlowWarp', padding_mode='border'))
    assert isinstance(warp, FlowWarp)
    x = torch.randn(1, 2, 4, 4)
    flow = torch.full((1, 2, 4, 4), 9.0)
    assert torch.equal(warp(x, flow), x[:, :, 3:, 3:].expand_as(x))
    with pytest.raises(ValueError, match='flow'):
        flow_warp(x, torch.zeros(1, 2, 3, 4))
    with pytest.raises(ValueError, match='padding_mode'):
        FlowWarp(padding_mode='reflection')


def fresh_pad_warp(x, flow, padding_mode):
    """flow_warp with a fresh padded copy (the path gradients take)."""
    return flow_warp(x.detach().requires_grad_(), flow,
                     padding_mode=padding_mode).detach()


@pytest.mark.parametrize('padding_mode', ['zeros', 'border'])
def test_inference_workspace_gives_the_fresh_pad_results(padding_mode):
    # 7 x 11 pads to 9 x 17 (both margins); the workspace is reused across
    # calls and both modes' buffers live side by side:
    # a border call must not leave its margin in a zeros buffer, and a
    # second input must not see the first
    gen = torch.Generator().manual_seed(0)
    flows = [torch.randn(1, 2, 7, 11, generator=gen) * 4 for _ in range(2)]
    xs = [torch.randn(1, 3, 7, 11, generator=gen) + 5 for _ in range(3)]
    other = 'border' if padding_mode == 'zeros' else 'zeros'
    with torch.no_grad():
        for i, x in enumerate(xs):
            flow_warp(x * -1, flows[i % 2], padding_mode=other)
            got = flow_warp(x, flows[i % 2], padding_mode=padding_mode)
            want = fresh_pad_warp(x, flows[i % 2], padding_mode)
            assert torch.equal(got, want)
    # flows into the padded margin (1.5 px) and past it (30 px) read zeros,
    # or the edge values
    for shift in (1.5, 30.0):
        with torch.no_grad():
            out = flow_warp(xs[0], torch.full((1, 2, 7, 11), shift),
                            padding_mode=padding_mode)
        corner = out[:, :, -1, -1]
        if padding_mode == 'zeros':
            assert torch.equal(corner, torch.zeros_like(corner))
            if shift > 2:
                assert torch.equal(out, torch.zeros_like(out))
        else:
            assert torch.equal(corner, xs[0][:, :, -1, -1])
            if shift > 2:
                assert torch.equal(out,
                                   xs[0][:, :, -1:, -1:].expand_as(out))


def test_gradients_do_not_read_a_reused_workspace():
    # with a gradient to compute, the warp pads a fresh copy: a later call
    # on other features must not change this call's flow gradient
    torch.manual_seed(0)
    x1, x2 = torch.randn(1, 3, 9, 11), torch.randn(1, 3, 9, 11)
    flow = (torch.randn(1, 2, 9, 11) * 2).requires_grad_()
    out = flow_warp(x1, flow)
    flow_warp(x2, flow.detach())  # inference call, same shape
    out.sum().backward()
    want_flow = flow.detach().clone().requires_grad_()
    flow_warp(x1, want_flow).sum().backward()
    assert torch.equal(flow.grad, want_flow.grad)


def test_workspace_is_per_thread():
    import sys
    import threading
    module = sys.modules['aten_mm.models.layers.flow_warp']
    x, flow = torch.randn(1, 2, 5, 7), torch.zeros(1, 2, 5, 7)
    with torch.no_grad():
        flow_warp(x, flow)
    mine = dict(module._workspace.slots)
    seen = []

    def other():
        with torch.no_grad():
            flow_warp(x, flow)
        seen.append(module._workspace.slots)

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert len(seen) == 1 and seen[0] is not module._workspace.slots
    key = next(iter(seen[0]))
    assert seen[0][key] is not mine[key]


@pytest.mark.filterwarnings('ignore::torch.jit.TracerWarning')
def test_traced_warp_does_not_use_the_workspace():
    # tracing (the ONNX export) pads a fresh copy: the workspace filled by
    # an earlier inference call is neither read nor extended, and the
    # traced graph serves another batch size
    import sys
    module = sys.modules['aten_mm.models.layers.flow_warp']
    torch.manual_seed(0)
    x1, flow1 = torch.randn(1, 3, 7, 11), torch.randn(1, 2, 7, 11)
    with torch.no_grad():
        flow_warp(x1, flow1)
        before = dict(module._workspace.slots)
        traced = torch.jit.trace(flow_warp, (x1, flow1), check_trace=False)
        after = module._workspace.slots
        assert after.keys() == before.keys()
        assert all(after[k] is before[k] for k in before)
        x2, flow2 = torch.randn(2, 3, 7, 11), torch.randn(2, 2, 7, 11)
        want = fresh_pad_warp(x2, flow2, 'zeros')
        assert torch.equal(traced(x2, flow2), want)
