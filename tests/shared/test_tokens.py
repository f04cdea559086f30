"""Access tokens and the development key pair."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from spotifiuby.config import ConfigError, Settings
from spotifiuby.errors import Unauthorized
from spotifiuby.tokens import TokenService, dev_private_key, new_private_pem, public_pem_of


def test_a_verifier_with_only_the_public_key_accepts_what_the_signer_issued():
    private = new_private_pem()
    signer = TokenService(Settings(jwt_private_key=private))
    verifier = TokenService(Settings(jwt_public_key=public_pem_of(private)))
    assert not verifier.can_sign
    claims = verifier.verify(signer.issue(user_id=7, role="artist"))
    assert (claims.user_id, claims.role) == (7, "artist")
    with pytest.raises(ConfigError):
        verifier.issue(user_id=7, role="artist")


def test_a_token_of_another_deployment_is_refused():
    mine = TokenService(Settings(jwt_private_key=new_private_pem()))
    theirs = TokenService(Settings(jwt_private_key=new_private_pem()))
    with pytest.raises(Unauthorized):
        mine.verify(theirs.issue(user_id=1, role="admin"))


def test_development_processes_agree_on_one_generated_key(tmp_path):
    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: dev_private_key(tmp_path), range(8)))
    assert len(keys) == 1
    assert list((tmp_path / "keys").iterdir()) == [tmp_path / "keys" / "jwt-ed25519.pem"]


def test_production_never_generates_a_key():
    with pytest.raises(ConfigError):
        TokenService(Settings(environment="production"))
