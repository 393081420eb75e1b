"""Pages, forms and the API. Importing forum.ids first registers the `{name:id}` path
convertor, so every route module below may use it."""

from forum import ids as _ids  # noqa: F401
