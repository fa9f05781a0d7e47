"""The award as a signed W3C Verifiable Credential (Open Badges 3.0, eddsa-jcs-2022) and its
Bitstring Status List, over real HTTP on every backend.

Checked with what nobody here wrote: ``pyld`` expands each credential against the vendored
VC 2.0 and OB 3.0 contexts (tests/data/credentials, never fetched) and no property may be
dropped (an undefined term is) nor fall to a catch-all ``@vocab``; the signature is checked by
``cryptography`` against the key published at ``/.well-known/jwks.json``.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from fastapi.testclient import TestClient
from pyld import jsonld

from domain.verifiable import (
    CONTEXT_OB3,
    CONTEXT_VC2,
    bit_at,
    decode_status_list,
    key_from_multibase,
    verify,
)
from tests.api.helpers import Api, revoke_by_amending_decision
from tests.api.pages import Visitor, give_password
from tests.api.test_certificates import HOLDER, folded, world_with_certificate

CONTEXTS = Path(__file__).resolve().parents[1] / "data" / "credentials"
VENDORED = {
    CONTEXT_VC2: CONTEXTS / "credentials-v2.jsonld",
    CONTEXT_OB3: CONTEXTS / "ob-context-3.0.3.json",
}
CATCH_ALL = "https://www.w3.org/ns/credentials/issuer-dependent#"


def loader(url: str, options: Any = None) -> dict[str, Any]:
    """Serves the vendored contexts only: any other address fails the expansion."""
    if url not in VENDORED:
        raise jsonld.JsonLdError(f"not vendored: {url}", "loading document failed")
    document = json.loads(VENDORED[url].read_text("utf-8"))
    return {"contextUrl": None, "documentUrl": url, "document": document}


def _iris(expanded: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(expanded, list):
        for item in expanded:
            found |= _iris(item)
    elif isinstance(expanded, dict):
        for key, value in expanded.items():
            found.add(key)
            if key == "@type":
                found |= set(value if isinstance(value, list) else [value])
            found |= _iris(value)
    return found


def _leaves(value: Any) -> int:
    if isinstance(value, list):
        return sum(_leaves(v) for v in value)
    if isinstance(value, dict):
        if "@value" in value:  # an expanded literal, with its datatype or language: one
            return 1
        return sum(_leaves(v) for k, v in value.items() if k != "@context")
    return 1


def well_formed(document: dict[str, Any]) -> list[Any]:
    """The JSON-LD expansion of ``document``, having checked that every property and type
    expands to a defined IRI and that no value was dropped on the way."""
    expanded = jsonld.expand(copy.deepcopy(document), {"documentLoader": loader})
    iris = _iris(expanded)
    assert not [i for i in iris if i.startswith(CATCH_ALL)], "terms no context defines"
    assert all(i.startswith(("@", "https://", "http://")) for i in iris), iris
    assert _leaves(expanded) == _leaves(document)  # nothing dropped
    return expanded


def ed25519_verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def published_key(client: TestClient) -> bytes:
    keys = client.get("/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 1 and keys[0]["crv"] == "Ed25519"
    x = keys[0]["x"]
    public = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
    did = client.get("/chung-chi/ben-cap.json").json()
    method = did["verificationMethod"][0]
    assert method["id"] == keys[0]["kid"] and did["assertionMethod"] == [method["id"]]
    assert key_from_multibase(method["publicKeyMultibase"]) == public
    return public


def download(api: Api) -> tuple[dict[str, Any], dict[str, Any]]:
    world = world_with_certificate(api)
    assert f"/trang/ho-so/{world['case']}/chung-chi.json" in world["page"]  # the button
    holder = Visitor(api.client.app)
    assert holder.sign_in("lan").status_code == 303
    answer = holder.get(f"/trang/ho-so/{world['case']}/chung-chi.json")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vc")
    assert "attachment" in answer.headers["content-disposition"]
    return world, answer.json()


def status_bit(client: TestClient, credential: dict[str, Any], public: bytes) -> bool:
    entry = credential["credentialStatus"]
    listed = client.get(entry["statusListCredential"].removeprefix("http://testserver"))
    assert listed.status_code == 200
    status_list = listed.json()
    assert verify(status_list, [public], ed25519_verify) is None
    assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert status_list["credentialSubject"]["statusPurpose"] == "revocation"
    well_formed(status_list)
    bits = decode_status_list(status_list["credentialSubject"]["encodedList"])
    return bit_at(bits, int(entry["statusListIndex"]))


def test_the_holder_downloads_a_signed_open_badge_that_expands_and_verifies(api: Api):
    world, credential = download(api)
    public = TestClient(api.client.app)
    key = published_key(public)
    assert verify(credential, [key], ed25519_verify) is None
    assert credential["@context"] == [CONTEXT_VC2, CONTEXT_OB3]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == f"http://testserver/xac-minh/{world['serial']}"
    assert credential["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert credential["issuer"]["id"] == credential["proof"]["verificationMethod"].split("#")[0]
    subject = credential["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    assert subject["achievement"]["name"] == "Công dân học tập"
    assert subject["achievement"]["version"]
    evidence = [e["id"] for e in credential["evidence"]]
    assert evidence == [
        f"http://testserver/decisions/{world['decision']}",
        f"http://testserver/cases/{world['case']}/explanation.html",
    ]
    expanded = well_formed(credential)
    assert "https://purl.imsglobal.org/spec/vc/ob/vocab.html#AchievementSubject" in _iris(expanded)
    # no CCCD, no birth date, no name: only the name's salted hash, checkable by whoever is told
    text = json.dumps(credential, ensure_ascii=False)
    assert HOLDER not in text and "1991" not in text and "Lan" not in text
    (identity,) = subject["identifier"]
    assert identity["hashed"] is True and identity["identityType"] == "name"
    folded_name = "phạm thị lan"
    expected = hashlib.sha256((folded_name + identity["salt"]).encode()).hexdigest()
    assert identity["identityHash"] == "sha256$" + expected
    assert status_bit(public, credential, key) is False


def test_a_revoked_title_flips_its_bit_within_one_fold(api: Api):
    world, credential = download(api)
    public = TestClient(api.client.app)
    key = published_key(public)
    assert status_bit(public, credential, key) is False
    revoke_by_amending_decision(api, world, "Minh chứng sai")
    folded(api)
    assert status_bit(public, credential, key) is True
    # the credential's signature still holds: revocation is the list's business
    assert verify(credential, [key], ed25519_verify) is None
    assert public.get(f"/xac-minh/{world['serial']}.json").json()["status"] == "revoked"


def test_tampered_and_swapped_credentials_fail_against_the_published_key(api: Api):
    _, credential = download(api)
    key = published_key(TestClient(api.client.app))
    raised = copy.deepcopy(credential)
    raised["validUntil"] = "2099-12-31T23:59:59+07:00"
    assert "chữ ký không đúng" in str(verify(raised, [key], ed25519_verify))
    renamed = copy.deepcopy(credential)
    renamed["credentialSubject"]["achievement"]["name"] = "Gia đình học tập"
    assert "chữ ký không đúng" in str(verify(renamed, [key], ed25519_verify))
    status_list = TestClient(api.client.app).get("/chung-chi/trang-thai/0").json()
    swapped = copy.deepcopy(credential) | {"proof": status_list["proof"]}
    assert "chữ ký không đúng" in str(verify(swapped, [key], ed25519_verify))


def test_status_lists_that_cannot_exist_are_not_found(api: Api):
    public = TestClient(api.client.app)
    for number in ("1", "99999999999", "-1"):
        assert public.get(f"/chung-chi/trang-thai/{number}").status_code == 404
    assert public.get("/chung-chi/trang-thai/abc").status_code in (404, 422)


def test_the_json_ld_check_itself_catches_an_undefined_or_dropped_term(api: Api):
    _, credential = download(api)
    undefined = copy.deepcopy(credential)
    undefined["credentialSubject"]["soCccd"] = "001091000001"  # no context defines it
    with pytest.raises(AssertionError):
        well_formed(undefined)
    top = copy.deepcopy(credential) | {"soCccd": "001091000001"}  # top level too
    with pytest.raises(AssertionError):
        well_formed(top)
    dropped = copy.deepcopy(credential)
    dropped["credentialSubject"]["achievement"]["@unknownKeyword"] = "x"  # expansion drops it
    with pytest.raises(AssertionError, match="_leaves"):
        well_formed(dropped)


def test_a_reader_who_sees_only_initials_gets_no_name_hash(api: Api):
    """A salted hash beside the initials would let a signer (whose role reads no personal
    data) guess the name offline: their copy goes without it; the officer's keeps it."""
    world, _ = download(api)
    copies = {}
    for account in ("signer", "officer"):
        give_password(api.ledger, account)
        reader = Visitor(api.client.app)
        assert reader.sign_in(account).status_code == 303
        answer = reader.get(f"/trang/ho-so/{world['case']}/chung-chi.json")
        assert answer.status_code == 200, answer.text
        copies[account] = answer.json()
    assert "identifier" not in copies["signer"]["credentialSubject"]
    assert "identifier" in copies["officer"]["credentialSubject"]
    key = published_key(TestClient(api.client.app))
    assert all(verify(c, [key], ed25519_verify) is None for c in copies.values())
    assert "P. T. L." not in json.dumps(copies["signer"], ensure_ascii=False)


def test_api_clients_get_the_same_credential_with_a_token(api: Api):
    world, page_copy = download(api)
    answer = api.client.get(f"/cases/{world['case']}/credential", headers=api.headers("lan"))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/vc")
    credential = answer.json()
    key = published_key(TestClient(api.client.app))
    assert verify(credential, [key], ed25519_verify) is None
    unproven = {k: v for k, v in credential.items() if k != "proof"}
    assert unproven == {k: v for k, v in page_copy.items() if k != "proof"}
    assert "identifier" in credential["credentialSubject"]  # the holder sees their name
