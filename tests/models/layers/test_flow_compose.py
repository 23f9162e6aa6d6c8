import torch

from aten_mm.models.layers import compose_flows, flow_warp


def constant_flow(dx, dy, n=1, h=9, w=11):
    flow = torch.empty(n, 2, h, w)
    flow[:, 0], flow[:, 1] = dx, dy
    return flow


def test_two_translations_compose_to_their_sum():
    # content at x in a is at x + (2, -1) in b and at x + (2, -1) + (1, 3)
    # in c: a pure translation composes to the direct flow exactly
    flow, scale = compose_flows(constant_flow(2, -1), constant_flow(1, 3))
    torch.testing.assert_close(flow, constant_flow(3, 2), rtol=0, atol=0)
    assert scale is None


def test_composed_flow_warps_like_two_warps_in_turn():
    # warping c by the composed flow == warping c into b, then b into a
    # (interior pixels; integer flows make both exact shifts)
    gen = torch.Generator().manual_seed(0)
    c = torch.randn(1, 4, 9, 11, generator=gen)
    f_ab, f_bc = constant_flow(1, 0), constant_flow(0, 2)
    flow_ac, _ = compose_flows(f_ab, f_bc)
    once = flow_warp(c, flow_ac)
    twice = flow_warp(flow_warp(c, f_bc), f_ab)
    torch.testing.assert_close(once[..., :6, :9], twice[..., :6, :9])


def test_second_flow_is_read_at_the_displaced_position():
    # b -> c moves only the column x = 4; a -> b maps x to x + 1, so the
    # composed flow picks that motion up at x = 3 (3 + 1 = 4), not at x = 4
    f_bc = constant_flow(0, 0)
    f_bc[:, 1, :, 4] = 5.0
    flow, _ = compose_flows(constant_flow(1, 0), f_bc)
    assert torch.all(flow[0, 1, :, 3] == 5.0)
    assert torch.all(flow[0, 1, :, 4] == 0.0)
    assert torch.all(flow[0, 0] == 1.0)


def test_scale_fields_multiply_at_the_displaced_position():
    s_ab = torch.full((1, 3, 9, 11), 2.0)
    s_bc = torch.ones(1, 3, 9, 11)
    s_bc[..., 6] = 4.0
    _, scale = compose_flows(constant_flow(1, 0), constant_flow(0, 0),
                             s_ab, s_bc)
    assert torch.all(scale[..., 5] == 8.0)
    assert torch.all(scale[..., 6] == 2.0)
