import pytest
from django.core.cache import cache
from django.test import override_settings

from mps_ict.figures_cache import cached_figure, figures_changed


def test_a_figure_is_computed_once_until_its_area_changes(db):
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert cached_figure("area", ("x",), compute) == 1
    assert cached_figure("area", ("x",), compute) == 1
    figures_changed("area")
    assert cached_figure("area", ("x",), compute) == 2
    assert cached_figure("other", ("x",), compute) == 3  # areas are separate


@pytest.mark.django_db(transaction=True)
def test_a_change_also_invalidates_after_the_commit():
    from django.db import transaction

    values = iter(range(100))
    with transaction.atomic():
        figures_changed("area")
        inside = cached_figure("area", (), lambda: next(values))  # something cached before the commit
    assert cached_figure("area", (), lambda: next(values)) != inside


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens here: a stopped Redis
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
)
def test_a_stopped_cache_means_figures_are_computed_not_an_error(db):
    assert cached_figure("area", ("x",), lambda: "fresh") == "fresh"
    figures_changed("area")  # does not raise either
    with pytest.raises(Exception):  # noqa: B017 - proves the cache really is unreachable
        cache.get("anything")
