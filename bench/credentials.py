"""Credentials benchmarks, in one process on PostgreSQL (a database of its own), each a ratio
to a floor measured in the same run.

(a) Verification: credentials verified per second, as a ratio to bare ES256 verifications
    (joserfc `jws.deserialize_compact`, P-256 key) of a compact JWS whose payload has as many
    bytes as the credential's issuer-signed payload. "A credential" is a diploma SD-JWT VC as
    issued: the issuer-signed JWT with all ten disclosures, no key binding (a KB-JWT is a
    second ES256 verification and would halve the ratio by construction). Verified as the
    verification service verifies it: `sdjwt.verify` with the trust list's key lookup
    (`trust.issuer_key`), then `trust.status_of`. The status path with a cache is a trusted
    peer node's (`_peer_list`: its status list token fetched once, verified, cached for its
    ttl; its keys likewise): the credential is issued by a peer node (this node under another
    base URL, reached through a stand-in for `peer_http.fetch`), and after the warm-up no
    fetch happens (checked). Informational: the same with this node's own credential, whose
    status row is read from the database at every check (so a revocation counts at once),
    and the whole of `verifying.verify_response` with key binding (KB-JWT, DCQL checks, the
    own-credential lookup by digest, status).
(b) Issuing: credentials built per second by `sdjwt.issue` (the diploma's claims as
    `issuing` puts them, ten disclosures, decoys, holder key in `cnf`), as a ratio to bare
    ES256 signing (joserfc `jws.serialize_compact`) of a payload of the same size.
    Informational: the whole issuing service (`issuing.issue`: status entry, rows, log
    append, processing record, one transaction each) against the same floor.
(c) Inclusion proofs: p50 and p95 of `log.inclusion_proof` (and of `log.prove_entry`) for
    random entries of a log of 1,000,000 entries (filled with `log.append_many`; the fill
    time is reported), against a one-row primary-key read of a log entry through the ORM.
    Every proof is checked against the tree root. No goal.

Same library, both sides: the credentials code signs and checks signatures with joserfc's
own ES256 algorithm (`compact._ES256`, i.e. joserfc's `ESAlgorithm.sign`/`verify` with its
key checks), and encodes, decodes and checks the compact JWS around it itself (strictly:
canonical base64url, unique JSON members, ES256 only). The floors stay joserfc's generic
`serialize_compact`/`deserialize_compact`, which wrap that same algorithm; so the floor still
is "bare ES256 with the library the service signs with", and the ratios show what the
credential work (disclosures, digests, checks, status) adds to one signature.

Rounds are interleaved (the order alternating), medians (of rates) or pooled percentiles
(of latencies) compared. Run by bench/run.py as `python -m bench.credentials <server url>`;
it creates and drops its own database and prints its results as JSON on the last line.
`--profile` prints a cProfile of the verification instead."""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

from bench.inbox import drop_database, recreate_database, setup_django

DATABASE = "bench_credentials"
ROUNDS = int(os.environ.get("BENCH_CREDENTIALS_ROUNDS", "7"))
# Calls per timed batch: each batch takes a few tenths of a second.
BATCH = int(os.environ.get("BENCH_CREDENTIALS_BATCH", "400"))
SERVICE_BATCH = int(os.environ.get("BENCH_CREDENTIALS_SERVICE_BATCH", "60"))
LOG_ENTRIES = int(os.environ.get("BENCH_LOG_ENTRIES", "1000000"))
PROOFS = int(os.environ.get("BENCH_PROOFS", "1000"))
FILL_CHUNK = 1 << 16
PEER = "https://peer.bench.lifegate.example"
GOAL = 0.8
MAX_HEADER_BYTES = 4096
DIPLOMA_CLAIMS: dict[str, Any] = {
    "given_names": "Sanne Maria",
    "family_name": "de Vries",
    "date_of_birth": "1998-04-12",
    "title": "Bachelor of Science HBO-ICT",
    "level_eqf": 6,
    "level_isced": "655",
    "awarding_body": "Hogeschool Domstad",
    "awarded_on": "2021-07-09",
    "grade": "met genoegen",
    "learning_outcomes": "Analyseert, ontwerpt en realiseert informatiesystemen.",
}


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def interleaved(calls: dict[str, Callable[[], None]], batch: int) -> dict[str, list[float]]:
    """Calls per second of each of `calls`, `ROUNDS` rounds of `batch` calls each, the order
    alternating per round, after one warm-up batch of each."""
    for call in calls.values():
        for _ in range(max(1, batch // 10)):
            call()
    rates: dict[str, list[float]] = {name: [] for name in calls}
    order = list(calls)
    for round_ in range(ROUNDS):
        for name in order if round_ % 2 == 0 else order[::-1]:
            call = calls[name]
            began = time.perf_counter()
            for _ in range(batch):
                call()
            rates[name].append(batch / (time.perf_counter() - began))
        log(f"round {round_ + 1}: " + ", ".join(f"{n} {r[-1]:.0f}/s" for n, r in rates.items()))
    return rates


def rate_result(
    rates: dict[str, list[float]], name: str, floor: str, meta: dict[str, Any]
) -> dict[str, Any]:
    value, floor_value = statistics.median(rates[name]), statistics.median(rates[floor])
    return meta | {
        "value": round(value, 1),
        "floor": round(floor_value, 1),
        "ratio": round(value / floor_value, 3),
        "goal_kind": "min",
        "samples": len(rates[name]),
        "runs": [round(v) for v in rates[name]],
        "floor_runs": [round(v) for v in rates[floor]],
    }


# --- the credentials ------------------------------------------------------------------------


class Peer:
    """A trusted peer node: this node under the base URL PEER, answering `peer_http.fetch`
    for its issuer metadata and status list tokens. Counts the fetches."""

    def __init__(self) -> None:
        self.fetches = 0

    def fetch(self, url: str, accept: str) -> str:
        from django.test import override_settings

        from lifegate.credentials import keys
        from lifegate.credentials.models import StatusList
        from lifegate.credentials.status_lists import STATUS_PATH, status_list_token

        self.fetches += 1
        if url == f"{PEER}/.well-known/jwt-vc-issuer":
            return json.dumps({"issuer": PEER, "jwks": keys.issuer_jwks()})
        number = url.removeprefix(PEER + STATUS_PATH)
        with override_settings(BASE_URL=PEER):
            return status_list_token(StatusList.objects.get(pk=int(number)))


def issue_diploma(reference: str) -> Any:
    """A diploma issued by the issuing service (to a person of the demo population)."""
    from lifegate.core.subject import Subject
    from lifegate.credentials.issuing import issue
    from lifegate.credentials.models import IssuedCredential
    from lifegate.registries.models import RegisteredPerson
    from lifegate.transparency.services import Actor

    bsn = RegisteredPerson.objects.order_by("bsn").values_list("bsn", flat=True).first()
    return issue(
        "diploma",
        Subject("bsn", str(bsn)),
        DIPLOMA_CLAIMS,
        actor=Actor(kind="agency", organisation="duo"),
        source=IssuedCredential.Source.AGENCY_API,
        source_reference=reference,
    )


def verifier_of(token: str) -> Callable[[], None]:
    """Verification of `token` as the verification service does it, without key binding:
    signature (trusted issuer's key), disclosures, validity, then the status."""
    from lifegate.credentials import sdjwt, statuslist, trust

    def verify() -> None:
        verified = sdjwt.verify(
            token,
            issuer_key=trust.issuer_key,
            certified_key=trust.certified_key,
            require_key_binding=False,
        )
        if verified.status is None or len(verified.disclosed) != len(DIPLOMA_CLAIMS):
            raise RuntimeError("the credential lost its status or disclosures")
        if trust.status_of(verified.status, verified.issuer) != statuslist.VALID:
            raise RuntimeError("the credential is not valid")

    return verify


def same_size_jws(token: str) -> tuple[str, bytes, dict[str, Any]]:
    """A compact JWS (ES256, same header) whose payload is as long as the issuer-signed
    payload of `token`; with that payload and the header."""
    from joserfc import jws

    from lifegate.credentials import keys
    from lifegate.credentials.compact import b64url_decode

    header_part, payload_part, _signature = token.split("~", 1)[0].split(".")
    header = json.loads(b64url_decode(header_part, "header"))
    payload = b"x" * len(b64url_decode(payload_part, "payload"))
    key = keys.current_issuer_key()
    return jws.serialize_compact(header, payload, key, algorithms=["ES256"]), payload, header


def verification_results(own: Any, peer_credential: Any, peer: Peer) -> list[dict[str, Any]]:
    """(a): credential verification, peer (status cached) and own (status read), and the
    whole verification service with key binding, against bare ES256 verifications."""
    from joserfc import jws
    from joserfc.jwk import ECKey

    from lifegate.credentials import keys, sdjwt, verifying
    from lifegate.credentials.issuing import holder_key, stored_sd_jwt

    peer_token, own_token = stored_sd_jwt(peer_credential), stored_sd_jwt(own)
    bare, _payload, _header = same_size_jws(peer_token)
    public = ECKey.import_key(keys.current_issuer_key().as_dict(private=False))

    # joserfc refuses headers over 512 bytes by default; a HAIP header carries a certificate.
    registry = jws.JWSRegistry(algorithms=["ES256"])
    registry.max_header_length = MAX_HEADER_BYTES

    def bare_verify() -> None:
        jws.deserialize_compact(bare, public, registry=registry)

    request = verifying.create_request(
        list(DIPLOMA_CLAIMS), verifier_name="Bench verifier", credential_type="diploma"
    )
    presented = sdjwt.bind(
        own_token,
        holder_key=holder_key(own),  # type: ignore[arg-type]
        audience=request.client_id,
        nonce=request.nonce,
        issued_at=int(time.time()),
    )
    query_id = request.dcql_query["credentials"][0]["id"]

    def service_with_key_binding() -> None:
        result = verifying.verify_response(request, {query_id: [presented]})
        if not result.valid:
            raise RuntimeError(f"the presentation was refused: {result.code}")

    calls = {
        "peer": verifier_of(peer_token),
        "bare": bare_verify,
        "own": verifier_of(own_token),
        "service_kb": service_with_key_binding,
    }
    rates = interleaved(calls, BATCH)
    if peer.fetches != 2:  # metadata and status list, once each, in the warm-up
        raise RuntimeError(f"the peer was fetched {peer.fetches} times: the cache is not warm")
    floor_title = "bare ES256 verification (joserfc) of a same-size JWS"
    common: dict[str, Any] = {"path": "sdjwt.verify + trust.status_of", "unit": "credentials/s"}
    common |= {"floor_title": floor_title, "token_bytes": len(peer_token)}
    return [
        rate_result(
            rates,
            "peer",
            "bare",
            common
            | {
                "name": "credentials_verify",
                "title": "Credentials verified (SD-JWT VC, 10 disclosures, status cached)",
                "goal": GOAL,
            },
        ),
        rate_result(
            rates,
            "own",
            "bare",
            common
            | {
                "name": "credentials_verify_own_status",
                "title": "Credentials verified, this node's own (status row read each time)",
                "goal": None,
            },
        ),
        rate_result(
            rates,
            "service_kb",
            "bare",
            common
            | {
                "name": "credentials_verify_response_kb",
                "title": "Verification service with key binding (verify_response)",
                "path": "verifying.verify_response",
                "goal": None,
            },
        ),
    ]


def issuing_results() -> list[dict[str, Any]]:
    """(b): sdjwt.issue, and the whole issuing service, against bare ES256 signing."""
    from joserfc import jws
    from joserfc.jwk import ECKey

    from lifegate.catalogue.models import CredentialType
    from lifegate.credentials import issuer_certificates, sdjwt
    from lifegate.credentials.status_lists import status_list_uri

    kind = CredentialType.objects.get(slug="diploma")
    key, x5c = issuer_certificates.current_signer()  # HAIP: the certificate in the header
    holder = ECKey.generate_key("P-256", {"alg": "ES256"}, private=True, auto_kid=True)
    holder_jwk = holder.as_dict(private=False)
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": PEER,
        "vct": kind.vct,
        "iat": now,
        "status": {"status_list": {"idx": 123456, "uri": status_list_uri(1)}},
        **DIPLOMA_CLAIMS,
        "exp": now + 5 * 365 * 86400,
    }
    disclosable = [name for name in kind.disclosable_claims if name in DIPLOMA_CLAIMS]

    def build() -> None:
        sdjwt.issue(payload, disclosable=disclosable, key=key, holder_jwk=holder_jwk, x5c=x5c)

    sample = sdjwt.issue(payload, disclosable=disclosable, key=key, holder_jwk=holder_jwk, x5c=x5c)
    _bare, same_payload, header = same_size_jws(sample)

    def bare_sign() -> None:
        jws.serialize_compact(header, same_payload, key, algorithms=["ES256"])

    counter = iter(range(10**9))

    def service() -> None:
        issue_diploma(f"bench-{next(counter)}")

    rates = interleaved({"build": build, "bare": bare_sign}, BATCH)
    service_rates = interleaved({"service": service, "bare": bare_sign}, SERVICE_BATCH)
    floor_title = "bare ES256 signing (joserfc) of a same-size payload"
    return [
        rate_result(
            rates,
            "build",
            "bare",
            {
                "name": "credentials_issue_sdjwt",
                "title": "Credentials built (sdjwt.issue, 10 disclosures, decoys)",
                "path": "sdjwt.issue",
                "unit": "credentials/s",
                "floor_title": floor_title,
                "goal": GOAL,
                "disclosable": len(disclosable),
                "token_bytes": len(sample),
            },
        ),
        rate_result(
            service_rates,
            "service",
            "bare",
            {
                "name": "credentials_issue_service",
                "title": "Issuing service (issuing.issue: rows, status entry, log, record)",
                "path": "issuing.issue",
                "unit": "credentials/s",
                "floor_title": floor_title,
                "goal": None,
            },
        ),
    ]


# --- (c) inclusion proofs -------------------------------------------------------------------


def fill_log(total: int) -> float:
    """Append random digests until the log holds `total` entries; returns the seconds.

    What `log.append_many` does (the head grown, each chunk's leaves hashed and the subtrees
    they complete computed with `merkle.extend`), but the rows written with COPY: through
    the ORM, 1,000,000 entries took over five minutes here."""
    from django.db import connection, transaction
    from django.utils import timezone

    from lifegate.credentials import log as credential_log
    from lifegate.credentials import merkle
    from lifegate.credentials.models import LogEntry, LogSubtree

    began = time.perf_counter()
    missing = total - credential_log.current_size()
    if missing <= 0:
        return 0.0
    entries, subtrees = LogEntry._meta.db_table, LogSubtree._meta.db_table
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        start = credential_log._reserve(missing)
        frontier = credential_log._frontier(start)
        raw = cursor.cursor  # psycopg's cursor, for COPY
        for offset in range(0, missing, FILL_CHUNK):
            first = start + offset
            digests = [os.urandom(32) for _ in range(min(FILL_CHUNK, missing - offset))]
            leaves = [credential_log.entry_leaf_hash("credential", d) for d in digests]
            completed, frontier = merkle.extend(first, frontier, leaves)
            columns = '("index", kind, digest, created_at)'
            with raw.copy(f"COPY {entries} {columns} FROM STDIN") as copy:
                for number, digest in enumerate(digests):
                    copy.write_row((first + number, "credential", digest, now))
            with raw.copy(f'COPY {subtrees} (level, "index", hash) FROM STDIN') as copy:
                for row in completed:
                    copy.write_row(row)
    return time.perf_counter() - began


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def proof_results(fill_seconds: float) -> list[dict[str, Any]]:
    """p50/p95 of inclusion proofs (and prove_entry) against a one-row read, interleaved."""
    from lifegate.credentials import log as credential_log
    from lifegate.credentials import merkle
    from lifegate.credentials.models import LogEntry

    size = credential_log.current_size()
    root = credential_log.tree_root(size)
    chooser = random.Random(20261124)
    indices = [chooser.randrange(size) for _ in range(PROOFS)]
    times: dict[str, list[float]] = {"proof": [], "prove_entry": [], "read": []}

    def proof(index: int) -> None:
        path = credential_log.inclusion_proof(index, size)
        entry = LogEntry.objects.get(index=index)
        leaf = credential_log.entry_leaf_hash(entry.kind, bytes(entry.digest))
        if not merkle.verify_inclusion(leaf, index, size, path, root):
            raise RuntimeError(f"the proof of entry {index} does not verify")

    for index in indices[:50]:  # warm up, and check proofs
        proof(index)
    calls: dict[str, Callable[[int], Any]] = {
        "proof": lambda i: credential_log.inclusion_proof(i, size),
        "prove_entry": lambda i: credential_log.prove_entry(i, size),
        "read": lambda i: LogEntry.objects.filter(index=i).first(),
    }
    order = list(calls)
    for number, index in enumerate(indices):
        for name in order if number % 2 == 0 else order[::-1]:
            began = time.perf_counter()
            calls[name](index)
            times[name].append((time.perf_counter() - began) * 1000)
    floor95, floor50 = _percentile(times["read"], 0.95), _percentile(times["read"], 0.5)
    common = {
        "unit": "ms (p95)",
        "floor": round(floor95, 3),
        "floor_title": "one-row primary-key read of a log entry (ORM), p95",
        "goal": None,
        "goal_kind": "max",
        "entries": size,
        "samples": len(indices),
        "fill_seconds": round(fill_seconds, 1),
        "floor_p50_ms": round(floor50, 3),
    }
    results = []
    for name, title, path in (
        ("proof", f"Inclusion proof at {size:,} log entries", "log.inclusion_proof"),
        ("prove_entry", "Entry with proof and root (prove_entry)", "log.prove_entry"),
    ):
        p95, p50 = _percentile(times[name], 0.95), _percentile(times[name], 0.5)
        results.append(
            common
            | {
                "name": f"credentials_log_{name}_p95",
                "title": title,
                "path": path,
                "value": round(p95, 3),
                "ratio": round(p95 / floor95, 3),
                "p50_ms": round(p50, 3),
            }
        )
    return results


# --- running --------------------------------------------------------------------------------


def prepare() -> tuple[Any, Any, Peer]:
    """This node's diploma, a peer node's diploma, and the peer (trusted, fetch patched)."""
    from django.test import override_settings

    own = issue_diploma("bench-own")
    with override_settings(BASE_URL=PEER):
        peer_credential = issue_diploma("bench-peer")
    return own, peer_credential, Peer()


def profile() -> None:
    """cProfile of verifying the peer's credential (status cached), after a warm-up."""
    import cProfile
    import pstats

    from django.test import override_settings

    from lifegate.credentials import peer_http
    from lifegate.credentials.issuing import stored_sd_jwt

    _own, peer_credential, peer = prepare()
    with (
        override_settings(LIFEGATE_TRUSTED_ISSUERS=[PEER]),
        mock.patch.object(peer_http, "fetch", peer.fetch),
    ):
        verify = verifier_of(stored_sd_jwt(peer_credential))
        for _ in range(100):
            verify()
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(2000):
            verify()
        profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stderr)
    stats.sort_stats("tottime").print_stats(30)
    stats.sort_stats("cumulative").print_stats(40)


def run(server_url: str, profiling: bool = False) -> list[dict[str, Any]]:
    """Prepare the database, measure (a), (b) and (c), drop the database."""
    url = recreate_database(server_url, DATABASE)
    try:
        setup_django(url)
        if profiling:
            profile()
            return []
        from django.test import override_settings

        from lifegate.credentials import peer_http

        own, peer_credential, peer = prepare()
        with (
            override_settings(LIFEGATE_TRUSTED_ISSUERS=[PEER]),
            mock.patch.object(peer_http, "fetch", peer.fetch),
        ):
            results = verification_results(own, peer_credential, peer)
        results += issuing_results()
        fill_seconds = fill_log(LOG_ENTRIES)
        log(f"log filled to {LOG_ENTRIES:,} entries in {fill_seconds:.0f} s")
        from psycopg import connect

        with connect(url, autocommit=True) as connection:
            connection.execute("VACUUM (ANALYZE)")  # steady state: hint bits, statistics
        results += proof_results(fill_seconds)
    finally:
        from django.db import connections

        connections.close_all()
        drop_database(server_url, DATABASE)
    return results


def main() -> None:
    """Run the benchmarks; print the results as JSON on the last line."""
    if len(sys.argv) < 2:
        sys.exit("usage: python -m bench.credentials <postgres server url> [--profile]")
    print(json.dumps(run(sys.argv[1], profiling="--profile" in sys.argv[2:])))


if __name__ == "__main__":
    main()
