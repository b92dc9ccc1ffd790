"""Prometheus counters: this process's Mailchimp answers, or every local process's when they share
PROMETHEUS_MULTIPROC_DIR (the web server reporting what its worker asked of Mailchimp)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.core import GaugeMetricFamily

from constituent.kit import metrics

COUNT_ANSWERS = (
    "from constituent.kit import metrics\n"
    "metrics.mailchimp_answered('GET', 200)\n"
    "metrics.mailchimp_answered('POST', 429)\n"
)
RENDER = "import sys\nfrom constituent.kit import metrics\nsys.stdout.write(metrics.render().decode())\n"


def test_answers_of_processes_sharing_a_directory_add_up(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    for _ in range(2):  # a web process and a worker, say
        subprocess.run([sys.executable, "-c", COUNT_ANSWERS], env=env, check=True)

    text = subprocess.run(
        [sys.executable, "-c", RENDER], env=env, check=True, capture_output=True, text=True
    ).stdout

    assert 'constituent_mailchimp_requests_total{method="GET",status="200"} 2.0' in text
    assert 'constituent_mailchimp_errors_total{status="429"} 2.0' in text
    assert 'status="200"} 2.0' not in text.split("constituent_mailchimp_errors_total")[-1]


def test_what_the_database_knows_is_added_when_scraped() -> None:
    def computed() -> list[GaugeMetricFamily]:
        depth = GaugeMetricFamily("constituent_webhook_inbox_depth", "Webhook deliveries not processed yet.")
        depth.add_metric([], 3)
        return [depth]

    metrics.mailchimp_answered("GET", 404)
    text = metrics.render(computed).decode()

    assert "constituent_webhook_inbox_depth 3.0" in text
    assert 'constituent_mailchimp_errors_total{status="404"}' in text
