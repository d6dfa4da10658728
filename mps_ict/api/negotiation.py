"""Choosing the format of an answer: `?format=json|csv|xlsx`, or the Accept header.

A `format` the endpoint does not answer in is a 400 naming the parameter (DRF's own answer is a
404, as if the endpoint were missing); an empty one means the default, JSON, as an empty query
parameter means "not given" throughout the API. An Accept header nothing here can satisfy stays
DRF's 406.
"""

from django.http import Http404
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.settings import api_settings


class ContentNegotiation(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        name = api_settings.URL_FORMAT_OVERRIDE
        asked = format_suffix or request.query_params.get(name)
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except Http404:
            raise self._unknown_format(name, asked, renderers) from None

    @staticmethod
    def _unknown_format(name, asked, renderers) -> exceptions.ValidationError:
        # The browsable API is for people; the formats offered to programs are the others.
        formats = sorted({renderer.format for renderer in renderers if renderer.format != "api"})
        return exceptions.ValidationError(
            {name: [f'"{asked}" is not a format of this endpoint: ask for one of {", ".join(formats)}.']}
        )
