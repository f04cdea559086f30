from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.status.servers import Receiver, Target


@pytest.fixture
def target() -> Iterator[Target]:
    server = Target().start()
    yield server
    server.stop()


@pytest.fixture
def flaky() -> Iterator[Target]:
    server = Target().start()
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()
