"""The key file at start-up: loaded, checked against the database, and the platform
data key unwrapped (or made, the first time)."""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from schema.audit import PLATFORM_CHAIN, record
from schema.db import new_id, utcnow
from schema.tables.accounts import KeyCheck, PlatformKey
from security.crypto import new_data_key, unwrap_key, wrap_key
from security.keyring import Keyring, KeyringError, keyring_from_env, load_keyring
from security.platform import PlatformKeys
from server.database import write_transaction
from server.settings import Settings

PLATFORM_KEY_PURPOSE = "platform-data-key"


class KeysRefused(Exception):
    """The keys cannot be used: one line saying why, never key material."""


def load_keys(settings: Settings) -> Keyring:
    """The keyring from `UPRIGHT_KEYS` or the key file; production refuses demo keys."""
    try:
        if settings.keys is not None:
            keyring = keyring_from_env(settings.keys.get_secret_value())
        elif not settings.keys_file.exists():
            raise KeysRefused(
                f"no key file at {settings.keys_file}: create one with `upright keys generate` "
                "(or `upright keys init` for development), or set UPRIGHT_KEYS_FILE"
            )
        else:
            keyring = load_keyring(settings.keys_file)
    except KeyringError as error:
        raise KeysRefused(str(error)) from None
    if keyring.demo and not settings.development:
        raise KeysRefused("demo keys are refused in production: use `upright keys generate`")
    return keyring


async def open_platform_keys(engine: AsyncEngine, keyring: Keyring) -> PlatformKeys:
    """Check every key version against its stored check value, record new versions,
    and unwrap the platform data key (making it on a fresh database). Safe to run
    from several processes at once: a lost race is retried."""
    for attempt in (1, 2):
        try:
            return await _open(engine, keyring)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def _open(engine: AsyncEngine, keyring: Keyring) -> PlatformKeys:
    async with write_transaction(engine) as connection:
        recorded = (await connection.execute(select(KeyCheck.__table__))).all()
        stored = {(row.root, row.version): row.check_value for row in recorded}
        destroyed = {(row.root, row.version): row.destroyed_at for row in recorded}
        now = utcnow()
        checks = keyring.check_values()
        for root, version in sorted(stored):
            present = version in checks.get(root, {})
            when = destroyed[root, version]
            if when is not None and present:
                # Keeping it would let backups from its time decrypt again.
                raise KeysRefused(
                    f"the key file still holds {root} version {version}, destroyed on "
                    f"{when:%Y-%m-%d}: use the key file `upright keys destroy` wrote"
                )
            if when is None and not present:
                raise KeysRefused(
                    f"the key file lacks {root} version {version}, which this database uses: "
                    "wrong or outdated key file?"
                )
        for root, versions in checks.items():
            for version, check_value in versions.items():
                known = stored.get((root, version))
                if known is None:
                    await connection.execute(
                        insert(KeyCheck).values(
                            id=new_id(),
                            root=root,
                            version=version,
                            check_value=check_value,
                            created_at=now,
                        )
                    )
                    await record(
                        connection,
                        PLATFORM_CHAIN,
                        "keys.version-recorded",
                        now,
                        details={"root": root, "version": version},
                    )
                elif known != check_value:
                    raise KeysRefused(
                        f"the key file does not match this database ({root} version {version}): "
                        "wrong key file?"
                    )
        rows = (await connection.execute(select(PlatformKey.__table__))).all()
        if not rows:
            version, kek = keyring.kek.primary_key()
            wrapped = wrap_key(kek, version, new_data_key(), PLATFORM_KEY_PURPOSE)
            await connection.execute(
                insert(PlatformKey).values(
                    id=new_id(),
                    generation=1,
                    wrapped_key=wrapped,
                    kek_version=version,
                    created_at=now,
                    updated_at=now,
                    version=1,
                )
            )
            await record(
                connection,
                PLATFORM_CHAIN,
                "keys.platform-key-created",
                now,
                details={"generation": 1, "kek_version": version},
            )
            rows = (await connection.execute(select(PlatformKey.__table__))).all()
    try:
        data_keys = {
            row.generation: unwrap_key(keyring.kek.key, row.wrapped_key, PLATFORM_KEY_PURPOSE)
            for row in rows
        }
    except KeyringError as error:
        raise KeysRefused(str(error)) from None
    return PlatformKeys(keyring=keyring, data_keys=data_keys, generation=max(data_keys))
