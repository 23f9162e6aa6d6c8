from aten_mm.utils.user_error import problem_list


def test_problem_list_puts_each_problem_on_an_indented_line():
    assert problem_list('2 video(s) could not be extracted:',
                        ['a.mp4: bad', 'b.mp4: empty']) == (
                            '2 video(s) could not be extracted:\n'
                            '  a.mp4: bad\n'
                            '  b.mp4: empty')
    # one problem: still on a line of its own
    assert problem_list('head:', iter(['x'])) == 'head:\n  x'
