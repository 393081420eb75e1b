"""Pictures are decoded and drawn afresh: only pixels survive. Metadata (EXIF GPS, camera
serials, comments), anything hidden after the image data (a GIF with a web page appended) and
malformed chunks aimed at browsers' decoders are all left behind. Three sizes are made: the
full picture, a page-width copy and a thumbnail. CPU-bound: callers run it in a thread."""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from forum.storage import UploadRefused

# 40 megapixels decode to 160 MB of RGBA; past that a small file could exhaust memory
# (a "decompression bomb"). Checked from the header, before any pixel is decoded.
MAX_PIXELS = 40_000_000
DISPLAY_WIDTH = 1280  # the page's widest column, doubled for sharp screens would be too heavy
THUMBNAIL_SIZE = (320, 320)
# Pillow's decoders for the formats we take; nothing else is even tried (no SVG, no PSD...).
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
# What each becomes: a GIF keeps only its first frame, as a PNG.
OUTPUT = {"JPEG": ("JPEG", "jpg", "image/jpeg"), "PNG": ("PNG", "png", "image/png"),
          "WEBP": ("WEBP", "webp", "image/webp"), "GIF": ("PNG", "png", "image/png")}
MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


def looks_like_picture(data: bytes) -> bool:
    return data.startswith(MAGIC) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")


@dataclass(frozen=True)
class Rendition:
    data: bytes
    width: int
    height: int


@dataclass(frozen=True)
class Picture:
    extension: str
    content_type: str
    full: Rendition
    display: Rendition
    thumbnail: Rendition


def reencode(data: bytes) -> Picture:
    try:
        with Image.open(io.BytesIO(data), formats=FORMATS) as source:
            if source.width * source.height > MAX_PIXELS:
                raise UploadRefused(
                    f"That picture is {source.width}×{source.height} pixels; the forum takes at most "
                    f"{MAX_PIXELS // 1_000_000} megapixels. Make it smaller and try again.")
            kind = source.format or "PNG"
            source.seek(0)  # an animation's first frame
            source.load()
            picture = ImageOps.exif_transpose(source)  # turned the way the camera was held
    except UploadRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise UploadRefused("That picture could not be read: it is damaged, cut short or not "
                            "a JPEG, PNG, WebP or GIF.") from None
    save_as, extension, content_type = OUTPUT[kind]
    has_alpha = picture.mode in ("RGBA", "LA", "PA") or "transparency" in picture.info
    picture = picture.convert("RGBA" if has_alpha and save_as != "JPEG" else "RGB")
    picture.info = {}  # nothing of the original's metadata may ride along
    display = picture.copy()
    display.thumbnail((DISPLAY_WIDTH, DISPLAY_WIDTH * 4))
    thumbnail = picture.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    return Picture(extension, content_type, _encode(picture, save_as), _encode(display, save_as),
                   _encode(thumbnail, save_as))


def _encode(image: Image.Image, save_as: str) -> Rendition:
    out = io.BytesIO()
    options = {"quality": 85, "optimize": True} if save_as in ("JPEG", "WEBP") else {"optimize": True}
    image.save(out, save_as, **options)
    return Rendition(out.getvalue(), image.width, image.height)
