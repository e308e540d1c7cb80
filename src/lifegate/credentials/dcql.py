"""The part of DCQL (OpenID4VP 1.0 section 6) lifegate speaks: one credential query, format
`dc+sd-jwt`, a list of accepted `vct` values, and claims by path. Pure functions.

Claim paths are lists of names; lifegate's credential types have top-level claims only, so a
path holds one name, and a claim is named here by its dotted path ("title"). A query that
asks for more than this subset (claim sets, credential sets, values to match, array
elements) is refused as unsupported rather than half-answered."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

FORMAT = "dc+sd-jwt"
# DCQL: a credential query id is alphanumeric, underscore or hyphen, non-empty.
QUERY_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_CLAIMS = 50
MAX_VCT_VALUES = 20


class UnsupportedQuery(ValueError):
    """A DCQL query outside the subset lifegate answers (the message says which part)."""


@dataclass(frozen=True)
class CredentialQuery:
    """One credential query: its id, the accepted types and the claims asked for."""

    id: str
    vct_values: tuple[str, ...]
    claims: tuple[str, ...]


def build_query(query_id: str, vct_values: Sequence[str], claims: Sequence[str]) -> dict[str, Any]:
    """A DCQL query for the top-level `claims` of an SD-JWT VC of one of `vct_values`."""
    if not QUERY_ID.match(query_id) or not vct_values or not claims:
        raise ValueError("a query needs an id, at least one vct and at least one claim")
    return {
        "credentials": [
            {
                "id": query_id,
                "format": FORMAT,
                "meta": {"vct_values": list(vct_values)},
                "claims": [{"path": [name]} for name in claims],
            }
        ]
    }


def parse_query(query: Any) -> CredentialQuery:
    """The single credential query in `query`; raises UnsupportedQuery for anything else."""
    if not isinstance(query, dict) or set(query) != {"credentials"}:
        raise UnsupportedQuery("only a query with exactly `credentials` is supported")
    credentials = query["credentials"]
    if not isinstance(credentials, list) or len(credentials) != 1:
        raise UnsupportedQuery("exactly one credential query is supported")
    entry = credentials[0]
    if not isinstance(entry, dict) or not set(entry) <= {"id", "format", "meta", "claims"}:
        raise UnsupportedQuery("the credential query has members lifegate does not support")
    query_id = entry.get("id")
    if not isinstance(query_id, str) or not QUERY_ID.match(query_id):
        raise UnsupportedQuery("the credential query id is not valid")
    if entry.get("format") != FORMAT:
        raise UnsupportedQuery(f"only the format {FORMAT} is supported")
    return CredentialQuery(query_id, _vct_values(entry.get("meta")), _claims(entry.get("claims")))


def _vct_values(meta: Any) -> tuple[str, ...]:
    values = meta.get("vct_values") if isinstance(meta, dict) else None
    if (
        not isinstance(values, list)
        or not 0 < len(values) <= MAX_VCT_VALUES
        or not all(isinstance(value, str) and value for value in values)
    ):
        raise UnsupportedQuery("meta.vct_values must list the accepted types")
    return tuple(values)


def _claims(claims: Any) -> tuple[str, ...]:
    if not isinstance(claims, list) or not 0 < len(claims) <= MAX_CLAIMS:
        raise UnsupportedQuery("the query must name the claims it asks for")
    names = []
    for claim in claims:
        path = claim.get("path") if isinstance(claim, dict) else None
        if (
            not isinstance(claim, dict)
            or not set(claim) <= {"path", "id"}
            or not isinstance(path, list)
            or len(path) != 1
            or not isinstance(path[0], str)
            or not path[0]
            or "." in path[0]
        ):
            raise UnsupportedQuery("only claims by a path of one claim name are supported")
        names.append(path[0])
    if len(set(names)) != len(names):
        raise UnsupportedQuery("a claim is asked for twice")
    return tuple(names)


def over_disclosed(disclosed: Iterable[str], asked: Iterable[str]) -> list[str]:
    """The disclosed claim paths that the query did not ask for (nor are inside, or around,
    a claim it asked for)."""
    wanted = tuple(asked)
    return sorted(path for path in disclosed if not any(_related(path, n) for n in wanted))


def missing(claims: dict[str, Any], asked: Iterable[str]) -> list[str]:
    """The claims asked for that `claims` (verified, disclosed) does not hold."""
    return [name for name in asked if _lookup(claims, name) is _ABSENT]


def requested_values(claims: dict[str, Any], asked: Iterable[str]) -> dict[str, Any]:
    """Only the claims asked for, by name: what a verifier gets to see."""
    found = {name: _lookup(claims, name) for name in asked}
    return {name: value for name, value in found.items() if value is not _ABSENT}


_ABSENT = object()


def _related(path: str, name: str) -> bool:
    return path == name or path.startswith(name + ".") or name.startswith(path + ".")


def _lookup(claims: dict[str, Any], dotted: str) -> Any:
    value: Any = claims
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return _ABSENT
        value = value[part]
    return value
