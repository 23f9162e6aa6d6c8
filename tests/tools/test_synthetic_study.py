"""The synthetic study in parts: subsets from the set's frame flags, the
merge of per-seed results (mean / std by hand, each claim both ways), and
one tiny part run end to end by the tool, then merged."""
import importlib.util
import json
import math
import os
import os.path as osp
import subprocess
import sys

import pytest

from aten_mm.utils.benchmark import study

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
TOOL = osp.join(REPO, 'tools', 'analysis_tools', 'synthetic_study.py')
NOTES = '<!-- notes: kept when the study rewrites this page -->'


# -- subsets -----------------------------------------------------------------
def test_subsets_from_v2_frame_flags():
    meta = dict(hard_kinds={'3': ['occluder'], '5': ['motion_blur'],
                            '7': ['occluder', 'noise'], '8': ['defocus']})
    subsets = study.frame_subsets({'v': meta}, {'v': [1, 3, 5, 7, 9]})
    assert subsets['all'] == {'v': [1, 3, 5, 7, 9]}
    assert subsets['hard'] == {'v': [3, 5, 7]}  # 8 is not annotated
    assert subsets['clean'] == {'v': [1, 9]}
    assert subsets['occluder'] == {'v': [3, 7]}
    assert subsets['noise'] == {'v': [7]}
    assert subsets['motion_blur'] == {'v': [5]}
    assert subsets['defocus'] == {} and subsets['low_light'] == {}
    assert list(subsets) == list(study.SUBSETS)


def test_subsets_from_an_older_meta_without_hard_kinds():
    metas = {'a': dict(degraded_frames=[2, 4],
                       degradation={'2': 'low_light', '4': 'noise'}),
             'b': dict(degraded_frames=[], occluded_frames=[6])}
    subsets = study.frame_subsets(metas, {'a': [2, 3], 'b': [5, 6]})
    assert subsets['hard'] == {'a': [2], 'b': [6]}
    assert subsets['clean'] == {'a': [3], 'b': [5]}
    assert subsets['low_light'] == {'a': [2]}
    assert subsets['occluder'] == {'b': [6]}
    assert subsets['noise'] == {}


def test_pick_metrics_and_evaluator_follow_the_subsets():
    subsets = dict(all={'v': [1, 2]}, hard={'v': [2]}, clean={})
    evaluator = study.subset_evaluator(subsets)
    assert [e['prefix'] for e in evaluator] == ['all', 'hard']
    assert evaluator[1]['frames'] == {'v': [2]}
    metrics = {'all/mIoU': 40.0, 'all/APr': 30.0, 'hard/mIoU': 20.0}
    picked = study.pick_metrics(metrics, subsets)
    assert picked['all']['mIoU'] == 40.0 and picked['all']['num_frames'] == 2
    assert picked['hard']['APr'] is None  # not reported
    assert picked['clean'] == dict.fromkeys(study.METRICS) | dict(
        num_frames=0)


# -- merge ----------------------------------------------------------------
SET = dict(num_videos=3, seed=0)


def write_run(folder, model, seed, all_miou, hard_miou, iters=10,
              fps=5.0, train_min=1.0):
    path = osp.join(folder, model, f'seed_{seed}.json')
    os.makedirs(osp.dirname(path), exist_ok=True)
    metrics = dict(
        all=dict(mIoU=all_miou, APr=50.0, APr_vol=None,
                 APr_vol_nanmean=10.0, num_frames=8),
        hard=dict(mIoU=hard_miou, APr=40.0, APr_vol=None,
                  APr_vol_nanmean=8.0, num_frames=3))
    with open(path, 'w') as f:
        json.dump(dict(model=model, seed=seed, metrics=metrics, set=SET,
                       iters=iters, fps=fps, train_min=train_min,
                       eval_min=0.5, command=f'part {model} {seed}',
                       machine='test machine', date='today'), f)
    return path


def claims_of(merged):
    return {c['claim']: c['verdict'] for c in merged['claims']}


def test_merge_mean_std_and_claims_yes(tmp_path):
    runs = str(tmp_path)
    # hard mIoU per seed: per-frame 10/12/14 (mean 12, std 2), aten
    # 20/22/24 (mean 22, std 2): ahead by 10 > 2 x 2
    for seed, (pf, at) in enumerate([(10, 20), (12, 22), (14, 24)]):
        write_run(runs, 'per-frame', seed, 30.0, pf)
        write_run(runs, 'aten', seed, [40.0, 41.0, 45.0][seed], at,
                  fps=[4.0, 5.0, 9.0][seed])
    write_run(runs, 'dff', 0, 39.0, 15.0)
    write_run(runs, 'aten-avg', 0, 38.0, 15.0)
    write_run(runs, 'aten-noalign', 0, 41.0, 15.0)
    write_run(runs, 'aten-efficient', 0, 41.5, 15.0)
    merged = study.merge_runs(study.load_runs(runs))
    s = merged['summary']
    # all-frame mIoU of aten 40, 41, 45: mean 42, std sqrt((4+1+9)/2)
    assert s['aten']['all']['mIoU']['mean'] == pytest.approx(42.0)
    assert s['aten']['all']['mIoU']['std'] == pytest.approx(math.sqrt(7))
    assert s['aten']['fps'] == dict(mean=pytest.approx(6.0),
                                    std=pytest.approx(math.sqrt(7)), n=3)
    assert s['per-frame']['hard']['mIoU'] == dict(mean=12.0, std=2.0, n=3)
    assert s['dff']['all']['mIoU'] == dict(mean=39.0, std=None, n=1)
    assert s['aten']['all']['APr_vol'] == dict(mean=None, std=None, n=0)
    # every seed's numbers kept as plain keys
    assert merged['results']['aten']['2']['hard']['mIoU'] == 24
    assert merged['runs']['dff']['0']['command'] == 'part dff 0'
    assert list(merged['results'])[:2] == ['per-frame', 'dff']
    assert merged['cpu_min'] == pytest.approx(10 * 1.5)
    assert claims_of(merged) == {
        'ATEN ahead of per-frame on hard frames by more than 2 std': 'yes',
        'ATEN >= DFF': 'yes',
        'convGRU better than averaging': 'yes',
        'flow alignment better than none': 'yes',
        'efficient ATEN within 1 point of faithful': 'yes'}
    merged.update(merge_command='merge', date='today')
    page = study.markdown(merged)
    assert '| aten | 3 | 1.0 ± 0.0 | 42.0 ± 2.6 |' in page
    assert '| dff | 1 | 1.0 | 39.0 |' in page
    assert 'difference 10.0, 2 std 4.0' in page
    assert study.SCHEMA in page


def test_merge_claims_no_and_not_answerable(tmp_path):
    runs = str(tmp_path)
    # aten ahead on hard frames by 3 < 2 x 2; DFF, averaging and no
    # alignment better; efficient 1.5 points behind
    for seed, (pf, at) in enumerate([(10, 13), (12, 15), (14, 17)]):
        write_run(runs, 'per-frame', seed, 30.0, pf)
        write_run(runs, 'aten', seed, 40.0, at)
    write_run(runs, 'dff', 0, 40.5, 15.0)
    write_run(runs, 'aten-avg', 0, 40.0, 15.0)  # equal is not better
    write_run(runs, 'aten-efficient', 0, 38.5, 15.0)
    merged = study.merge_runs(study.load_runs(runs))
    assert claims_of(merged) == {
        'ATEN ahead of per-frame on hard frames by more than 2 std': 'no',
        'ATEN >= DFF': 'no',
        'convGRU better than averaging': 'no',
        'flow alignment better than none': 'n/a',  # no aten-noalign run
        'efficient ATEN within 1 point of faithful': 'no'}
    # one seed each: no std, the first claim cannot be answered
    one = [r for r in study.load_runs(runs) if r['seed'] == 0]
    assert claims_of(study.merge_runs(one))[
        'ATEN ahead of per-frame on hard frames by more than 2 std'] == 'n/a'


def test_merge_keeps_checkpoint_starts_apart(tmp_path):
    runs = str(tmp_path)
    write_run(runs, 'per-frame', 0, 30.0, 10.0)
    path = write_run(runs, 'aten', 0, 40.0, 20.0)

    def set_init(file, init):
        with open(file) as f:
            record = json.load(f)
        record['init'] = init
        with open(file, 'w') as f:
            json.dump(record, f)

    # the ordinary study: per-frame from scratch, video from it
    set_init(osp.join(runs, 'per-frame', 'seed_0.json'), 'scratch')
    set_init(path, 'per-frame seed 0')
    merged = study.merge_runs(study.load_runs(runs))
    merged.update(merge_command='merge', date='today')
    assert '- start: the per-frame model from random weights' in \
        study.markdown(merged)
    # a part started from a trained checkpoint is not mixed with them
    set_init(path, 'checkpoint pf.pth')
    with pytest.raises(ValueError, match='different starts'):
        study.merge_runs(study.load_runs(runs))
    # nor with a part started from another checkpoint
    set_init(osp.join(runs, 'per-frame', 'seed_0.json'), 'checkpoint x.pth')
    with pytest.raises(ValueError, match='different starts'):
        study.merge_runs(study.load_runs(runs))
    # every part from the same checkpoint: one study
    set_init(osp.join(runs, 'per-frame', 'seed_0.json'), 'checkpoint pf.pth')
    merged = study.merge_runs(study.load_runs(runs))
    assert merged['runs']['aten']['0']['init'] == 'checkpoint pf.pth'
    merged.update(merge_command='merge', date='today')
    assert ('- start: every run, the per-frame model too, fine-tuned from '
            'pf.pth') in study.markdown(merged)


def test_merge_refuses_runs_of_other_budgets(tmp_path):
    write_run(str(tmp_path), 'aten', 0, 40.0, 20.0, iters=10)
    odd = write_run(str(tmp_path), 'dff', 0, 40.0, 20.0, iters=20)
    with pytest.raises(ValueError, match='dff.*iters'):
        study.merge_runs(study.load_runs(str(tmp_path)))
    os.remove(odd)
    with open(odd, 'w') as f:
        json.dump(dict(model='dff'), f)
    with pytest.raises(ValueError, match='not a study run'):
        study.load_runs(str(tmp_path))
    with pytest.raises(FileNotFoundError, match='no per-run results'):
        study.load_runs(str(tmp_path / 'empty'))


# -- the start of a part ----------------------------------------------------
def load_tool():
    spec = importlib.util.spec_from_file_location('synthetic_study', TOOL)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_part_start_of_each_model_and_option(tmp_path):
    tool = load_tool()
    det, flow = tmp_path / 'pf.pth', tmp_path / 'flow.pth'
    write_detector_checkpoint(det)
    flow.write_bytes(b'x')
    work = str(tmp_path / 'work')

    def start(model, *extra):
        args = tool.parse_args(['--model', model, '--work-dir', work,
                                *extra])
        name, config = tool.resolve_model(model)
        return tool.part_start(args, name, config, 1)

    # the per-frame model: random weights, or fine-tuned from the checkpoint
    assert start('per-frame') == ('scratch', {})
    assert start('per-frame', '--detector-checkpoint', str(det)) == (
        'checkpoint pf.pth', dict(load_from=str(det)))
    # a video model: its detector from the checkpoint (--init not used),
    # its FlowNet-S from --flow-checkpoint
    pretrained = dict(type='Pretrained')
    assert start('aten', '--detector-checkpoint', str(det), '--init',
                 'scratch', '--flow-checkpoint', str(flow)) == (
        'checkpoint pf.pth', dict(model=dict(
            detector=dict(init_cfg=dict(pretrained, checkpoint=str(det))),
            motion=dict(init_cfg=dict(pretrained, checkpoint=str(flow))))))
    assert start('dff', '--init', 'scratch') == ('scratch', {})
    assert start('dff', '--init', 'scratch', '--flow-checkpoint',
                 str(flow)) == ('scratch', dict(model=dict(motion=dict(
                     init_cfg=dict(pretrained, checkpoint=str(flow))))))
    # the default: the per-frame part of the same seed, which must exist
    with pytest.raises(FileNotFoundError, match='--model per-frame --seed 1'):
        start('dff')
    part = tool.part_file(work, 'per-frame', 1)
    os.makedirs(osp.dirname(part))
    with open(part, 'w') as f:
        json.dump(dict(checkpoint='/w/pf1.pth'), f)
    assert start('dff') == ('per-frame seed 1', dict(model=dict(
        detector=dict(init_cfg=dict(pretrained, checkpoint='/w/pf1.pth')))))
    # run_overrides puts the start at the top level of the run config
    args = tool.parse_args(['--model', 'per-frame', '--work-dir', work])
    over = tool.run_overrides(args, 0, dict(all={'v': [1]}),
                              dict(load_from='/w/pf.pth'))
    assert over['load_from'] == '/w/pf.pth' and 'model' not in over


def test_main_video_models_are_scored_at_every_key_distance():
    """The study set labels every k-th frame; a key interval l sharing a
    factor with k scores only some key distances (l = k: key frames only,
    the former dff, now dff-l5)."""
    from aten_mm.apis.config import load_config
    tool = load_tool()
    k = tool.STUDY_SET['annotate_every']
    intervals = {}
    for name in study.STUDY_MODELS:
        model = load_config(osp.join(REPO, study.STUDY_MODELS[name]),
                            check_keys=False).model
        intervals[name] = model.get('key_interval', 1)
    for name in study.MAIN_MODELS:
        assert math.gcd(intervals[name], k) == 1, name
    # the labelled frames 0, k, 2k, ... meet every position of a segment
    positions = {(i * k) % intervals['dff'] for i in range(intervals['dff'])}
    assert positions == set(range(intervals['dff'])) and len(positions) > 1
    assert intervals['dff-l5'] == k  # the row that scores keys only


def write_detector_checkpoint(path, prefixes=None):
    """A checkpoint with one weight under each of ``prefixes`` (default:
    the per-frame Parsing R-CNN's modules)."""
    import torch
    prefixes = prefixes or ('backbone.', 'neck.', 'rpn_head.', 'roi_head.',
                            'parsing_head.')
    torch.save(dict(state_dict={f'{p}w': torch.zeros(1) for p in prefixes},
                    meta={}), str(path))


def test_a_missing_detector_checkpoint_is_one_error(tmp_path):
    missing = str(tmp_path / 'nope.pth')
    out = run_tool('--model', 'per-frame', '--work-dir', str(tmp_path),
                   '--detector-checkpoint', missing)
    assert out.returncode == 2 and 'Traceback' not in out.stderr
    assert f'--detector-checkpoint: {missing} does not exist' in out.stderr


def test_a_detector_checkpoint_that_is_not_a_parsing_rcnn_is_refused(
        tmp_path):
    tool = load_tool()
    good = tmp_path / 'pf.pth'
    write_detector_checkpoint(good)
    assert tool.detector_checkpoint_problem(str(good)) == ''
    # a FlowNet-S checkpoint: none of the detector's modules
    flow = tmp_path / 'flow.pth'
    write_detector_checkpoint(flow, ('conv1.', 'predict_flow6.'))
    problem = tool.detector_checkpoint_problem(str(flow))
    assert 'not a per-frame Parsing R-CNN' in problem
    assert 'backbone.*' in problem and 'parsing_head.*' in problem
    # a detector without the parsing branch: only that one is named
    det = tmp_path / 'det.pth'
    write_detector_checkpoint(det, ('backbone.', 'neck.', 'rpn_head.',
                                    'roi_head.'))
    problem = tool.detector_checkpoint_problem(str(det))
    assert 'parsing_head.*' in problem and 'backbone.*' not in problem
    # not a checkpoint at all
    junk = tmp_path / 'junk.pth'
    junk.write_bytes(b'x')
    assert 'cannot be read' in tool.detector_checkpoint_problem(str(junk))
    # on the command line: one error naming the file, no traceback
    out = run_tool('--model', 'per-frame', '--work-dir', str(tmp_path),
                   '--detector-checkpoint', str(flow))
    assert out.returncode == 2 and 'Traceback' not in out.stderr
    assert f'--detector-checkpoint: {flow} is not a per-frame' in out.stderr


# -- one part end to end -------------------------------------------------
TINY_SET = dict(num_videos=3, num_frames=12, size=[96, 64], annotate_every=2,
                degrade_ratio=0.5)


def run_tool(*args):
    return subprocess.run([sys.executable, TOOL, *args],
                          capture_output=True, text=True, cwd=REPO)


def test_one_part_then_merge(tmp_path):
    work, data = str(tmp_path / 'work'), str(tmp_path / 'data')
    common = ['--work-dir', work, '--data-root', data]
    part = run_tool('--model', 'per-frame', '--seed', '3', '--iters', '2',
                    '--fps-frames', '3', '--fps-warmup', '1',
                    '--fps-rounds', '1',
                    '--set-args', json.dumps(TINY_SET), *common)
    assert part.returncode == 0, part.stderr[-3000:]
    with open(osp.join(work, 'runs', 'per-frame', 'seed_3.json')) as f:
        record = json.load(f)
    assert record['seed'] == 3 and record['iters'] == 2
    assert record['fps'] > 0 and osp.isfile(record['checkpoint'])
    # every subset evaluated on exactly its frames, read from the meta
    # files independently of the tool (VIP ids 1, 3, ... are annotated)
    with open(osp.join(data, 'summary.json')) as f:
        val = json.load(f)['splits']['val']
    hard = clean = 0
    for video in val:
        with open(osp.join(data, 'meta', f'{video}.json')) as f:
            flags = set(json.load(f)['hard_frames'])
        annotated = set(range(1, TINY_SET['num_frames'] + 1, 2))
        hard += len(annotated & flags)
        clean += len(annotated - flags)
    m = record['metrics']
    assert (m['hard']['num_frames'], m['clean']['num_frames']) == (hard,
                                                                   clean)
    assert m['all']['num_frames'] == hard + clean and hard > 0
    assert 0 <= m['all']['mIoU'] <= 100
    # the same part again is refused, the result kept
    again = run_tool('--model', 'per-frame', '--seed', '3', *common)
    assert again.returncode == 1
    assert 'error:' in again.stderr and '--overwrite' in again.stderr
    # --retime: the fps of the finished parts timed again (2 rounds), the
    # rest of the result kept
    retimed = run_tool('--retime', '--fps-frames', '3', '--fps-warmup', '1',
                       '--fps-rounds', '2', *common)
    assert retimed.returncode == 0, retimed.stderr[-3000:]
    with open(osp.join(work, 'runs', 'per-frame', 'seed_3.json')) as f:
        after = json.load(f)
    assert len(after['fps_rounds']) == 2 and after['fps'] > 0
    assert after['fps'] == pytest.approx(sum(after['fps_rounds']) / 2)
    assert {k: v for k, v in after.items() if not k.startswith('fps')} == {
        k: v for k, v in record.items() if not k.startswith('fps')}
    record = after
    # a video model without its per-frame start is refused
    dff = run_tool('--model', 'dff', '--seed', '0', '--set-args',
                   json.dumps(TINY_SET), *common)
    assert dff.returncode == 1 and '--model per-frame --seed 0' in dff.stderr
    # merge: JSON and page, the page's notes kept
    doc, out = tmp_path / 'study.md', tmp_path / 'study.json'
    doc.write_text('stale table\n' + NOTES + '\nhand notes\n')
    merged = run_tool('--merge', '--doc', str(doc), '--json', str(out),
                      *common)
    assert merged.returncode == 0, merged.stderr[-3000:]
    record_merged = json.loads(out.read_text())
    assert record_merged['results']['per-frame']['3'] == record['metrics']
    page = doc.read_text()
    assert 'hand notes' in page and 'stale table' not in page
    assert '| per-frame | 1 |' in page
