"""A posted form's fields, with bytes that are not UTF-8 kept as surrogate escapes.

Starlette reads such bytes as U+FFFD (urlencoded) or as Latin-1 (multipart), so garbled text
would be stored as if someone had typed it. Kept as escapes, the one text rule that refuses a
lone surrogate from JSON refuses them too, naming the field (forum.characters)."""

from __future__ import annotations

import io
from urllib.parse import parse_qsl

import python_multipart
from python_multipart.multipart import Field, File
from starlette.datastructures import FormData, Headers
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
        return FormData(pairs)
    if media_type == "multipart/form-data":
        return FormData(_multipart_fields(headers, body))
    return FormData()


def _multipart_fields(headers: Headers, body: bytes) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []

    def on_field(field: Field) -> None:
        if len(fields) >= MAX_FIELDS:
            raise HTTPException(400, f"A form has at most {MAX_FIELDS} fields.")
        fields.append((decoded(field.field_name or b""), decoded(field.value or b"")))

    def on_file(file: File) -> None:
        raise HTTPException(400, "This form takes no files.")

    try:
        python_multipart.parse_form({"Content-Type": headers["content-type"].encode("latin-1")},
                                    io.BytesIO(body), on_field, on_file)
    except ValueError:  # the parser's errors are ValueErrors
        raise HTTPException(400, "The form could not be read: it is not valid multipart data.") from None
    return fields
