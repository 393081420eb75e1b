"""Files to upload, good and bad, made here so the tests say exactly what each one is."""

from __future__ import annotations

import io
import zipfile

from PIL import Image

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg(size: tuple[int, int] = (400, 200), *, gps: bool = False, rotated: bool = False) -> bytes:
    """A photo; with `gps`, where it was taken; with `rotated`, EXIF says "turn me 90°"."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    if gps:
        exif[GPS_IFD] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}
    if rotated:
        exif[ORIENTATION] = 6
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"camera serial 1234")
    return out.getvalue()


def png(size: tuple[int, int] = (64, 48), mode: str = "RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, 0).save(out, "PNG")
    return out.getvalue()


def gif() -> bytes:
    out = io.BytesIO()
    Image.new("P", (20, 10), 1).save(out, "GIF")
    return out.getvalue()


def zipped(members: dict[str, bytes], *, stored_first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), members.pop(stored_first))
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    return zipped({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>",
                   **(extra or {})})


def xlsx() -> bytes:
    return zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def odt() -> bytes:
    return zipped({"mimetype": b"application/vnd.oasis.opendocument.text",
                   "content.xml": b"<office:document-content/>"}, stored_first="mimetype")


def zip_bomb() -> bytes:
    """An OOXML file whose one part unpacks to 20 MB of zeros from some 20 KB."""
    return docx({"word/media/huge.xml": bytes(20 * 1024 * 1024)})


OLE_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">'
       b'<script>alert(document.cookie)</script></svg>')
