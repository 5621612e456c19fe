"""Limits on what a request may make a worker parse."""
import io

from flask import Request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser


class _FormDataParser(FormDataParser):
    """Werkzeug applies MAX_FORM_PARTS and MAX_FORM_MEMORY_SIZE to multipart forms only;
    ordinary (url-encoded) forms get the same limits here, checked before parsing."""

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        limit = self.max_form_memory_size
        if limit is not None and content_length is not None and content_length > limit:
            raise RequestEntityTooLarge()
        data = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(data) > limit:
            raise RequestEntityTooLarge()
        if self.max_form_parts is not None and data.count(b"&") >= self.max_form_parts:
            raise RequestEntityTooLarge()
        return super()._parse_urlencoded(io.BytesIO(data), mimetype, len(data), options)


class LimitedRequest(Request):
    form_data_parser_class = _FormDataParser
