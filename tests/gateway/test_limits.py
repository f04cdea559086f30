"""The rate limiter and the client address, without HTTP."""

import threading

from functions.gateway.limits import RateLimiter, client_of


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_burst_then_refill_at_the_configured_rate():
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=3, clock=clock)  # one token a second
    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("a") == 1.0
    clock.now += 0.5
    assert limiter.take("a") == 0.5
    clock.now += 0.5
    assert limiter.take("a") == 0
    assert limiter.take("b") == 0  # every client has its own bucket


def test_refill_never_exceeds_the_burst():
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=2, clock=clock)
    clock.now += 3600
    assert [limiter.take("a") > 0 for _ in range(3)] == [False, False, True]


def test_idle_buckets_are_dropped_once_full_again():
    clock = Clock()
    limiter = RateLimiter(per_minute=60, burst=2, clock=clock)
    for key in ("a", "b", "c"):
        limiter.take(key)
    assert len(limiter) == 3
    clock.now += 1  # full again: same as a new bucket
    limiter.take("d")
    assert len(limiter) == 1


def test_memory_is_bounded_by_max_clients():
    limiter = RateLimiter(per_minute=1, burst=5, max_clients=100, clock=Clock())
    for n in range(1000):
        limiter.take(f"ip:{n}")
    assert len(limiter) == 100


def test_concurrent_takes_never_grant_more_than_the_burst():
    limiter = RateLimiter(per_minute=1, burst=50, clock=Clock())
    granted: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        for _ in range(25):
            ok = limiter.take("shared") == 0
            with lock:
                granted.append(ok)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == 50


ENVIRON = {
    "REMOTE_ADDR": "10.0.0.9",
    "wsgi.url_scheme": "http",
    "HTTP_HOST": "gateway.internal",
    "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7",
    "HTTP_X_FORWARDED_PROTO": "https",
    "HTTP_X_FORWARDED_HOST": "api.spotifiuby.example",
}


def test_without_trusted_proxies_forwarded_headers_are_ignored():
    client = client_of(ENVIRON, 0)
    assert (client.ip, client.proto, client.host) == ("10.0.0.9", "http", "gateway.internal")


def test_one_trusted_proxy_gives_the_address_it_saw():
    client = client_of(ENVIRON, 1)
    assert (client.ip, client.proto, client.host) == ("203.0.113.7", "https", "api.spotifiuby.example")
    assert ENVIRON["REMOTE_ADDR"] == "10.0.0.9"  # the request's own environ is left alone
