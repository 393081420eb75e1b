"""What a file that is not a picture really is, told from its bytes, never from its name or
the type the browser claimed. Only kinds people share in a forum are taken: PDF, Office and
OpenDocument files, CSV and plain text. Everything is served as a download."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from forum.storage import UploadRefused

# Checked from the zip's directory, nothing extracted: a few kilobytes may claim gigabytes.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 200  # real documents squeeze 2-20 times; a zip bomb a thousand and more
MAX_MEMBERS = 10_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Document:
    extension: str
    content_type: str
    label: str = ""  # what a reader calls it, on the file's card in a post


PDF = Document("pdf", "application/pdf", "PDF")
# Office Open XML: the one part each kind must have.
OOXML = {"word/document.xml": Document("docx", "application/vnd.openxmlformats-officedocument."
                                               "wordprocessingml.document", "Word document"),
         "xl/workbook.xml": Document("xlsx", "application/vnd.openxmlformats-officedocument."
                                            "spreadsheetml.sheet", "Excel spreadsheet"),
         "ppt/presentation.xml": Document("pptx", "application/vnd.openxmlformats-officedocument."
                                                 "presentationml.presentation", "PowerPoint slides")}
ODF = {f"application/vnd.oasis.opendocument.{kind}": Document(
    ext, f"application/vnd.oasis.opendocument.{kind}", f"OpenDocument {kind}")
       for kind, ext in (("text", "odt"), ("spreadsheet", "ods"), ("presentation", "odp"))}
# Old Office files share one container (OLE); which program made one the name tells.
OLE = {"doc": Document("doc", "application/msword", "Word document"),
       "xls": Document("xls", "application/vnd.ms-excel", "Excel spreadsheet"),
       "ppt": Document("ppt", "application/vnd.ms-powerpoint", "PowerPoint slides")}
PLAIN_TEXT = Document("txt", "text/plain; charset=utf-8", "Text")
TEXT = {"csv": Document("csv", "text/csv; charset=utf-8", "CSV table"), "txt": PLAIN_TEXT, "md": PLAIN_TEXT}
LABELS = {d.content_type: d.label for d in (PDF, *OOXML.values(), *ODF.values(), *OLE.values(),
                                            *TEXT.values())}
KINDS = "PDF, Word, Excel, PowerPoint, OpenDocument, CSV or plain text"


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def identify(data: bytes, name: str) -> Document:
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _zipped(data)
    if data.startswith(OLE_MAGIC):
        if extension_of(name) in OLE:
            return OLE[extension_of(name)]
        raise UploadRefused("That looks like an old Office file; name it .doc, .xls or .ppt.")
    return _text(data, name)


def _zipped(data: bytes) -> Document:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadRefused("That file is damaged: it starts like a zip but is not one.") from None
    unpacked = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if len(members) > MAX_MEMBERS or unpacked > MAX_UNPACKED_BYTES or unpacked / packed > MAX_RATIO:
        raise UploadRefused("That file unpacks to far more than its size (a zip bomb?); it was not kept.")
    names = {m.filename for m in members}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise UploadRefused("Office files with macros are not taken: save it without them and try again.")
    if "[Content_Types].xml" in names:
        for part, document in OOXML.items():
            if part in names:
                return document
    if "mimetype" in names and archive.getinfo("mimetype").file_size < 100:
        kind = archive.read("mimetype").decode("ascii", "replace").strip()
        if kind in ODF:
            return ODF[kind]
    raise UploadRefused(f"Zip archives are not taken; send a {KINDS} file.")


def _text(data: bytes, name: str) -> Document:
    extension = extension_of(name)
    if b"<svg" in data[:4096].lower():
        raise UploadRefused("SVG pictures are not taken: they can carry scripts. Send a PNG or JPEG.")
    if extension not in TEXT:
        raise UploadRefused(f"That is not a file the forum takes (whatever its name says). "
                            f"Send a JPEG, PNG, WebP or GIF picture, or a {KINDS} file.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UploadRefused("Text files must be UTF-8; save it as UTF-8 and try again.") from None
    if "\x00" in text:
        raise UploadRefused("That is not a text file: it holds NUL characters.")
    return TEXT[extension]
