#!/usr/bin/python3
"""TPC-H data generator, written by us from the TPC-H specification (revision 3, clause 4.2: the columns'
rules, cardinalities at scale factor SF, value ranges). Deterministic: the same SF and seed always give the
same bytes. Rows are streamed to files (nothing is held in memory but a small text pool).

    bench/tpch/dbgen.py --sf 0.01 --out DIR [--seed 1]

writes DIR/{region,nation,part,supplier,partsupp,customer,orders,lineitem}.tbl in PostgreSQL COPY text
format (tab-separated, no NULLs, no characters that need escaping).

Where we differ from the specification (and from the official dbgen, whose data we do not reproduce):
- Random numbers come from Python's Mersenne Twister seeded per table, not the specification's generator,
  so the rows are not those of the official dbgen (the answers are not the specification's published ones).
- Comments ("text string [x,y]") are substrings of a 1 MB pool built from a simplified form of the
  specification's pseudo-text grammar (sentences of noun phrases, verb phrases, prepositional phrases
  and terminators over the specification's word lists, abridged), rather than a 300 MB pool.
- O_TOTALPRICE rounds each line's extendedprice * (1 + tax) * (1 - discount) to cents (half up) before
  summing.
- The SF*5 supplier comments with "Customer ... Complaints" / "Customer ... Recommends" (clause 4.2.3)
  get max(1, round(SF*5)) rows each.
"""
import argparse
import datetime
import os
import random
import sys
import time

# --- clause 4.2.3: fixed lists ----------------------------------------------------------------------
REGIONS = ["AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST"]
NATIONS = [("ALGERIA", 0), ("ARGENTINA", 1), ("BRAZIL", 1), ("CANADA", 1), ("EGYPT", 4), ("ETHIOPIA", 0),
           ("FRANCE", 3), ("GERMANY", 3), ("INDIA", 2), ("INDONESIA", 2), ("IRAN", 4), ("IRAQ", 4),
           ("JAPAN", 2), ("JORDAN", 4), ("KENYA", 0), ("MOROCCO", 0), ("MOZAMBIQUE", 0), ("PERU", 1),
           ("CHINA", 2), ("ROMANIA", 3), ("SAUDI ARABIA", 4), ("VIETNAM", 2), ("RUSSIA", 3),
           ("UNITED KINGDOM", 3), ("UNITED STATES", 1)]
# P_NAME is five distinct words of this list (92 words).
COLORS = ("almond antique aquamarine azure beige bisque black blanched blue blush brown burlywood burnished "
          "chartreuse chiffon chocolate coral cornflower cornsilk cream cyan dark deep dim dodger drab "
          "firebrick floral forest frosted gainsboro ghost goldenrod green grey honeydew hot indian ivory "
          "khaki lace lavender lawn lemon light lime linen magenta maroon medium metallic midnight mint "
          "misty moccasin navajo navy olive orange orchid pale papaya peach peru pink plum powder puff "
          "purple red rose rosy royal saddle salmon sandy seashell sienna sky slate smoke snow spring "
          "steel tan thistle tomato turquoise violet wheat white yellow").split()
assert len(COLORS) == 92
TYPE1 = ["STANDARD", "SMALL", "MEDIUM", "LARGE", "ECONOMY", "PROMO"]
TYPE2 = ["ANODIZED", "BURNISHED", "PLATED", "POLISHED", "BRUSHED"]
TYPE3 = ["TIN", "NICKEL", "BRASS", "STEEL", "COPPER"]
TYPES = ["%s %s %s" % (a, b, c) for a in TYPE1 for b in TYPE2 for c in TYPE3]
CONT1 = ["SM", "LG", "MED", "JUMBO", "WRAP"]
CONT2 = ["CASE", "BOX", "BAG", "JAR", "PKG", "PACK", "CAN", "DRUM"]
CONTAINERS = ["%s %s" % (a, b) for a in CONT1 for b in CONT2]
SEGMENTS = ["AUTOMOBILE", "BUILDING", "FURNITURE", "MACHINERY", "HOUSEHOLD"]
PRIORITIES = ["1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW"]
INSTRUCTIONS = ["DELIVER IN PERSON", "COLLECT COD", "NONE", "TAKE BACK RETURN"]
MODES = ["REG AIR", "AIR", "RAIL", "SHIP", "TRUCK", "MAIL", "FOB"]

# Pseudo-text grammar word lists (clause 4.2.2.13, abridged).
NOUNS = ("foxes ideas theodolites pinto beans instructions dependencies excuses platelets asymptotes courts "
         "dolphins multipliers sauternes warthogs frets dinos attainments somas Tiresias patterns forges "
         "braids hockey players frays warhorses dugouts notornis epitaphs pearls tithes waters orbits gifts "
         "sheaves depths sentiments decoys realms pains grouches escapades packages requests accounts "
         "deposits").split()
VERBS = ("sleep wake are cajole haggle nag use boost affix detect integrate maintain nod was lose sublate "
         "solve thrash promise engage hinder print x-ray breach eat grow impress mold poach serve run "
         "dazzle snooze doze unwind kindle play hang believe doubt").split()
ADJECTIVES = ("special pending unusual express furious sly careful blithe quick fluffy slow quiet ruthless "
              "thin close dogged daring brave stealthy permanent enticing idle busy regular final ironic "
              "even bold silent").split()
ADVERBS = ("sometimes always never furiously slyly carefully blithely quickly fluffily slowly quietly "
           "ruthlessly thinly closely doggedly daringly bravely stealthily permanently enticingly idly "
           "busily regularly finally ironically evenly boldly silently").split()
PREPOSITIONS = ("about above according to across after against along alongside of among around at atop "
                "before behind beneath beside besides between beyond by despite during except for from "
                "in place of inside instead of into near of on outside over past since through "
                "throughout to toward under until up upon without with within").split()
AUXILIARIES = ("do may might shall will would can could should ought to must will have to shall have to "
               "could have to should have to must have to need to try to").split()
TERMINATORS = [".", ";", ":", "?", "!", "--"]

START = datetime.date(1992, 1, 1)
END = datetime.date(1998, 12, 31)
CURRENT = datetime.date(1995, 6, 17)
DATES = [(START + datetime.timedelta(days=i)).isoformat() for i in range((END - START).days + 1)]
CURRENT_DAY = (CURRENT - START).days
POOL_SIZE = 1 << 20


def text_pool(seed):
    """The pseudo-text pool: sentences from a simplified grammar (noun phrase, verb phrase, optional
    prepositional phrase, terminator)."""
    rng = random.Random(seed * 7919 + 1)
    ch = rng.choice
    out = []
    n = 0
    while n < POOL_SIZE:
        np_ = ch(NOUNS) if rng.random() < 0.4 else "%s %s" % (ch(ADJECTIVES), ch(NOUNS))
        vp = ch(VERBS) if rng.random() < 0.4 else "%s %s" % (ch(VERBS), ch(ADVERBS))
        if rng.random() < 0.3:
            vp = "%s %s" % (ch(AUXILIARIES), vp)
        s = "%s %s" % (np_, vp)
        if rng.random() < 0.5:
            s += " %s the %s %s" % (ch(PREPOSITIONS), ch(ADJECTIVES), ch(NOUNS))
        s += ch(TERMINATORS) + " "
        out.append(s)
        n += len(s)
    return "".join(out)[:POOL_SIZE]


class Gen:
    def __init__(self, sf, seed, out):
        self.sf = sf
        self.seed = seed
        self.out = out
        self.pool = text_pool(seed)
        self.P = max(1, int(sf * 200000))
        self.S = max(1, int(sf * 10000))
        self.C = max(1, int(sf * 150000))
        self.O = max(1, int(sf * 1500000))

    def rng(self, table):
        return random.Random("%s:%d" % (table, self.seed))

    def texter(self, rng):
        pool, r = self.pool, rng.random
        limit = len(pool)

        def text(lo, hi):
            n = lo + int(r() * (hi - lo + 1))
            off = int(r() * (limit - n))
            return pool[off:off + n].strip() or "x"
        return text

    def open(self, name):
        return open(os.path.join(self.out, name + ".tbl"), "w", buffering=1 << 20)

    # --- clause 4.2.2.7: v-string (random alphanumeric string of length [lo,hi], average (lo+hi)/2)
    @staticmethod
    def vstring(r, lo, hi):
        alnum = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,"
        n = lo + int(r() * (hi - lo + 1))
        return "".join(alnum[int(r() * 63)] for _ in range(n))

    @staticmethod
    def phone(r, nationkey):
        return "%d-%d-%d-%d" % (nationkey + 10, 100 + int(r() * 900), 100 + int(r() * 900),
                                1000 + int(r() * 9000))

    def region_nation(self):
        rng = self.rng("region")
        text = self.texter(rng)
        with self.open("region") as f:
            for k, name in enumerate(REGIONS):
                f.write("%d\t%s\t%s\n" % (k, name, text(31, 115)))
        with self.open("nation") as f:
            for k, (name, rk) in enumerate(NATIONS):
                f.write("%d\t%s\t%d\t%s\n" % (k, name, rk, text(31, 114)))

    def part_partsupp(self):
        rng = self.rng("part")
        r = rng.random
        text = self.texter(rng)
        S = self.S
        with self.open("part") as fp, self.open("partsupp") as fs:
            for pk in range(1, self.P + 1):
                name = " ".join(rng.sample(COLORS, 5))
                m = 1 + int(r() * 5)
                n = 1 + int(r() * 5)
                price = 90000 + ((pk // 10) % 20001) + 100 * (pk % 1000)  # cents
                fp.write("%d\t%s\tManufacturer#%d\tBrand#%d%d\t%s\t%d\t%s\t%s\t%s\n" % (
                    pk, name, m, m, n, TYPES[int(r() * 150)], 1 + int(r() * 50), CONTAINERS[int(r() * 40)],
                    money(price), text(5, 22)))
                for i in range(4):
                    sk = (pk + (i * ((S // 4) + (pk - 1) // S))) % S + 1
                    fs.write("%d\t%d\t%d\t%s\t%s\n" % (pk, sk, 1 + int(r() * 9999), money(100 + int(r() * 99901)),
                                                       text(49, 198)))

    def supplier(self):
        rng = self.rng("supplier")
        r = rng.random
        text = self.texter(rng)
        special = max(1, int(round(self.sf * 5)))
        keys = rng.sample(range(1, self.S + 1), min(self.S, 2 * special))
        complaints, recommends = set(keys[:special]), set(keys[special:])
        with self.open("supplier") as f:
            for sk in range(1, self.S + 1):
                nk = int(r() * 25)
                comment = text(25, 100)
                if sk in complaints or sk in recommends:
                    # "Customer", then any characters, then the word, at a random place in the comment
                    insert = "Customer %s %s" % (text(1, 10), "Complaints" if sk in complaints else "Recommends")
                    base = comment[:max(0, 100 - len(insert))]
                    at = int(r() * (len(base) + 1))
                    comment = base[:at] + insert + base[at:]
                f.write("%d\tSupplier#%09d\t%s\t%d\t%s\t%s\t%s\n" % (
                    sk, sk, self.vstring(r, 10, 40), nk, self.phone(r, nk), money(-99999 + int(r() * 1099999)),
                    comment))

    def customer(self):
        rng = self.rng("customer")
        r = rng.random
        text = self.texter(rng)
        with self.open("customer") as f:
            for ck in range(1, self.C + 1):
                nk = int(r() * 25)
                f.write("%d\tCustomer#%09d\t%s\t%d\t%s\t%s\t%s\t%s\n" % (
                    ck, ck, self.vstring(r, 10, 40), nk, self.phone(r, nk), money(-99999 + int(r() * 1099999)),
                    SEGMENTS[int(r() * 5)], text(29, 116)))

    def orders_lineitem(self):
        rng = self.rng("orders")
        r = rng.random
        text = self.texter(rng)
        P, S, C = self.P, self.S, self.C
        clerks = max(1, int(self.sf * 1000))
        last_order_day = (END - START).days - 151
        with self.open("orders") as fo, self.open("lineitem") as fl:
            lines = []
            for i in range(self.O):
                ok = (i // 8) * 32 + i % 8 + 1
                while True:  # o_custkey: random, never a multiple of 3
                    ck = 1 + int(r() * C)
                    if ck % 3 != 0 or C < 3:
                        break
                od = int(r() * (last_order_day + 1))
                total = 0
                nf = 0
                nlines = 1 + int(r() * 7)
                lines.clear()
                for ln in range(1, nlines + 1):
                    pk = 1 + int(r() * P)
                    j = int(r() * 4)
                    sk = (pk + (j * ((S // 4) + (pk - 1) // S))) % S + 1
                    qty = 1 + int(r() * 50)
                    price = 90000 + ((pk // 10) % 20001) + 100 * (pk % 1000)
                    ext = qty * price  # cents
                    disc = int(r() * 11)  # hundredths
                    tax = int(r() * 9)
                    ship = od + 1 + int(r() * 121)
                    commit = od + 30 + int(r() * 61)
                    receipt = ship + 1 + int(r() * 30)
                    if receipt <= CURRENT_DAY:
                        flag = "R" if r() < 0.5 else "A"
                    else:
                        flag = "N"
                    status = "O" if ship > CURRENT_DAY else "F"
                    nf += status == "F"
                    total += (ext * (100 + tax) * (100 - disc) + 5000) // 10000
                    lines.append("%d\t%d\t%d\t%d\t%d\t%s\t0.%02d\t0.%02d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" % (
                        ok, pk, sk, ln, qty, money(ext), disc, tax, flag, status, DATES[ship], DATES[commit],
                        DATES[receipt], INSTRUCTIONS[int(r() * 4)], MODES[int(r() * 7)], text(10, 43)))
                ostatus = "F" if nf == nlines else ("O" if nf == 0 else "P")
                fo.write("%d\t%d\t%s\t%s\t%s\t%s\tClerk#%09d\t0\t%s\n" % (
                    ok, ck, ostatus, money(total), DATES[od], PRIORITIES[int(r() * 5)], 1 + int(r() * clerks),
                    text(19, 78)))
                fl.write("".join(lines))


def money(cents):
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return "%s%d.%02d" % (sign, cents // 100, cents % 100)


TABLES = ["region", "nation", "part", "partsupp", "supplier", "customer", "orders", "lineitem"]


def generate(sf, out, seed=1, log=None):
    os.makedirs(out, exist_ok=True)
    g = Gen(sf, seed, out)
    for step in (g.region_nation, g.part_partsupp, g.supplier, g.customer, g.orders_lineitem):
        t0 = time.monotonic()
        step()
        if log:
            log("generated %s in %.1f s" % (step.__name__, time.monotonic() - t0))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sf", type=float, default=0.01)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    generate(a.sf, a.out, a.seed, log=lambda m: print(m, file=sys.stderr, flush=True))


if __name__ == "__main__":
    main()
