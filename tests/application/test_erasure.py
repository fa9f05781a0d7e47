"""Erasure erases: the key and the look-up hash go, the number can be registered anew, a
household named after its head loses its name, and old keys re-wrapped under a new
key-encryption key leave a backup from before the erasure unable to read the erased."""

from __future__ import annotations

import base64
import secrets
import uuid

import pytest

from application.adapters.keys import MemoryKeyStore
from application.adapters.vault import KeyEncryptionKeyMissing, PersonalDataVault
from application.ledger import Ledger
from application.services.records import FixedClock
from application.settings import KeyRing, Settings
from domain.errors import NotFound, VersionConflict
from domain.glossary import SubjectKind
from domain.registry import Collective, Person
from tests.application.test_personal_data import ADMIN, CCCD, NAME, register_people

ERASURE = "Yêu cầu xóa dữ liệu cá nhân"


def test_an_erased_person_is_not_found_by_cccd_and_registers_again_as_a_new_person(
    settings: Settings, clock: FixedClock
):
    ledger = Ledger(settings, clock=clock)
    try:
        person = register_people(ledger)
        with pytest.raises(VersionConflict):
            ledger.registry.register_person(
                ADMIN, cccd=CCCD, full_name=NAME, birth_date=None, gender=None,
                ethnicity=None, target_group=None, unit_id=person.unit_id,
            )  # fmt: skip
        ledger.registry.erase_person(ADMIN, person.id, ERASURE)
        with pytest.raises(NotFound):
            ledger.registry.find_person_by_cccd(CCCD)
        again = ledger.registry.register_person(
            ADMIN, cccd=CCCD, full_name=NAME, birth_date=None, gender=None,
            ethnicity=None, target_group=None, unit_id=person.unit_id,
        )  # fmt: skip
        assert again.id != person.id
        assert ledger.registry.find_person_by_cccd(CCCD).id == again.id
        assert ledger.records.get(Person, person.id).erased  # the old record stays, erased
        assert ledger.vault.erased(person.id) and not ledger.vault.erased(again.id)
    finally:
        ledger.close()


def test_erasing_a_household_head_erases_the_household_name(settings: Settings, clock: FixedClock):
    ledger = Ledger(settings, clock=clock)
    try:
        person = register_people(ledger)
        headed = ledger.registry.register_collective(
            ADMIN, kind=SubjectKind.HOUSEHOLD, name=f"Hộ bà {NAME}", unit_id=person.unit_id
        )
        ledger.registry.add_member(ADMIN, headed.id, person.id, "chu_ho")
        other = next(iter(person.households))  # where the person is a child, not the head
        ledger.registry.erase_person(ADMIN, person.id, ERASURE)
        household = ledger.records.get(Collective, headed.id)
        assert ledger.vault.unseal(household.id, household.sealed) is None
        kept = ledger.records.get(Collective, other)
        assert ledger.vault.unseal(kept.id, kept.sealed) is not None
    finally:
        ledger.close()


def _key() -> bytes:
    return secrets.token_bytes(32)


def test_keys_wrapped_before_key_encryption_keys_had_ids_still_unwrap():
    legacy, store = _key(), MemoryKeyStore()
    before = PersonalDataVault(store, KeyRing("0", {"0": legacy}), b"lookup")
    person = before.enrol(uuid.uuid4(), "hash")
    sealed = before.seal(person, {"full_name": NAME})
    after = PersonalDataVault(store, KeyRing("1", {"0": legacy, "1": _key()}), b"lookup")
    assert after.unseal(person, sealed) == {"full_name": NAME}


def test_after_a_rotation_and_the_old_key_destroyed_a_backup_cannot_unwrap_the_erased():
    old, new, store = _key(), _key(), MemoryKeyStore()
    vault = PersonalDataVault(store, KeyRing("0", {"0": old}), b"lookup")
    erased, kept = uuid.uuid4(), uuid.uuid4()
    sealed = {s: vault.seal(s, {"full_name": str(s)}) for s in (erased, kept)}
    backup = MemoryKeyStore()  # a copy of the key table, taken before the erasure
    for subject in (erased, kept):
        wrapped = store.get(subject)
        assert wrapped is not None
        backup.put_if_absent(subject, wrapped)

    rotated = PersonalDataVault(store, KeyRing("1", {"0": old, "1": new}), b"lookup")
    assert rotated.keys_to_rewrap() == 2
    assert rotated.rewrap(batch=1) == 2
    assert rotated.rewrap() == 0  # run again: nothing left to do
    rotated.erase(erased)
    assert rotated.keys_by_kek() == {"1": 1}

    after = PersonalDataVault(store, KeyRing("1", {"1": new}), b"lookup")  # old key destroyed
    assert after.unseal(kept, sealed[kept]) == {"full_name": str(kept)}
    restored = PersonalDataVault(backup, KeyRing("1", {"1": new}), b"lookup")
    with pytest.raises(KeyEncryptionKeyMissing):
        restored.unseal(erased, sealed[erased])


def test_a_rotation_cut_off_halfway_is_finished_by_running_it_again():
    old, new, store = _key(), _key(), MemoryKeyStore()
    vault = PersonalDataVault(store, KeyRing("0", {"0": old}), b"lookup")
    subjects = [uuid.uuid4() for _ in range(5)]
    for subject in subjects:
        vault.seal(subject, {"n": 1})
    rotated = PersonalDataVault(store, KeyRing("1", {"0": old, "1": new}), b"lookup")
    with pytest.raises(_Stopped):  # the process dies after its first batch
        rotated.rewrap(batch=2, progress=_stop)
    assert rotated.keys_to_rewrap() == 3
    assert rotated.rewrap() == 3
    assert rotated.keys_by_kek() == {"1": 5}


class _Stopped(Exception):
    pass


def _stop(_: int) -> None:
    raise _Stopped


def test_the_key_ring_reads_more_keys_and_the_active_one_from_settings(tmp_path):
    one, two = (base64.b64encode(_key()).decode() for _ in range(2))
    settings = Settings(
        environment="test",
        var_dir=tmp_path,
        master_key=one,
        lookup_secret="x" * 20,
        key_encryption_keys=f'{{"2": "{two}"}}',
    )
    ring = settings.key_ring()
    assert ring.active == "2" and set(ring.keys) == {"0", "2"}


def test_development_rotation_adds_a_key_and_retiring_blanks_it(tmp_path):
    settings = Settings(environment="development", var_dir=tmp_path)
    assert settings.key_ring().active == "0"
    assert settings.add_development_kek() == "1"
    assert settings.key_ring().active == "1"
    settings.retire_development_kek("0")
    assert set(settings.key_ring().keys) == {"1"}
