#!/bin/bash
# Numeric sum over N rows (issue 9): OmenDB (row store, then sealed by VACUUM) against PostgreSQL 15
# (parallel workers off, then its default). Both servers must run: OMPORT=5433 PGPORT=5432 bench/numeric_sum.sh [N]
# Loads table numsum (id bigint, device int, amount numeric(12,2)) with COPY in each, then times each query
# three times through psql (connection set-up included). docs/benchmarks.md, "Numeric sum".
N=${1:-10000000}
OMPORT=${OMPORT:-5433}; PGPORT=${PGPORT:-5432}
OM="psql -h 127.0.0.1 -p $OMPORT -U postgres -X -q"
PG="psql -h 127.0.0.1 -p $PGPORT -U postgres -X -q"
for P in "$OM" "$PG"; do
  $P -c "DROP TABLE IF EXISTS numsum" -c "CREATE TABLE numsum (id bigint PRIMARY KEY, device int NOT NULL, amount numeric(12,2) NOT NULL)"
  s=$(date +%s.%N)
  $P -c "\copy numsum FROM PROGRAM '/usr/bin/python3 $(dirname "$(readlink -f "$0")")/numeric_sum_gen.py $N'"
  e=$(date +%s.%N); echo "load $P: $(echo "$e - $s" | bc) s"
done
$PG -c "VACUUM ANALYZE numsum"
q="SELECT sum(amount), avg(amount), count(*) FROM numsum"
q2="SELECT device, sum(amount) FROM numsum GROUP BY device ORDER BY device LIMIT 3"
timeit() { # label port query [PGOPTIONS]
  for r in 1 2 3; do
    s=$(date +%s.%N); out=$(PGOPTIONS="$4" psql -h 127.0.0.1 -p $2 -U postgres -X -q -At -c "$3" | head -c 80 | tr '\n' ' '); e=$(date +%s.%N)
    echo "$1 run $r: $(echo "($e - $s)*1000" | bc | cut -d. -f1) ms  [$out]"
  done
}
timeit "omendb row store, sum" $OMPORT "$q"
timeit "omendb row store, group" $OMPORT "$q2"
$OM -c "VACUUM numsum"
timeit "omendb sealed, sum" $OMPORT "$q"
timeit "omendb sealed, group" $OMPORT "$q2"
timeit "pg 0 workers, sum" $PGPORT "$q" "-c max_parallel_workers_per_gather=0"
timeit "pg 0 workers, group" $PGPORT "$q2" "-c max_parallel_workers_per_gather=0"
timeit "pg default (2 workers), sum" $PGPORT "$q"
timeit "pg default (2 workers), group" $PGPORT "$q2"
