"""Which Prefect API a command's process reports to, and what its API clients load for it."""

from __future__ import annotations

import os
import ssl

import pytest

from newsdesk.cli.prefect_server import PLAIN_HTTP_CA, use_api


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("PREFECT_API_SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:1/api")  # restored afterwards
    return monkeypatch


def test_a_plain_http_api_gets_the_one_certificate_bundle(clean_env: pytest.MonkeyPatch) -> None:
    assert use_api("http://127.0.0.1:4299/api") == "http://127.0.0.1:4299/api"
    assert os.environ["PREFECT_API_URL"] == "http://127.0.0.1:4299/api"
    assert os.environ["PREFECT_API_SSL_CERT_FILE"] == str(PLAIN_HTTP_CA)
    # What Prefect's clients do with it: a verified context, from one certificate.
    context = ssl.create_default_context(cafile=os.environ["PREFECT_API_SSL_CERT_FILE"])
    assert context.cert_store_stats()["x509_ca"] == 1


def test_an_https_api_or_a_bundle_already_chosen_is_left_alone(
    clean_env: pytest.MonkeyPatch, tmp_path
) -> None:
    use_api("https://prefect.example.org/api")
    assert "PREFECT_API_SSL_CERT_FILE" not in os.environ
    clean_env.setenv("PREFECT_API_SSL_CERT_FILE", str(tmp_path / "team.pem"))
    use_api("http://127.0.0.1:4299/api")
    assert os.environ["PREFECT_API_SSL_CERT_FILE"] == str(tmp_path / "team.pem")
