"""Strict JSON (NaN -> null) and UTF-8 text files named on error."""
import json

import numpy as np
import pytest

from aten_mm.utils.text_io import dump_json, finite_or_none, read_text


def test_dump_json_writes_null_for_undefined_scores(tmp_path):
    scores = dict(mIoU=51.5, APr=float('nan'), per=[1.0, float('inf')],
                  n=np.float64('nan'), k=np.int64(3), t=(float('-inf'), 2))
    path = str(tmp_path / 's.json')
    dump_json(scores, path)
    text = open(path).read()
    assert 'NaN' not in text and 'Infinity' not in text
    assert json.loads(text) == dict(mIoU=51.5, APr=None, per=[1.0, None],
                                    n=None, k=3, t=[None, 2])
    assert finite_or_none(2.5) == 2.5 and finite_or_none('nan') == 'nan'


def test_read_text_names_a_file_that_is_not_utf8(tmp_path):
    good = tmp_path / 'a.txt'
    good.write_text('videos1/000000000001\n', encoding='utf-8')
    assert read_text(str(good)) == 'videos1/000000000001\n'
    bad = tmp_path / 'b.txt'
    bad.write_bytes(b'videos1/\xff\xfe\n')
    with pytest.raises(ValueError, match=r'b\.txt is not UTF-8 text'):
        read_text(str(bad))
