"""Shared test plumbing: async tests run on anyio's asyncio backend; Hypothesis has no
per-example deadline (speed is measured in bench/, never asserted, and a loaded 2-core CI
machine must not turn a slow example into a failure)."""

from __future__ import annotations

import inspect

import pytest
from hypothesis import settings

settings.register_profile("riskwatch", deadline=None)
settings.load_profile("riskwatch")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        function = getattr(item, "function", None)
        if function is not None and inspect.iscoroutinefunction(function):
            item.add_marker(pytest.mark.anyio)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
