"""The spec files are found beside the repository, parsed once and cached by content."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from tests.support.mailchimp_spec import MailchimpSpec
from tests.support.spec_documents import REPO_ROOT, SPEC_DIR, SpecFilesMissing, load_yaml


def test_the_spec_is_read_from_shared_beside_the_repository() -> None:
    assert REPO_ROOT.parent / "shared" / "mailchimp" == SPEC_DIR


def test_missing_spec_files_fail_with_a_message_saying_where_they_belong(tmp_path: Path) -> None:
    with pytest.raises(
        SpecFilesMissing, match=r"marketing-openapi\.yaml is missing.*<repo>/\.\./shared/mailchimp/"
    ):
        MailchimpSpec.load(directory=tmp_path, cache_dir=tmp_path)


def test_the_parsed_yaml_is_cached_under_its_sha256(tmp_path: Path) -> None:
    source = tmp_path / "spec.yaml"
    source.write_text("openapi: 3.0.1\nexample:\n  created_at: 2015-07-15 19:28:00+00:00\n")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()

    first = load_yaml(source, tmp_path / "cache")
    cached = tmp_path / "cache" / f"spec-{digest}.json"

    assert cached.is_file()
    assert json.loads(cached.read_text()) == first == load_yaml(source, tmp_path / "cache")


def test_yaml_timestamps_stay_strings_as_in_json(tmp_path: Path) -> None:
    source = tmp_path / "spec.yaml"
    source.write_text("created_at: 2015-07-15 19:28:00+00:00\n")

    assert load_yaml(source, tmp_path) == {"created_at": "2015-07-15 19:28:00+00:00"}


def test_an_edited_file_is_parsed_again(tmp_path: Path) -> None:
    source = tmp_path / "spec.yaml"
    source.write_text("version: 1\n")
    load_yaml(source, tmp_path / "cache")
    source.write_text("version: 2\n")

    assert load_yaml(source, tmp_path / "cache") == {"version": 2}
