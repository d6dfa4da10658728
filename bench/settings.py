"""The project's settings with one extra route, for the benchmark's framework ceiling."""

from mps_ict.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
