"""The ``fields`` and ``exclude_fields`` query parameters: comma-separated dot paths applied to a body.

A path walks into objects and, through arrays, into every element: ``members.id`` keeps each member's id.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

Tree = dict[str, "Tree"]


def project(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    """The body reduced to ``fields`` (if given), then without ``exclude_fields`` (if given)."""
    include = request.query_params.get("fields")
    exclude = request.query_params.get("exclude_fields")
    if include:
        body = _keep(body, _tree(include))
    if exclude:
        body = _drop(body, _tree(exclude))
    return body


def keeps(request: Request, path: str) -> bool:
    """Whether ``path`` (dot notation) is still in a body once ``project`` has trimmed it: a route can then
    skip working out a value nobody asked for."""
    include = request.query_params.get("fields")
    exclude = request.query_params.get("exclude_fields")
    parts = path.split(".")
    return (not include or _reaches(_tree(include), parts)) and not (
        exclude and _reaches(_tree(exclude), parts)
    )


def _reaches(tree: Tree, parts: list[str]) -> bool:
    """Whether ``tree`` names ``parts`` or one of its ancestors (a leaf keeps or drops its whole subtree)."""
    node = tree
    for part in parts:
        if part not in node:
            return False
        node = node[part]
        if not node:
            return True
    return True


def _tree(spec: str) -> Tree:
    root: Tree = {}
    for path in spec.split(","):
        node = root
        for part in path.strip().split("."):
            if part:
                node = node.setdefault(part, {})
    return root


def _keep(value: Any, tree: Tree) -> Any:
    if not tree:
        return value
    if isinstance(value, list):
        return [_keep(item, tree) for item in value]
    if isinstance(value, dict):
        return {key: _keep(value[key], sub) for key, sub in tree.items() if key in value}
    return value


def _drop(value: Any, tree: Tree) -> Any:
    if isinstance(value, list):
        return [_drop(item, tree) for item in value]
    if not isinstance(value, dict):
        return value
    kept: dict[str, Any] = {}
    for key, item in value.items():
        sub = tree.get(key)
        if sub is None:
            kept[key] = item
        elif sub:
            kept[key] = _drop(item, sub)
    return kept
