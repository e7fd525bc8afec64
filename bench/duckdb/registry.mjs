// Reads a registry export (Export-OptOutList -Format Parquet) with DuckDB, an independent parquet
// reader: rows, distinct ids and the kinds it holds, and how long the read took.
//   node bench/duckdb/registry.mjs <file.parquet>
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const connection = await db.connect();
const started = Date.now();
const reader = await connection.runAndReadAll(
  `SELECT count(*) AS n, count(DISTINCT id) AS ids, min(kind) AS kind FROM read_parquet('${file.replaceAll("'", "''")}')`);
const row = reader.getRowObjects()[0];
console.log(JSON.stringify({ n: Number(row.n), ids: Number(row.ids), kind: row.kind, ms: Date.now() - started }));
