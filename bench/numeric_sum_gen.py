# Rows for bench/numeric_sum.sh: N lines of id, device, amount (tab-separated), deterministic.
import sys
# 10M rows: id, device (0..999), amount numeric(12,2) between 0.00 and 99,999.99, deterministic
n = int(sys.argv[1])
w = sys.stdout.write
x = 12345
buf = []
for i in range(n):
    x = (x * 1103515245 + 12345) & 0x7fffffff
    buf.append(f"{i}\t{i % 1000}\t{x % 10000000 // 100}.{x % 100:02d}\n")
    if len(buf) == 10000:
        w("".join(buf)); buf.clear()
w("".join(buf))
