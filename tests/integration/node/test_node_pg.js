// node-pg (the `pg` package) against a running server: parameterized queries (the extended protocol,
// text format), prepared statements by name, a pool with concurrent clients, transactions, errors.
// Connection from PGHOST/PGPORT/PGUSER/PGDATABASE. Exits 0 when every check passed.
'use strict';
const assert = require('assert');
const { Client, Pool } = require('pg');

const config = {
  host: process.env.PGHOST || '127.0.0.1',
  port: Number(process.env.PGPORT || 5433),
  user: process.env.PGUSER || 'omendb',
  database: process.env.PGDATABASE || 'omendb',
};

async function expectError(promise, sqlstate) {
  try {
    await promise;
  } catch (e) {
    assert.strictEqual(e.code, sqlstate, `expected ${sqlstate}, got ${e.code}: ${e.message}`);
    return e;
  }
  throw new Error(`expected error ${sqlstate}, but it succeeded`);
}

const tests = {
  async parameters(c) {
    let r = await c.query('SELECT $1::int + 1 AS x, $2::text AS t, $3::float8 AS f, $4::bool AS b, $5::bigint AS n',
                          [41, 'héllo', 1.5, true, null]);
    assert.deepStrictEqual(r.rows, [{ x: 42, t: 'héllo', f: 1.5, b: true, n: null }]);
    assert.deepStrictEqual(r.fields.map((f) => [f.name, f.dataTypeID]),
                           [['x', 23], ['t', 25], ['f', 701], ['b', 16], ['n', 20]]);
    // Untyped parameters are inferred from the context.
    await c.query('CREATE TABLE node_t (id bigint PRIMARY KEY, name varchar(10), score float8, ok bool)');
    for (let i = 1; i <= 20; i++)
      await c.query('INSERT INTO node_t VALUES ($1, $2, $3, $4)', [i, `n${i}`, i / 4, i % 2 === 0]);
    r = await c.query('SELECT id, name, score, ok FROM node_t WHERE id = $1', [7]);
    assert.deepStrictEqual(r.rows, [{ id: '7', name: 'n7', score: 1.75, ok: false }]);  // int8 -> string
    assert.deepStrictEqual(r.fields.map((f) => [f.name, f.dataTypeID, f.dataTypeModifier]),
                           [['id', 20, -1], ['name', 1043, 14], ['score', 701, -1], ['ok', 16, -1]]);
    r = await c.query('SELECT count(*) AS n FROM node_t WHERE id BETWEEN $1 AND $2 AND ok = $3', [5, 14, true]);
    assert.deepStrictEqual(r.rows, [{ n: '5' }]);
    r = await c.query('UPDATE node_t SET name = $1 WHERE id > $2', ['big', 18]);
    assert.strictEqual(r.command, 'UPDATE');
    assert.strictEqual(r.rowCount, 2);
    r = await c.query('DELETE FROM node_t WHERE id = $1', [20]);
    assert.strictEqual(r.rowCount, 1);
    r = await c.query({ text: 'SELECT id, name FROM node_t WHERE id < $1 ORDER BY id', values: [3], rowMode: 'array' });
    assert.deepStrictEqual(r.rows, [['1', 'n1'], ['2', 'n2']]);
    await expectError(c.query('SELECT * FROM node_t WHERE id = $1', ['abc']), '22P02');
    await expectError(c.query('SELECT * FROM nope WHERE id = $1', [1]), '42P01');
    await expectError(c.query('INSERT INTO node_t VALUES ($1, $2, $3, $4)', [1, 'dup', 0, true]), '23505');
    await expectError(c.query('INSERT INTO node_t VALUES ($1, $2, $3, $4)', [99, 'much too long', 0, true]), '22001');
    // The connection is fine after errors.
    r = await c.query('SELECT $1::text AS s', ['still here']);
    assert.strictEqual(r.rows[0].s, 'still here');
  },

  async preparedByName(c) {
    // A named query is parsed once on this connection and then only bound and executed.
    const q = { name: 'by-id', text: 'SELECT name FROM node_t WHERE id = $1' };
    for (let i = 1; i <= 5; i++) {
      const r = await c.query({ ...q, values: [i] });
      assert.deepStrictEqual(r.rows, [{ name: `n${i}` }]);
    }
  },

  async pool() {
    const pool = new Pool({ ...config, max: 4 });
    const jobs = [];
    for (let i = 0; i < 40; i++)
      jobs.push(pool.query('SELECT $1::int * 2 AS d, name FROM node_t WHERE id = $2', [i, (i % 19) + 1]));
    const results = await Promise.all(jobs);
    results.forEach((r, i) => {
      assert.strictEqual(r.rows[0].d, 2 * i);
      assert.ok(r.rows[0].name.startsWith('n') || r.rows[0].name === 'big');
    });
    await pool.end();
  },

  async returning(c) {
    // ORMs' INSERT ... RETURNING over the extended protocol (Sequelize, TypeORM, Knex send it this way).
    await c.query('DROP TABLE IF EXISTS node_r');
    await c.query('CREATE TABLE node_r (id SERIAL PRIMARY KEY, name varchar(10), qty int DEFAULT 1)');
    let r = await c.query('INSERT INTO node_r (name) VALUES ($1) RETURNING id', ['a']);
    assert.strictEqual(r.command, 'INSERT');
    assert.strictEqual(r.rowCount, 1);
    assert.deepStrictEqual(r.rows, [{ id: 1 }]);
    assert.deepStrictEqual(r.fields.map((f) => [f.name, f.dataTypeID]), [['id', 23]]);
    r = await c.query('INSERT INTO node_r (name, qty) VALUES ($1, $2), ($3, $4) RETURNING *', ['b', 5, 'c', 6]);
    assert.strictEqual(r.rowCount, 2);
    assert.deepStrictEqual(r.rows, [{ id: 2, name: 'b', qty: 5 }, { id: 3, name: 'c', qty: 6 }]);
    const q = { name: 'ins-ret', text: 'INSERT INTO node_r (name) VALUES ($1) RETURNING id, qty * 10 AS ten' };
    for (let i = 0; i < 3; i++) {
      r = await c.query({ ...q, values: [`p${i}`] });
      assert.deepStrictEqual(r.rows, [{ id: 4 + i, ten: 10 }]);
    }
    r = await c.query('UPDATE node_r SET qty = qty + $1 WHERE id <= $2 RETURNING id, qty', [100, 2]);
    assert.strictEqual(r.command, 'UPDATE');
    assert.deepStrictEqual(r.rows.sort((x, y) => x.id - y.id), [{ id: 1, qty: 101 }, { id: 2, qty: 105 }]);
    r = await c.query('DELETE FROM node_r WHERE id = $1 RETURNING name', [3]);
    assert.strictEqual(r.command, 'DELETE');
    assert.deepStrictEqual(r.rows, [{ name: 'c' }]);
    r = await c.query("SELECT nextval('node_r_id_seq') AS n, currval('node_r_id_seq') AS c");
    assert.deepStrictEqual(r.rows, [{ n: '7', c: '7' }]);  // int8 -> string
    await c.query('DROP TABLE node_r');
  },

  async transactions(c) {
    await c.query('BEGIN');
    await c.query('INSERT INTO node_t VALUES ($1, $2, $3, $4)', [100, 'rolled', 0, true]);
    await c.query('ROLLBACK');
    await c.query('BEGIN');
    await c.query('INSERT INTO node_t VALUES ($1, $2, $3, $4)', [101, 'kept', 0, true]);
    let r = await c.query('SELECT count(*) AS n FROM node_t WHERE id >= $1', [100]);
    assert.strictEqual(r.rows[0].n, '1');  // own write visible in the transaction
    await c.query('COMMIT');
    r = await c.query('SELECT id FROM node_t WHERE id >= $1 ORDER BY id', [100]);
    assert.deepStrictEqual(r.rows, [{ id: '101' }]);
    // An error aborts the transaction until ROLLBACK.
    await c.query('BEGIN');
    await expectError(c.query('SELECT 1 / $1::int', [0]), '22012');
    await expectError(c.query('SELECT $1::int', [1]), '25P02');
    await c.query('ROLLBACK');
    r = await c.query('SELECT $1::int AS one', [1]);
    assert.strictEqual(r.rows[0].one, 1);
  },
};

(async () => {
  const c = new Client(config);
  await c.connect();
  await c.query('DROP TABLE IF EXISTS node_t');
  let failed = 0;
  for (const [name, fn] of Object.entries(tests)) {
    try {
      await fn(c);
      console.log(`ok    ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL  ${name}: ${e.stack}`);
    }
  }
  await c.query('DROP TABLE IF EXISTS node_t');
  await c.end();
  console.log(`${Object.keys(tests).length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
})().catch((e) => {
  console.log(`FAIL: ${e.stack}`);
  process.exit(1);
});
