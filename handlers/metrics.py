"""Prometheus metrics of one app: updates, sends, job runs, outbox depth and web latency.

Each app owns its registry (no global default registry), so two apps in one process, as in
tests, never share or clash. The core only calls the one-line methods below; `/metrics` (bot/)
renders the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from handlers.channel import (
    ChannelPaused,
    ChatMigrated,
    DeliveryUnknown,
    PermanentSendError,
    RateLimited,
    RecipientGone,
    TransientSendError,
)

SEND_ERRORS: tuple[tuple[type[Exception], str], ...] = (
    (RateLimited, "rate_limited"), (ChannelPaused, "paused"), (RecipientGone, "gone"),
    (ChatMigrated, "migrated"), (PermanentSendError, "failed"), (TransientSendError, "transient"),
    (DeliveryUnknown, "unknown"),
)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.5, 5.0, 10.0)


def send_result(exc: Exception) -> str:
    """Name the outcome of a send that raised (an unknown exception is `error`)."""
    return next((name for kind, name in SEND_ERRORS if isinstance(exc, kind)), "error")


class Metrics:
    """The metric objects of one app, on a registry of its own."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        self.updates = Counter("sangkien_updates", "Chat updates handled, by channel and result "
                               "(handled, duplicate, failed)", ["channel", "result"],
                               registry=self.registry)
        self.sends = Counter("sangkien_sends", "Outbox sends, by channel and result (sent, "
                             "rate_limited, paused, gone, migrated, failed, transient, unknown "
                             "(the answer was lost: kept uncertain), error)",
                             ["channel", "result"], registry=self.registry)
        self.job_runs = Counter("sangkien_job_runs", "Scheduled job runs, by job and result "
                                "(done, shifted, skipped, failed, already, ...)",
                                ["job", "result"], registry=self.registry)
        self.outbox = Gauge("sangkien_outbox_messages", "Outbox rows by status, read at scrape time",
                            ["status"], registry=self.registry)
        self._database: Callable[[], tuple[int, int]] | None = None
        self.registry.register(_DatabaseCounts(self))
        self.web_latency = Histogram("sangkien_web_request_seconds", "Web requests, by route, "
                                     "method and status", ["route", "method", "status"],
                                     buckets=LATENCY_BUCKETS, registry=self.registry)

    def watch_database(self, read: Callable[[], tuple[int, int]]) -> None:
        """Expose the database's running counts (statements, commits), read at each scrape."""
        self._database = read

    def update(self, channel: str, result: str) -> None:
        """Count one update the router finished with `result`."""
        self.updates.labels(channel, result).inc()

    def sent(self, channel: str, exc: Exception | None = None) -> None:
        """Count one send: delivered when `exc` is None, else the error's outcome."""
        self.sends.labels(channel, "sent" if exc is None else send_result(exc)).inc()

    def job_run(self, job: str, result: str) -> None:
        """Count one run of a job slot with its final state."""
        self.job_runs.labels(job, str(result)).inc()

    def outbox_depth(self, by_status: Mapping[str, int]) -> None:
        """Set the outbox gauges from a count per status (statuses not given read 0)."""
        for status in set(by_status) | {s[0] for s in self._outbox_labels()}:
            self.outbox.labels(status).set(by_status.get(status, 0))

    def _outbox_labels(self) -> list[tuple[str, ...]]:
        return [tuple(sample.labels.values()) for metric in self.outbox.collect()
                for sample in metric.samples]

    def web_request(self, route: str, method: str, status: int, seconds: float) -> None:
        """Record how long one web request took."""
        self.web_latency.labels(route, method, str(status)).observe(seconds)


class _DatabaseCounts(Collector):
    """`sangkien_db_statements_total` and `sangkien_db_commits_total`, read when scraped."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    def describe(self) -> list[CounterMetricFamily]:
        return self._families(0, 0)

    def collect(self) -> list[CounterMetricFamily]:
        read = self.metrics._database
        return self._families(*read()) if read is not None else []

    @staticmethod
    def _families(statements: int, commits: int) -> list[CounterMetricFamily]:
        return [CounterMetricFamily("sangkien_db_statements", "SQL statements this process sent "
                                    "(BEGIN and COMMIT aside)", value=statements),
                CounterMetricFamily("sangkien_db_commits", "Transactions this process committed",
                                    value=commits)]
