"""A posted form's fields, with bytes that are not UTF-8 kept as surrogate escapes.

Starlette reads such bytes as U+FFFD (urlencoded) or as Latin-1 (multipart), so garbled text
would be stored as if someone had typed it. Kept as escapes, the one text rule that refuses a
lone surrogate from JSON refuses them too, naming the field (forum.characters)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import parse_qsl

import python_multipart
from python_multipart.multipart import Field, File
from starlette.datastructures import FormData, Headers, UploadFile
from starlette.exceptions import HTTPException

MAX_FIELDS = 50


def decoded(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def parse_form_body(headers: Headers, body: bytes) -> FormData:
    """The fields of an urlencoded or multipart body; any other content type has none."""
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == "application/x-www-form-urlencoded":
        try:
            pairs = parse_qsl(decoded(body), keep_blank_values=True, errors="surrogateescape",
                              max_num_fields=MAX_FIELDS)
        except ValueError:
            raise HTTPException(400, f"A form has at most {MAX_FIELDS} fields.") from None
        return FormData([*pairs])
    if media_type == "multipart/form-data":
        return FormData(_multipart_fields(headers, body))
    return FormData()


@dataclass(frozen=True)
class PostedFile:
    field: str
    name: str
    data: bytes


def parse_form_with_files(headers: Headers, body: bytes, file_fields: set[str],
                          ) -> tuple[FormData, list[PostedFile]]:
    """As parse_form_body, and the files sent in `file_fields` (any other file is refused). A
    file input left empty arrives as a file with no name and no bytes: it is left out."""
    media_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type != "multipart/form-data":
        return parse_form_body(headers, body), []
    files: list[PostedFile] = []
    return FormData(_multipart_fields(headers, body, file_fields, files)), files


def _multipart_fields(headers: Headers, body: bytes, file_fields: set[str] | None = None,
                      files: list[PostedFile] | None = None) -> list[tuple[str, str | UploadFile]]:
    fields: list[tuple[str, str | UploadFile]] = []

    def on_field(field: Field) -> None:
        if len(fields) >= MAX_FIELDS:
            raise HTTPException(400, f"A form has at most {MAX_FIELDS} fields.")
        fields.append((decoded(field.field_name or b""), decoded(field.value or b"")))

    def on_file(file: File) -> None:
        field = decoded(file.field_name or b"")
        if files is None or file_fields is None or field not in file_fields:
            raise HTTPException(400, "This form takes no files.")
        if len(files) + len(fields) >= MAX_FIELDS:
            raise HTTPException(400, f"A form has at most {MAX_FIELDS} fields.")
        handle = file.file_object
        handle.seek(0)
        data = handle.read()
        file.close()
        name = decoded(file.file_name or b"")
        if data or name:
            files.append(PostedFile(field, name, data))

    try:
        python_multipart.parse_form({"Content-Type": headers["content-type"].encode("latin-1")},
                                    io.BytesIO(body), on_field, on_file)
    except ValueError:  # the parser's errors are ValueErrors
        raise HTTPException(400, "The form could not be read: it is not valid multipart data.") from None
    return fields
