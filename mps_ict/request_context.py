"""The id of the request being served, for log lines and audit records. No Django imports here:
logging configuration loads this module before the apps are ready."""

import contextvars
import logging

current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("current_request_id", default=None)


class RequestIdLogFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id.get() or "-"
        return True
