#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets from the shared test vectors.

Usage: make_seeds.py SHARED_DIR OUT_DIR

SHARED_DIR is the shared/ folder beside the checkout (../shared); OUT_DIR
receives one folder per fuzz target (base64url, json, jws, entity_statement,
policy, query_params, jwk, entity_id, value_codec), each emptied first, with one file per seed named by
the SHA-1 of its content (as libFuzzer names corpus entries). Only public
data is written: the vectors hold no private key that a seed needs.
"""

import hashlib
import json
import pathlib
import re
import struct
import sys

JWS_PATTERN = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")
RP = "openid_relying_party"
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")


def load(shared, relative):
    return json.loads((shared / relative).read_text(encoding="utf-8"))


def compact_json(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def all_files(shared):
    """Every JSON text of the shared vectors, for scanning."""
    for path in sorted(shared.rglob("*.json")):
        yield path.read_text(encoding="utf-8")


def compact_jws(shared):
    found = set()
    for text in all_files(shared):
        found.update(JWS_PATTERN.findall(text))
    return sorted(found)


def claim_sets(shared):
    """Decoded JWT claim sets with iss and sub (Entity Statements and kin).

    The spec's figures abbreviate their keys, so each claim set with a jwks
    also comes with the Figure 4 Trust Anchor's real public jwks instead,
    which lets parsing go past the jwks rule to the later ones."""
    chain = load(shared, "oidfed-vectors/spec/trust_chain_signed.json")["meta"]
    real_jwks = chain["configured_trust_anchor"]["jwks"]
    sets = []
    for figure in load(shared, "oidfed-vectors/spec/spec_examples.json")["figures"]:
        value = figure.get("json")
        if isinstance(value, dict) and "iss" in value and "sub" in value:
            sets.append(value)
        for decoded in figure.get("decoded_jwts") or []:
            sets.append(decoded["payload"])
    for decoded in chain["decoded"]:
        sets.append(decoded["payload"])
    return sets + [dict(claims, jwks=real_jwks) for claims in sets if "jwks" in claims]


def jws_headers(shared):
    headers = []
    for figure in load(shared, "oidfed-vectors/spec/spec_examples.json")["figures"]:
        for decoded in figure.get("decoded_jwts") or []:
            headers.append(decoded["header"])
    for decoded in load(shared, "oidfed-vectors/spec/trust_chain_signed.json")["meta"]["decoded"]:
        headers.append(decoded["header"])
    headers.append({"alg": "ES256", "kid": "kid-ec-sign"})
    headers.append({"alg": "EdDSA", "kid": "rfc8037-ed25519", "typ": "JWT"})
    headers.append({"alg": "none"})
    headers.append({"alg": "RS256", "crit": ["exp"], "exp": 1})
    return headers


def policy_documents(shared):
    documents = []
    for vector in load(shared, "oidfed-vectors/connect2id/metadata-policy-test-vectors-2025-02-13.json"):
        documents.append({
            "policies": [{RP: vector["TA"]}, {RP: vector["INT"]}],
            "metadata": {RP: vector["metadata"]},
        })
    for vector in load(shared, "oidfed-vectors/spec/metadata_policy_combine.json")["vectors"]:
        documents.append({"policies": vector["policies"], "metadata": {}})
    for name in ("oidfed-vectors/spec/metadata_policy_apply.json", "oidfed-vectors/go-oidfed/scope_policy_cases.json"):
        for vector in load(shared, name)["vectors"]:
            entity_type = vector.get("entity_type", RP)
            documents.append({
                "policies": [{entity_type: vector["policy"]}],
                "metadata": {entity_type: vector["metadata"]},
            })
    # metadata_policy_crit, understood and not.
    documents.append({
        "policies": [{RP: {"scope": {"subset_of": ["openid"], "custom_op": 1}}}],
        "metadata": {RP: {"scope": "openid email"}},
        "metadata_policy_crit": ["custom_op"],
    })
    return documents


def query_strings(shared):
    queries = [
        "", "&", "=", "a", "a=", "=b", "a=b&a=c", "a=b&&c=d", "+", "%20", "%", "%2", "%zz", "%00", "%7F",
        "%C3%A9", "%E2%82%AC", "%F0%9F%98%80", "%ED%A0%80", "%C0%AF", "%F4%90%80%80",
        "sub=https%3A%2F%2Frp.example.com",
        "sub=https%3A%2F%2Frp.example.com&trust_anchor=https%3A%2F%2Fta.example.org&entity_type=openid_relying_party",
        "sub=https://rp.example&trust_anchor=https://ta1.example&trust_anchor=https://ta2.example",
        "trust_mark_type=https%3A%2F%2Ftm.example%2Fsilver&sub=https%3A%2F%2Frp.example",
        "entity_type=openid_provider&entity_type=federation_entity&trust_marked=true&intermediate=false",
        "trust_mark=eyJhbGciOiJFUzI1NiJ9.e30.c2ln",
    ]
    for case in load(shared, "oidfed-vectors/spec/misc.json")["fetch_request"]:
        url = case["expected_get"]
        queries.append(url.split("?", 1)[1])
    return queries


def base64url_texts(shared):
    texts = {"", "A", "AA", "AAA", "AAAA", "AB", "AQAB", "-_", "_w", "__8", "AA==", "A+/", " AA"}
    for jws in compact_jws(shared):
        texts.update(jws.split("."))
    return sorted(texts)


def json_texts(shared):
    texts = ["{}", "[]", "null", "1e400", "-0", "1.5e-320", "9223372036854775808", '"\\ud800"', '"\\u0000"',
             '{"a":1,"a":2}', "[[[[[[[[]]]]]]]]", '\ufeff{}']
    for name in ("oidfed-vectors/spec/spec_examples.json",):
        for figure in load(shared, name)["figures"]:
            if figure.get("json") is not None:
                texts.append(compact_json(figure["json"]))
    for path in sorted((shared / "jose-vectors/ietf-jose-cookbook").rglob("*.json")):
        texts.append(path.read_text(encoding="utf-8"))
    return texts


def walk(value):
    """Every dict and string inside a JSON value."""
    if isinstance(value, dict):
        yield value
        for member in value.values():
            yield from walk(member)
    elif isinstance(value, list):
        for element in value:
            yield from walk(element)
    elif isinstance(value, str):
        yield value


def public_only(value):
    """`value` without any private JWK member, at any depth."""
    if isinstance(value, dict):
        return {k: public_only(v) for k, v in value.items() if k not in PRIVATE_MEMBERS}
    if isinstance(value, list):
        return [public_only(element) for element in value]
    return value


def jwk_documents(shared):
    """Every JWK and JWK Set in the vectors (public members only)."""
    found = {}
    for text in all_files(shared):
        for value in walk(json.loads(text)):
            if isinstance(value, dict) and ("kty" in value or isinstance(value.get("keys"), list)):
                found[compact_json(public_only(value))] = True
    return sorted(found)


def entity_ids(shared):
    ids = {"https://a.example", "http://127.0.0.1:8777/ta", "https://[::1]:8443/x", "https://A.example/",
           "https://a.example:0", "https://a.example/p?q", "https://u@a.example", "https:///x", "https://a b"}
    for text in all_files(shared):
        for value in walk(json.loads(text)):
            if isinstance(value, str) and value.startswith(("https://", "http://")) and len(value) < 200:
                ids.add(value)
    return sorted(ids)


def cache_frame(value, expires_at=1700000000, negative=False, version=1, flags=None):
    """A Redis cache value frame as src/cache/value_codec.h lays it out:
    "OFC", version, flags (bit 0 = negative), expiresAt as a big-endian
    int64, the value length as a big-endian uint32, then the value."""
    if flags is None:
        flags = 1 if negative else 0
    return b"OFC" + bytes([version, flags]) + struct.pack(">qI", expires_at, len(value)) + value


def resp_bulk(data):
    return b"$%d\r\n" % len(data) + data + b"\r\n"


def resp_array(items):
    return b"*%d\r\n" % len(items) + b"".join(items)


def value_codec_inputs(shared):
    """Frames (valid, then truncated, padded or with a bad header field) and
    RESP replies (those the cache reads, error replies, arrays at and over
    RedisConnection's kMaxReplyElements of 4096, nesting at and over the
    reader's depth, protocol errors)."""
    jws = compact_jws(shared)
    values = [b"", b"x", b'{"reason":"not found"}', jws[0].encode("ascii") if jws else b"eyJhbGciOiJub25lIn0.e30."]
    valid = [cache_frame(v) for v in values]
    valid += [cache_frame(b"fail", negative=True), cache_frame(b"v", expires_at=0),
              cache_frame(b"v", expires_at=-1), cache_frame(b"v", expires_at=2**63 - 1)]
    frames = list(valid)
    for frame in valid:
        frames += [frame[:-1], frame + b"\0", frame[:16]]
    frames += [cache_frame(b"v", version=2), cache_frame(b"v", flags=2), b"OFD" + cache_frame(b"v")[3:],
               cache_frame(b"")[:13] + struct.pack(">I", 2**20 + 1), cache_frame(b"")[:13] + b"\xff\xff\xff\xff"]

    replies = [b"+OK\r\n", b"-ERR unknown command\r\n", b"-NOAUTH Authentication required.\r\n",
               b"-LOADING Redis is loading the dataset in memory\r\n", b":42\r\n", b":-9223372036854775808\r\n",
               b"$-1\r\n", b"*-1\r\n", b"*0\r\n", resp_bulk(b"abc"), b"$5\r\nab\r\n", b"$3\r\nabcd\r\n",
               b"?what\r\n", b"+OK", b"*2\r\n$1\r\n0\r\n", b"*4097\r\n", b"*2147483648\r\n",
               b"$2147483648\r\n", b"*4\r\n:1\r\n:2\r\n"]
    replies += [resp_bulk(frame) for frame in valid]
    # A SCAN page: the next cursor and a page of keys.
    replies.append(resp_array([resp_bulk(b"17"), resp_array([resp_bulk(b"oidfed:k%d" % i) for i in range(10)])]))
    replies.append(resp_array([b":1\r\n"] * 4096))
    replies.append(resp_array([b":1\r\n"] * 4097))
    for depth in (8, 9, 10):
        replies.append(b"*1\r\n" * depth + b":1\r\n")
    return frames + replies


def write_corpus(folder, seeds):
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    for seed in seeds:
        data = seed.encode("utf-8") if isinstance(seed, str) else seed
        (folder / hashlib.sha1(data).hexdigest()).write_bytes(data)
    return len(list(folder.iterdir()))


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_seeds.py SHARED_DIR OUT_DIR")
    shared = pathlib.Path(sys.argv[1])
    out = pathlib.Path(sys.argv[2])
    jws = compact_jws(shared)
    corpora = {
        "base64url": base64url_texts(shared),
        "json": json_texts(shared),
        "jws": jws + [compact_json(header) for header in jws_headers(shared)],
        "entity_statement": jws + [compact_json(claims) for claims in claim_sets(shared)],
        "policy": [compact_json(document) for document in policy_documents(shared)],
        "query_params": query_strings(shared),
        "jwk": jwk_documents(shared),
        "entity_id": entity_ids(shared),
        "value_codec": value_codec_inputs(shared),
    }
    for target, seeds in corpora.items():
        count = write_corpus(out / target, seeds)
        print(f"make_seeds: {target}: {count} seeds")


if __name__ == "__main__":
    main()
