"""Helpers of the demo tests: the tiny config, video reading."""
import os.path as osp

import cv2

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG = osp.join(REPO, 'configs', 'parsing_rcnn',
                  'parsing-rcnn_tiny_synthetic.py')


def read_video(path):
    """All frames and the fps of a video file."""
    cap = cv2.VideoCapture(path)
    fps = cap.get(cv2.CAP_PROP_FPS)
    frames = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        frames.append(frame)
    cap.release()
    return frames, fps
