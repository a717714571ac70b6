"""Shared fixtures: the test world (one persona per organization kind) and logged-in clients."""

from __future__ import annotations

import pytest

from towerwatch.core.testing.world import PASSWORD, World, build_world


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def login(client, world):
    """`login("town_a")` logs the test client in as that persona and returns the client."""

    def _login(username: str):
        client.logout()
        assert client.login(username=username, password=PASSWORD)
        return client

    return _login


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Real hashing costs ~0.3 s a user; tests create a dozen users each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_device_cache() -> None:
    """The ingest path caches devices by address and id; a test's rolled-back database may
    give the next test's devices the same ids."""
    from towerwatch.monitoring.ingest import clear_device_cache

    clear_device_cache()


@pytest.fixture
def unused_port() -> int:
    """A TCP port free on 127.0.0.1 at the time of asking."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
