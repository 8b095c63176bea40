"""Independent check of TEFT's signed protocol objects (docs/protocol.md, "Signed objects").

Usage: verify_signed.py OBJECT.json [OBJECT.json ...] [--opening OPEN.json --result RESULT.json]

For each file: the envelope's format and version, the canonical JSON of its payload (keys sorted,
no spaces, UTF-8) and the Ed25519 signature over "teft-<type>-v1:" + SHA-256 hex of it, with the
`cryptography` package (not libsodium). With --opening/--result, also that the result's revealed
seed matches the opening's seed commitment. Prints one line per object: "<sha256> <type> ok".
Exits 1 on the first failure, naming it.
"""
import hashlib
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


def check(path):
    raw = open(path, "rb").read()
    env = json.loads(raw)
    if env.get("format") != "teft-signed" or env.get("version") != 1:
        raise SystemExit(f"{path}: not a version-1 teft-signed envelope")
    canonical = json.dumps(env["payload"], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    message = f"teft-{env['type']}-v1:{digest}".encode()
    key = Ed25519PublicKey.from_public_bytes(bytes.fromhex(env["signer"]))
    try:
        key.verify(bytes.fromhex(env["signature"]), message)
    except InvalidSignature:
        raise SystemExit(f"{path}: the signature does not verify")
    print(hashlib.sha256(raw).hexdigest(), env["type"], "ok")
    return env


def main(argv):
    opening = result = None
    files = []
    it = iter(argv)
    for a in it:
        if a == "--opening":
            opening = next(it)
        elif a == "--result":
            result = next(it)
        else:
            files.append(a)
    for f in files:
        check(f)
    if opening and result:
        o = check(opening)["payload"]
        r = check(result)["payload"]
        seed = r["seed"]
        if hashlib.sha256(("teft-seed-v1:" + seed).encode()).hexdigest() != o["seed_commitment"]:
            raise SystemExit("the revealed seed does not match the seed commitment")
        eval_seed = int(hashlib.sha256(f"teft-eval-seed-v1:{r['round']}:{seed}".encode()).hexdigest()[:16], 16)
        if str(eval_seed) != r["eval"]["seed"]:
            raise SystemExit("the held-out batches' seed is not derived from the revealed seed")
        print("seed ok")


if __name__ == "__main__":
    main(sys.argv[1:])
