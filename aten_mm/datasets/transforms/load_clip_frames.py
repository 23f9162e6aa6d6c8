"""Load every frame of a clip (docs/interfaces.md "A clip sample")."""
import io
from typing import Optional

import mmcv
import numpy as np
from mmcv.transforms import BaseTransform
from mmengine import fileio
from PIL import Image

from aten_mm.registry import TRANSFORMS


def load_image(path: str, flag: str = 'color', backend: str = 'cv2',
               backend_args: Optional[dict] = None) -> np.ndarray:
    """Read one image; errors name the file.

    Args:
        path (str): Image file.
        flag (str): mmcv ``imfrombytes`` flag (``'color'``,
            ``'unchanged'``...).
        backend (str): Decoding backend. Defaults to ``'cv2'``.
        backend_args (dict | None): mmengine file backend arguments.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 BGR for ``'color'``; ``(H, W)`` or
        ``(H, W, C)`` for ``'unchanged'``.

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: The file is empty, truncated (JPEG) or cannot be
            decoded as an image.
    """
    if path is None:
        raise FileNotFoundError('image path is None (no file for this '
                                'frame)')
    try:
        data = fileio.get(path, backend_args=backend_args)
    except FileNotFoundError as e:
        raise FileNotFoundError(f'image file not found: {path}') from e
    if not data:
        raise ValueError(f'image file is empty (0 bytes): {path}')
    try:
        img = mmcv.imfrombytes(data, flag=flag, backend=backend)
    except Exception as e:  # cv2.error, PIL errors: not an image
        raise ValueError(f'cannot decode image file: {path} '
                         f'({type(e).__name__})') from None
    if img is None:
        raise ValueError(f'cannot decode image file: {path}')
    if _jpeg_truncated(data):
        raise ValueError(f'image file is truncated (its JPEG data ends '
                         f'before the end-of-image marker): {path}')
    return img


def _jpeg_truncated(data: bytes) -> bool:
    """Whether JPEG bytes stop before their end-of-image marker.

    OpenCV decodes a truncated JPEG without an error (grey below the cut).
    A complete JPEG ends with the EOI marker ``FF D9``; when it does not
    (bytes after EOI are legal, if rare), PIL, which refuses truncated
    data, decides.
    """
    if data[:2] != b'\xff\xd8':
        return False
    if data.rstrip(b'\x00')[-2:] == b'\xff\xd9':
        return False
    try:
        with Image.open(io.BytesIO(data)) as img:
            img.load()
    except OSError:
        return True
    return False


@TRANSFORMS.register_module()
class LoadClipFrames(BaseTransform):
    """Load the frames of ``results['frame_paths']`` (all of one size).

    Required keys: ``frame_paths`` (aligned with ``clip_frame_indices``),
    ``clip_frame_indices``, ``frame_index``.

    Added keys: ``imgs`` (list of ``(H, W, 3)`` uint8 BGR, ascending frame
    index), ``target_pos`` (position of the target frame in ``imgs``),
    ``img_shape``, ``ori_shape`` (``(H, W)``).

    Args:
        color_type (str): mmcv decoding flag. Defaults to ``'color'``.
        imdecode_backend (str): Defaults to ``'cv2'``.
        backend_args (dict | None): mmengine file backend arguments.
    """

    def __init__(self,
                 color_type: str = 'color',
                 imdecode_backend: str = 'cv2',
                 backend_args: Optional[dict] = None):
        self.color_type = color_type
        self.imdecode_backend = imdecode_backend
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        """Load the clip.

        Args:
            results (dict): The item of a video dataset.

        Returns:
            dict: ``results`` with the frames.

        Raises:
            FileNotFoundError: A frame file is missing.
            ValueError: A frame differs in size from the clip's first one.
        """
        paths = results['frame_paths']
        imgs = []
        for path in paths:
            img = load_image(path, self.color_type, self.imdecode_backend,
                             self.backend_args)
            if imgs and img.shape[:2] != imgs[0].shape[:2]:
                raise ValueError(
                    f'frame {path} has size {img.shape[:2]} but frame '
                    f'{paths[0]} of the same video has size '
                    f'{imgs[0].shape[:2]}; all frames of a video must '
                    'have one size')
            imgs.append(img)
        results['imgs'] = imgs
        results['target_pos'] = list(results['clip_frame_indices']).index(
            results['frame_index'])
        results['img_shape'] = imgs[0].shape[:2]
        results['ori_shape'] = imgs[0].shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(color_type={self.color_type!r}, '
                f'imdecode_backend={self.imdecode_backend!r})')
