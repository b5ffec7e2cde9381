"""Minimal raw PostgreSQL v3 protocol client: send any message sequence, read back typed messages."""
import socket, struct

def msg(t, body=b""):
    return t.encode() + struct.pack("!i", len(body) + 4) + body

def cstr(s):
    return (s.encode() if isinstance(s, str) else s) + b"\0"

def parse(name, sql, types=()):
    return msg("P", cstr(name) + cstr(sql) + struct.pack("!h", len(types)) + b"".join(struct.pack("!I", t) for t in types))

def bind(portal, stmt, values=(), param_formats=(), result_formats=()):
    b = cstr(portal) + cstr(stmt) + struct.pack("!h", len(param_formats)) + b"".join(struct.pack("!h", f) for f in param_formats)
    b += struct.pack("!h", len(values))
    for v in values:
        if v is None:
            b += struct.pack("!i", -1)
        else:
            v = v.encode() if isinstance(v, str) else v
            b += struct.pack("!i", len(v)) + v
    b += struct.pack("!h", len(result_formats)) + b"".join(struct.pack("!h", f) for f in result_formats)
    return msg("B", b)

def describe(kind, name): return msg("D", kind.encode() + cstr(name))
def execute(portal="", max_rows=0): return msg("E", cstr(portal) + struct.pack("!i", max_rows))
def close(kind, name): return msg("C", kind.encode() + cstr(name))
def sync(): return msg("S")
def flush(): return msg("H")
def query(sql): return msg("Q", cstr(sql))

class Conn:
    def __init__(self, port, user="omendb", db="omendb", host="127.0.0.1"):
        self.s = socket.create_connection((host, port), timeout=10)
        self.buf = b""
        body = struct.pack("!i", 196608) + cstr("user") + cstr(user) + cstr("database") + cstr(db) + b"\0"
        self.s.sendall(struct.pack("!i", len(body) + 4) + body)
        self.until_ready()

    def read(self):
        while len(self.buf) < 5 or len(self.buf) < 1 + struct.unpack("!i", self.buf[1:5])[0]:
            d = self.s.recv(65536)
            if not d:
                raise EOFError("connection closed")
            self.buf += d
        n = struct.unpack("!i", self.buf[1:5])[0]
        t, body = chr(self.buf[0]), self.buf[5:1 + n]
        self.buf = self.buf[1 + n:]
        return t, body

    def until_ready(self):
        out = []
        while True:
            t, b = self.read()
            out.append((t, b))
            if t == "Z":
                return out

    def send(self, *msgs):
        self.s.sendall(b"".join(msgs))

    def run(self, *msgs):
        self.send(*msgs)
        return self.until_ready()

def fields(body):
    f = {}
    for part in body.split(b"\0"):
        if part:
            f[chr(part[0])] = part[1:].decode()
    return f

def describe_msg(t, b):
    """A comparable rendering of one message (no run-dependent values)."""
    if t in "EN":
        f = fields(b)
        return "%s(%s %s)" % (t, f.get("C"), f.get("M"))
    if t == "T":
        n = struct.unpack("!h", b[:2])[0]; p = 2; cols = []
        for _ in range(n):
            e = b.index(b"\0", p); name = b[p:e].decode(); p = e + 1
            _tab, _att, oid, size, mod, fmt = struct.unpack("!ihIhih", b[p:p + 18]); p += 18
            cols.append("%s:%d:%d:%d:%d" % (name, oid, size, mod, fmt))
        return "T(%s)" % ",".join(cols)
    if t == "t":
        n = struct.unpack("!h", b[:2])[0]
        return "t(%s)" % ",".join(str(x) for x in struct.unpack("!%dI" % n, b[2:2 + 4 * n]))
    if t == "D":
        n = struct.unpack("!h", b[:2])[0]; p = 2; vals = []
        for _ in range(n):
            l = struct.unpack("!i", b[p:p + 4])[0]; p += 4
            if l < 0: vals.append("NULL")
            else: vals.append(repr(b[p:p + l])); p += l
        return "D(%s)" % ",".join(vals)
    if t == "C":
        return "C(%s)" % b[:-1].decode()
    if t == "Z":
        return "Z(%s)" % b.decode()
    if t == "S":
        return None  # ParameterStatus
    return t

def render(msgs):
    return " ".join(x for x in (describe_msg(t, b) for t, b in msgs) if x)
