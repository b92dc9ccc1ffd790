"""The two Mailchimp OpenAPI files as JSON documents, and JSON Schema validation against them.

Everything Mailchimp does differently from what the files say is corrected in one place: the
"Mailchimp quirks" section below.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from jsonschema import FormatChecker
from jsonschema.exceptions import ValidationError
from jsonschema.validators import extend
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator
from referencing import Registry
from referencing.jsonschema import DRAFT4
from rfc3339_validator import validate_rfc3339

REPO_ROOT = Path(__file__).resolve().parents[2]
# CI clones the repository with `shared/` beside it, so the files live at <repo>/../shared/mailchimp.
SPEC_DIR = REPO_ROOT.parent / "shared" / "mailchimp"
YAML_FILE = "marketing-openapi.yaml"
BALLERINA_FILE = "marketing-openapi.ballerina-3.0.85.json"

Json = Any


class SpecFilesMissing(RuntimeError):
    """The OpenAPI files are not where the project expects them."""


def spec_file(name: str, directory: Path = SPEC_DIR) -> Path:
    path = directory / name
    if not path.is_file():
        raise SpecFilesMissing(
            f"Mailchimp OpenAPI file {path} is missing. Tests read the spec from <repo>/../shared/mailchimp/ "
            f"({YAML_FILE} and {BALLERINA_FILE}); clone the repository with shared/ beside it."
        )
    return path


# --- Loading -----------------------------------------------------------------------------------------


class _JsonLikeLoader(yaml.CSafeLoader):
    """Reads YAML as JSON would read the same data: timestamps in examples stay strings."""


_JsonLikeLoader.yaml_implicit_resolvers = {
    first_char: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first_char, resolvers in yaml.CSafeLoader.yaml_implicit_resolvers.items()
}


def default_cache_dir() -> Path:
    return Path(tempfile.gettempdir()) / "constituent-mailchimp-spec"


def load_yaml(path: Path, cache_dir: Path) -> Json:
    """Parse the YAML spec, reusing a JSON copy keyed by the file's sha256 (JSON loads ~20x faster)."""
    raw = path.read_bytes()
    cached = cache_dir / f"{path.stem}-{hashlib.sha256(raw).hexdigest()}.json"
    if cached.is_file():
        return json.loads(cached.read_bytes())
    text = json.dumps(yaml.load(raw, Loader=_JsonLikeLoader))  # noqa: S506 (a safe loader)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(text)
    os.replace(partial, cached)  # atomic, so parallel test runs never read half a file
    return json.loads(text)


def load_json(path: Path) -> Json:
    return json.loads(path.read_bytes())


# --- Mailchimp quirks ----------------------------------------------------------------------------------
# Real Mailchimp traffic differs from the OpenAPI files in these ways, and only these:
# 1. Merge field values are typed `object`, yet Mailchimp sends and accepts strings ("Caio", "" when empty),
#    numbers and address objects (a real recorded member: merge_fields {"FNAME": "Caio", "ADDRESS": ""}).
# 2. Unknown date-times are the empty string (a real member has "timestamp_signup": ""), so a `date-time`
#    field is either RFC 3339 or "".
# 3. Integers: JSON has one number type; 2.0 where `integer` is expected is accepted (the OAS 3.0 type
#    checker already does this), and `number` accepts integers.
# 4. Nullable: neither file marks anything nullable and no recorded response holds a null, so nulls are
#    violations (a null where a string belongs would break our strict client models).
# 5. Broken response schemas in the YAML (self-referencing items): see BROKEN_RESPONSE_SCHEMAS.
# 6. Response schemas mark nothing required, yet real responses always carry their core fields (the
#    member list is exactly the fields of a real recorded member, minus `_links`); see ALWAYS_PRESENT.

BROKEN_RESPONSE_SCHEMAS = frozenset(
    {"List_Members_2", "List_Webhooks", "Growth_History", "Click_Detail_Report", "Unsubscribes"}
)
"""YAML schemas that refer to themselves (SOURCE.md); their operations' 2xx bodies use the Ballerina file."""

_MEMBER = (
    *("id", "email_address", "unique_email_id", "contact_id", "full_name", "web_id", "email_type", "status"),
    *("consents_to_one_to_one_messaging", "merge_fields", "stats", "ip_signup", "timestamp_signup", "ip_opt"),
    *("timestamp_opt", "member_rating", "last_changed", "language", "vip", "email_client", "location"),
    *("source", "tags_count", "tags", "list_id"),
)
_LIST = (
    "id",
    "web_id",
    "name",
    "contact",
    "permission_reminder",
    "campaign_defaults",
    "date_created",
    "stats",
)
_WEBHOOK = ("id", "url", "events", "sources", "list_id")
ALWAYS_PRESENT: dict[str, dict[str, tuple[str, ...]]] = {
    YAML_FILE: {
        "API_Root": ("account_id", "account_name", "email", "pricing_plan_type"),
        "API_health_status": ("health_status",),
        "Subscriber_Lists": ("lists", "total_items", "constraints"),
        "Subscriber_List": (*_LIST, "email_type_option", "double_optin"),
        "List_Members": _MEMBER,
        "Batch_update_List_members": (
            *("new_members", "updated_members", "errors", "total_created", "total_updated", "error_count"),
        ),
        "Errors_inner": ("email_address", "error", "error_code"),
        "Batch_add_remove_List_members_to_from_static_segment": (
            *("members_added", "members_removed", "errors", "total_added", "total_removed"),
        ),
        "Collection_of_Tags": ("tags", "total_items"),
        "Tags_inner_2": ("id", "name", "date_added"),
        "Tag_search_results": ("tags", "total_items"),
        "Merge_Field": ("merge_id", "tag", "name", "type", "list_id"),
        "Interest_Category": ("id", "list_id", "title", "type"),
        "Interest": ("id", "category_id", "list_id", "name"),
        "List_7": ("id", "name", "member_count", "type", "list_id"),
        "Batch": (
            *(
                "id",
                "status",
                "total_operations",
                "finished_operations",
                "errored_operations",
                "submitted_at",
            ),
            *("completed_at", "response_body_url"),
        ),
        "Campaign": (
            "id",
            "web_id",
            "type",
            "create_time",
            "status",
            "emails_sent",
            "recipients",
            "settings",
        ),
        "Sent_To": ("sent_to", "campaign_id", "total_items"),
        "Sent_To_Recipient": ("email_id", "email_address", "status"),
        "Email_Activity": ("emails", "campaign_id", "total_items"),
        "Email_Activity_Record": ("email_id", "email_address", "activity"),
    },
    BALLERINA_FILE: {
        "ListMembers1": ("members", "list_id", "total_items"),
        "ListMembers2": _MEMBER,
        "ListMembers4": _MEMBER,
        "ListWebhooks": ("webhooks", "list_id", "total_items"),
        "ListWebhooks1": _WEBHOOK,
        "ListWebhooks2": _WEBHOOK,
    },
}
"""Fields every real response carries although the files do not mark them required (quirk 6)."""

_MERGE_FIELD_VALUE = {
    "description": "A merge field value: text, number or address object (see quirk 1).",
    "anyOf": [{"type": "string"}, {"type": "number"}, {"type": "object"}],
}


def correct_known_defects(document: Json, file_name: str) -> Json:
    """Apply quirks 1 and 6 to the document, in place."""
    schemas = document["components"]["schemas"]
    for name, fields in ALWAYS_PRESENT[file_name].items():
        schemas[name]["required"] = sorted({*schemas[name].get("required", ()), *fields})
    for node in _dicts(document):
        properties = node.get("properties")
        merge_fields = properties.get("merge_fields") if isinstance(properties, dict) else None
        if isinstance(merge_fields, dict) and isinstance(merge_fields.get("additionalProperties"), dict):
            merge_fields["additionalProperties"] = _MERGE_FIELD_VALUE
    return document


def _dicts(node: Json) -> Iterator[dict[str, Json]]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            yield current
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


MAILCHIMP_FORMATS = FormatChecker(formats=())


@MAILCHIMP_FORMATS.checks("date-time")
def _is_mailchimp_date_time(value: object) -> bool:
    return not isinstance(value, str) or value == "" or validate_rfc3339(value)  # quirk 2


# --- Validation ----------------------------------------------------------------------------------------


class Direction(Enum):
    """Which side of the exchange a body belongs to: OpenAPI's readOnly/writeOnly depend on it."""

    REQUEST = "request"
    RESPONSE = "response"
    # A response trimmed by `fields`/`exclude_fields`: required properties may be left out, types still hold.
    PARTIAL_RESPONSE = "partial response"


def _no_required(*_: object) -> Iterator[ValidationError]:
    return iter(())


_VALIDATOR_CLASSES = {
    Direction.REQUEST: OAS30WriteValidator,
    Direction.RESPONSE: OAS30ReadValidator,
    Direction.PARTIAL_RESPONSE: extend(OAS30ReadValidator, validators={"required": _no_required}),
}


def json_pointer(parts: Iterable[str | int]) -> str:
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


class SpecDocument:
    """One OpenAPI file: its JSON contents and validators for any schema inside it, by JSON pointer."""

    def __init__(self, name: str, contents: Json) -> None:
        self.name = name
        self.contents = contents
        self._uri = f"urn:mailchimp-openapi:{name}"
        self._registry: Registry[Json] = Registry().with_resource(self._uri, DRAFT4.create_resource(contents))

    def resolve(self, pointer: str) -> Json:
        node = self.contents
        for part in pointer.lstrip("/").split("/") if pointer else []:
            key = part.replace("~1", "/").replace("~0", "~")
            node = node[int(key)] if isinstance(node, list) else node[key]
        return node

    def errors(self, pointer: str, instance: Json, direction: Direction) -> list[ValidationError]:
        """Every way `instance` breaks the schema at `pointer`, in document order."""
        found = self._validator(pointer, direction).iter_errors(instance)
        return sorted(found, key=lambda error: [str(part) for part in error.absolute_path])

    @functools.cache  # noqa: B019 (documents live for the whole test session)
    def _validator(self, pointer: str, direction: Direction) -> Any:
        validator_class = _VALIDATOR_CLASSES[direction]
        schema = {"$ref": f"{self._uri}#{pointer}"}
        return validator_class(schema, registry=self._registry, format_checker=MAILCHIMP_FORMATS)
