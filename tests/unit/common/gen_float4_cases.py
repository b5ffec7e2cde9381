"""Computes the expected answers of Float4Text.AgreesWithPostgreSQL (value_test.cpp) on a real PostgreSQL 15:
float4out of ~6,000 floats (edge values, powers of two and ten, integers around 2^24, denormals, numbers
that are midpoints' neighbours, and random bit patterns), written to float4_cases.tsv as `bits<TAB>text`.

    PG_REFERENCE_CMD="/usr/bin/python3 tests/unit/common/gen_float4_cases.py" tests/sqllogictest/pg_reference.sh
"""

import os
import random
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


def bits_of(x):
    return struct.unpack("<I", struct.pack("<f", x))[0]


def float_of(b):
    return struct.unpack("<f", struct.pack("<I", b))[0]


def cases():
    out = set()
    for b in (0, 1, 2, 3, 0x007FFFFF, 0x00800000, 0x00800001, 0x7F7FFFFF, 0x7F7FFFFE, 0x3F800000, 0x3F800001,
              0x3F7FFFFF):
        out.add(b)
        out.add(b | 0x80000000)
    for e in range(-149, 128):
        x = 2.0 ** e
        if x < 3.5e38:
            b = bits_of(x)
            out.update((b, b + 1, b - 1 if b > 0 else b))
    for e in range(-45, 39):
        for m in (1, 2, 3, 5, 7, 9, 11, 15, 25, 99, 123, 999, 12345, 999999, 1234567, 9999999):
            try:
                b = bits_of(float("%de%d" % (m, e)))
            except OverflowError:
                continue
            if b < 0x7F800000:
                out.update((b, b + 1, b - 1 if b > 0 else b))
    for n in list(range(16777200, 16777240)) + list(range(0, 2000)):
        out.add(bits_of(float(n)))
    rng = random.Random(15)
    while len(out) < 6000:
        b = rng.getrandbits(32)
        if (b & 0x7F800000) != 0x7F800000:  # not NaN or infinity: those are checked by hand
            out.add(b)
    return sorted(out)


def main():
    bits = cases()
    literals = ",".join("'%s'" % repr(float_of(b)) for b in bits)
    sql = "SELECT v::real::text FROM unnest(ARRAY[%s]::text[]) WITH ORDINALITY u(v, i) ORDER BY i" % literals
    res = subprocess.run(["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1"], input=sql, capture_output=True,
                         text=True, check=True)
    texts = res.stdout.splitlines()
    assert len(texts) == len(bits), (len(texts), len(bits))
    with open(os.path.join(HERE, "float4_cases.tsv"), "w") as f:
        f.write("# float4out of PostgreSQL 15 (gen_float4_cases.py): IEEE single bits (hex)\ttext\n")
        for b, t in zip(bits, texts):
            f.write("%08x\t%s\n" % (b, t))
    print("%d cases" % len(bits))


if __name__ == "__main__":
    main()
