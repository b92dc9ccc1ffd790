"""`mailchimp connect` never needs the API key on its command line (issue 13, item 11): `--api-key KEY`
showed the key in `ps` to every user of the machine. The key comes from CONSTITUENT_MAILCHIMP_API_KEY or
standard input; `--api-key` is refused with a message saying why, and --help says so."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.integrations.mailchimp.conftest import CLI, Product
from tests.support.emulator import account_on

AUDIENCE = [
    "--company", "Parks", "--address1", "1 Elm", "--city", "Springfield",
    "--from-name", "Parks", "--from-email", "n@parks.co.uk",
]  # fmt: skip


@pytest.mark.slow
def test_the_cli_connects_with_the_key_from_the_environment(product: Product) -> None:
    account = account_on(product.emulator, "monthly")
    env = {**product.env(), "CONSTITUENT_MAILCHIMP_API_KEY": account.api_key}
    result = subprocess.run(
        [CLI, "mailchimp", "connect", *AUDIENCE, "--json"],
        env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert '"audience_id"' in result.stdout
    assert account.api_key not in result.stdout + result.stderr


def test_a_key_on_the_command_line_is_refused_saying_why(product: Product) -> None:
    result = product.cli("mailchimp", "connect", "--api-key", "0123456789abcdef-us1", *AUDIENCE)
    assert result.returncode == 2
    assert "process list" in result.stderr
    assert "CONSTITUENT_MAILCHIMP_API_KEY" in result.stderr and "--api-key-stdin" in result.stderr
    assert product.cli_json("mailchimp", "status") == {"integrations": []}


@pytest.mark.slow
def test_help_names_the_safe_ways_to_give_the_key() -> None:
    env = {**os.environ, "COLUMNS": "200"}
    command = [CLI, "mailchimp", "connect", "--help"]
    shown = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False).stdout
    assert "CONSTITUENT_MAILCHIMP_API_KEY" in shown
    assert "--api-key-stdin" in shown
    assert "--api-key " not in shown.replace("--api-key-stdin", "")
