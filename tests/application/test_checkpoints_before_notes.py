"""Checkpoints signed before the note form existed keep verifying, on SQLite and PostgreSQL.

Their table had no ``note`` column: creating the tables again adds it, the old rows read
back with no note, still verify, and the next checkpoint is signed in both forms.
"""

from __future__ import annotations

from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from application.adapters.checkpoints import Checkpoint, checkpoint_body
from application.ledger import Ledger
from application.services.records import VIETNAM
from tests.application.test_tamper import RawLog, backend, world  # noqa: F401  (fixtures)

LATER = datetime(2026, 11, 21, 10, tzinfo=VIETNAM)


def test_an_old_checkpoint_table_gains_the_note_column_and_its_rows_still_verify(world):  # noqa: F811
    ledger, raw = world
    old = ledger.auditor.checkpoints.all()[0]
    # The table as it was before: the same columns but the note.
    raw.run(f"DROP TABLE {raw.checkpoints}")
    raw.run(
        f"CREATE TABLE {raw.checkpoints} (tree_size bigint, root_hash "
        + ("BLOB" if raw.sqlite else "bytea")
        + ", signed_at text, signature "
        + ("BLOB" if raw.sqlite else "bytea")
        + ")"
    )
    key = Ed25519PrivateKey.from_private_bytes(ledger.settings.signing_seed())
    signature = key.sign(checkpoint_body(old.tree_size, old.root_hash, old.signed_at))
    raw.run(
        f"INSERT INTO {raw.checkpoints} VALUES (?, ?, ?, ?)",
        (old.tree_size, old.root_hash, old.signed_at.isoformat(), signature),
    )

    again = Ledger(ledger.settings)  # creates the tables again: adds the column
    try:
        assert again.auditor.checkpoints.all() == [
            Checkpoint(old.tree_size, old.root_hash, old.signed_at, signature)
        ]
        report = again.auditor.verify()
        assert report.ok and report.checkpoints == 1
        assert again.auditor.make_checkpoint(LATER).note
        assert again.cosignatures.latest().text.startswith(again.auditor.origin + "\n")
    finally:
        again.close()
