"""Nothing reaches the network: not the registry, not a document that asks."""

from __future__ import annotations

import socket
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from referencing.exceptions import Unresolvable

from unionstate.cli import main
from unionstate.schema import registry, validator_for


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        calls.append(repr(args))
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    return calls


def test_registry_refuses_unknown_uris(no_network: list[str]) -> None:
    with pytest.raises(Unresolvable):
        registry().resolver().lookup("https://json-schema.org/draft/2020-12/schema")
    with pytest.raises(Unresolvable):
        registry().resolver().lookup("file:///etc/passwd")
    assert no_network == []


def test_remote_schema_and_ref_in_a_document_are_not_fetched(
    tmp_path: Path, no_network: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    doc = tmp_path / "d.json"
    doc.write_text(
        '{"$schema": "https://example.org/evil.json", "name": "t", "records": ['
        '{"type": "source", "id": "source/a", "url": "https://example.org/", "title": "t",'
        ' "publisher": "p", "language": "en", "$ref": "https://example.org/x.json"},'
        '{"type": "source", "id": "source/b", "url": "https://example.org/", "title": "t",'
        ' "publisher": "p", "language": "en", "$ref": "file:///etc/passwd"}]}',
        encoding="utf-8",
    )
    code = main(["validate", str(doc), "--format", "json"])
    out = capsys.readouterr().out
    assert code == 1  # '$schema' and '$ref' are unknown fields, reported, never followed
    assert out.count('"US010"') + out.count('"US011"') >= 3
    assert no_network == []


def test_validator_is_compiled_once() -> None:
    assert validator_for("event") is validator_for("event")
