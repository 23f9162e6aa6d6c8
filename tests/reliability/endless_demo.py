"""Run ``demo/video_demo.py`` on an input that never ends (a test helper).

``python endless_demo.py NOTIFY_FD DEMO_ARGS...``

The frame source replays the input video forever and reports no length
(as a live stream does), so the demo cannot finish before the test
interrupts it. After every output frame the video writer has taken, one
byte is written to the file descriptor ``NOTIFY_FD``: the test waits for
those bytes instead of sleeping. SIGINT gets Python's default handler
whatever the parent ignored (a shell's background job inherits SIGINT
ignored, and Python keeps an ignored SIGINT ignored).
"""
import itertools
import os
import os.path as osp
import runpy
import signal
import sys

signal.signal(signal.SIGINT, signal.default_int_handler)

from aten_mm.apis.video_io import (  # noqa: E402
    AtomicVideoWriter,
    FrameSource,
)

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def make_endless(notify_fd):
    """Patch FrameSource (endless, no length) and the writer (notify)."""
    init, iterate, write = (FrameSource.__init__, FrameSource.__iter__,
                            AtomicVideoWriter.write)

    def endless_init(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.num_frames = None  # unknown length, like a live stream

    def endless_iter(self):
        frames = []
        for index, frame in iterate(self):
            frames.append(frame)
            yield index, frame
        for index in itertools.count(len(frames)):
            yield index, frames[index % len(frames)]

    def notifying_write(self, frame):
        write(self, frame)
        os.write(notify_fd, b'.')

    FrameSource.__init__ = endless_init
    FrameSource.__iter__ = endless_iter
    AtomicVideoWriter.write = notifying_write


if __name__ == '__main__':
    make_endless(int(sys.argv[1]))
    demo = osp.join(REPO, 'demo', 'video_demo.py')
    sys.argv = [demo] + sys.argv[2:]
    runpy.run_path(demo, run_name='__main__')
