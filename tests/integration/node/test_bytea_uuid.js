// node-pg (the `pg` package) with bytea and uuid: Buffer parameters (node-pg sends them in binary format),
// uuid strings (text format), Buffer and string results, a bytea primary key. Connection from
// PGHOST/PGPORT/PGUSER/PGDATABASE; run by tests/integration/test_bytea_uuid.py. Exits 0 when every check passed.
'use strict';
const assert = require('assert');
const crypto = require('crypto');
const { Client } = require('pg');

(async () => {
  const c = new Client({
    host: process.env.PGHOST,
    port: Number(process.env.PGPORT),
    user: process.env.PGUSER,
    database: process.env.PGDATABASE,
  });
  await c.connect();
  await c.query('DROP TABLE IF EXISTS node_bu');
  await c.query('CREATE TABLE node_bu (k bytea PRIMARY KEY, id uuid, n int)');
  const keys = [Buffer.from([]), Buffer.from([0]), Buffer.from([0, 0]), Buffer.from([0, 1]), Buffer.from([1]),
                Buffer.from([0xff, 0, 0xff]), Buffer.from('héllo\\x00'), crypto.randomBytes(300)];
  const ids = keys.map(() => crypto.randomUUID());
  for (let i = 0; i < keys.length; i++)
    await c.query('INSERT INTO node_bu VALUES ($1, $2, $3)', [keys[i], ids[i], i]);
  let r = await c.query('SELECT k, id, n FROM node_bu ORDER BY k');
  const want = keys.map((k, i) => ({ k, id: ids[i], n: i })).sort((a, b) => Buffer.compare(a.k, b.k));
  assert.deepStrictEqual(r.rows, want);
  assert.deepStrictEqual(r.fields.map((f) => f.dataTypeID), [17, 2950, 23]);
  r = await c.query('SELECT n, k FROM node_bu WHERE k = $1', [keys[5]]);
  assert.deepStrictEqual(r.rows, [{ n: 5, k: keys[5] }]);
  r = await c.query('SELECT n FROM node_bu WHERE id = $1', [ids[3].toUpperCase()]);
  assert.deepStrictEqual(r.rows, [{ n: 3 }]);
  r = await c.query('SELECT $1::bytea || $2::bytea AS cat, length($1::bytea) AS len, md5($2::bytea) AS h',
                    [Buffer.from([1, 2]), Buffer.from('abc')]);
  assert.deepStrictEqual(r.rows, [{ cat: Buffer.from([1, 2, 0x61, 0x62, 0x63]), len: 2,
                                    h: '900150983cd24fb0d6963f7d28e17f72' }]);
  try {
    await c.query('SELECT $1::uuid', ['not-a-uuid']);
    throw new Error('bad uuid accepted');
  } catch (e) {
    assert.strictEqual(e.code, '22P02');
    assert.strictEqual(e.message, 'invalid input syntax for type uuid: "not-a-uuid"');
  }
  r = await c.query('SELECT gen_random_uuid() AS u');
  assert.match(r.rows[0].u, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  await c.query('DROP TABLE node_bu');
  await c.end();
  console.log('ok    node-pg bytea and uuid');
})().catch((e) => {
  console.log(`FAIL: ${e.stack}`);
  process.exit(1);
});
