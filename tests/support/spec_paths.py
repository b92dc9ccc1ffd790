"""Matching concrete request paths to OpenAPI path templates, by structure rather than parameter names.

The two spec files name the same parameter differently (`{list_id}` in the YAML, `{listId}` in the Ballerina
file), so templates are compared by their shape: literal segments, and a hole wherever a parameter sits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

Shape = tuple[str | None, ...]


def split_path(path: str) -> tuple[str, ...]:
    return tuple(segment for segment in path.split("/") if segment)


def _is_parameter(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


@dataclass(frozen=True)
class PathTemplate:
    template: str
    segments: tuple[str, ...]

    @classmethod
    def parse(cls, template: str) -> PathTemplate:
        return cls(template, split_path(template))

    @property
    def shape(self) -> Shape:
        return tuple(None if _is_parameter(segment) else segment for segment in self.segments)

    @property
    def literal_count(self) -> int:
        return sum(1 for part in self.shape if part is not None)

    def bind(self, segments: tuple[str, ...]) -> dict[str, str] | None:
        """The parameter values if `segments` fit this template, else None."""
        if len(segments) != len(self.segments):
            return None
        values: dict[str, str] = {}
        for own, given in zip(self.segments, segments, strict=True):
            if _is_parameter(own):
                values[own[1:-1]] = given
            elif own != given:
                return None
        return values


class PathIndex:
    """Finds the template for a concrete path; literal segments beat parameters, as in a router."""

    def __init__(self, templates: Iterable[str]) -> None:
        parsed = [PathTemplate.parse(template) for template in templates]
        # Most literal segments first, so `/lists/{id}/members` wins over `/lists/{id}/{anything}`.
        self._templates = sorted(parsed, key=lambda template: -template.literal_count)
        self._by_shape = {template.shape: template for template in parsed}

    def find(self, path: str) -> tuple[PathTemplate, dict[str, str]] | None:
        segments = split_path(path)
        for template in self._templates:
            values = template.bind(segments)
            if values is not None:
                return template, values
        return None

    def same_shape(self, template: PathTemplate) -> PathTemplate | None:
        """This index's template with the same structure as `template` (from the other file)."""
        return self._by_shape.get(template.shape)
