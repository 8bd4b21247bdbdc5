"""The health check's promise, as a test helper: no output puts a name to a score."""

from __future__ import annotations

import hashlib
import hmac
import json


def assert_anonymous(outputs: list[str], answers) -> None:
    """No output that names a respondent carries their scores or their comment.

    ``answers`` are (person, scores, comment); ``outputs`` are texts the bot sent, showed or
    logged. Scores are looked for in every shape code would print them in."""
    for person, scores, comment in answers:
        shapes = {" ".join(map(str, scores)), ",".join(map(str, scores)), ", ".join(map(str, scores)),
                  repr(tuple(scores)), repr(list(scores))}
        for text in outputs:
            if person in text:
                assert not any(shape in text for shape in shapes), f"{person}'s scores next to their ID: {text}"
                assert not comment or comment not in text, f"{person}'s comment next to their ID: {text}"


# --- answer keys ---------------------------------------------------------------------------------

SEPARATORS = ("", ":", "|", "-", "/", " ", ",", ".", "_", "\n", "\0")
MODULI = (2**31 - 1, 2**32, 2**53, 2**61 - 1, 2**62, 2**62 - 1, 2**63, 2**63 - 1, 2**64, 10**9, 10**12, 10**15,
          10**18)


def _messages(round_ids, person: str) -> set[bytes]:
    """Every obvious way code would put a round and a person into one string."""
    texts = {person}
    for round_id in round_ids:
        texts.add(str(round_id))
        for first, second in ((round_id, person), (person, round_id)):
            texts.update(f"{first}{sep}{second}" for sep in SEPARATORS)
        texts.update({json.dumps([round_id, person]), json.dumps({"round": round_id, "person": person}),
                      repr((round_id, person)), repr([round_id, person]), f"round:{round_id}:person:{person}"})
    return {text.encode() for text in texts}


HMACS = ("md5", "sha1", "sha256", "sha512", "blake2b", "blake2s")


def _digests(message: bytes, keys: set[bytes]):
    for name in sorted(hashlib.algorithms_guaranteed):
        if name.startswith("shake_"):
            yield getattr(hashlib, name)(message).digest(16 if name == "shake_128" else 32)
        else:
            yield hashlib.new(name, message).digest()
    for size in (8, 16, 32):
        yield hashlib.blake2b(message, digest_size=size).digest()
        yield hashlib.blake2s(message, digest_size=size).digest()
    for name in HMACS:
        for key in keys:
            yield hmac.new(key, message, name).digest()


class _Readings:
    """What a key would look like if it were read out of a digest, for a set of keys."""

    def __init__(self, keys: list[int]):
        wanted = {value for key in keys for value in (key, key - 1)}
        self.values = wanted
        self.bits = {f"{value:b}"[-48:] for value in wanted if value > 2**48}
        self.hexes = {f"{value:x}"[:10] for value in wanted if len(f"{value:x}") > 10}

    def found_in(self, digest: bytes) -> bool:
        """Whether any key is a plain reading of ``digest``: a run of its bits (big- or
        little-endian, shifted, masked, truncated, plus one), its value modulo a round number,
        or its hexadecimal digits."""
        for data in (digest, digest[::-1]):
            whole = int.from_bytes(data, "big")
            if any(whole % modulus in self.values for modulus in MODULI):
                return True
            bits = format(whole, f"0{len(data) * 8}b")
            if any(pattern in bits for pattern in self.bits):
                return True
        text = digest.hex()
        return any(pattern in text for pattern in self.hexes)


def assert_keys_unrelated(keys: list[int], round_ids, person: str, secrets: set[str],
                          stored: set[str] = frozenset()) -> None:
    """No answer key is a hash (md5, sha1, sha2, sha3, blake2, shake) of the round and the
    person in any obvious concatenation, nor an HMAC of them keyed with any of ``secrets``,
    the round, the person or nothing, nor (in the plainest concatenations) keyed with any
    text ``stored`` in the database: with the staff list and the database, such a key would
    name who answered."""
    readings = _Readings(keys)
    hmac_keys = {b""} | {str(value).encode() for value in (*secrets, *round_ids, person)}
    for message in _messages(round_ids, person):
        for digest in _digests(message, hmac_keys):
            assert not readings.found_in(digest), f"an answer key is derived from {message!r}"
    plain = {f"{round_id}{sep}{person}".encode() for round_id in round_ids for sep in ("", ":", "|", "-")}
    salts = {text.encode() for text in stored} - hmac_keys
    for message in plain:
        for name in HMACS:
            for salt in salts:
                digest = hmac.new(salt, message, name).digest()
                assert not readings.found_in(digest), f"an answer key is an HMAC of {message!r} keyed with {salt!r}"
