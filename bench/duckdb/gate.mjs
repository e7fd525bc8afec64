// DuckDB (npm @duckdb/node-api) side of the dataset gate benchmark (bench/Gate.Bench.ps1, issue 5).
//
//   node gate.mjs gate --data <folder|file.parquet> --urls refused_urls.parquet --domains refused_domains.parquet
//                      [--threads 2] [--domain-join hosts|exists|rows]
//     Counts the rows whose URL is a refused URL, whose host or one of its parent domains is a refused
//     domain, both, and either, over read_parquet of every shard. Prints one JSON object: the counts,
//     the time to load the refusals, the time of the query, and the total. --domain-join: 'hosts'
//     (default, the fastest form here) first finds the refused hosts among the data's distinct hosts
//     (a scan of the URL column), then checks every row's URL and host (a second scan); 'exists' is a
//     correlated EXISTS over each row's suffixes; 'rows' unnests every row's suffixes and joins.
//
//   node gate.mjs clean --data <folder|file.parquet> --destination <folder> --urls ... --domains ... [--threads 2]
//     The baseline for Export-CleanTrainingSet: each shard copied to the destination without its
//     violating rows, in its row order (ORDER BY file_row_number), row groups of 100,000 rows.
//
//   node gate.mjs check --original <folder|file.parquet> --cleaned <folder> --urls ... --domains ...
//                       [--removed N] [--kept N] [--threads 2]
//     Checks a cleaned copy (Export-CleanTrainingSet's output) against the original, file by file
//     (paired by name): same column names, types and order (DESCRIBE); rows = original rows minus the
//     rows DuckDB itself finds violating (and = --kept / original - --removed when given); no refused
//     URL or domain left; and every kept row equal to the original's, in the original's order (the
//     original's rows without the violating ones, numbered by file_row_number, joined to the cleaned
//     file's rows by position, every column compared). Prints JSON; exits 1 when a check fails.
//
// URLs in the benchmark's data and refusal lists are already in the engine's normal form, so plain
// string equality answers the same question as the engine's normalised comparison.

import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join, basename, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

function parseArgs(argv) {
  const options = { _: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('--')) options[a.slice(2)] = true;
      else { options[a.slice(2)] = next; i++; }
    } else options._.push(a);
  }
  return options;
}

function parquetFiles(path) {
  const full = resolve(path);
  if (statSync(full).isFile()) return [full];
  return readdirSync(full).filter(f => f.toLowerCase().endsWith('.parquet')).sort().map(f => join(full, f));
}

const quote = s => `'${String(s).replaceAll("'", "''")}'`;
const fileList = files => `[${files.map(quote).join(', ')}]`;
const ident = s => `"${String(s).replaceAll('"', '""')}"`;

// The host of a URL: in the normal form every URL is scheme://host/..., and the generated ones have
// no port or user info, so the third '/'-separated part is the host (a regexp_extract of it gives the
// same hosts at about 1.3 times the cost).
const HOST = `split_part(URL, '/', 3)`;
// A host and every parent domain: 'a.b.example.com' -> [a.b.example.com, b.example.com, example.com, com].
const SUFFIXES = h => `list_transform(generate_series(1, len(string_split(${h}, '.'))), i -> array_to_string(list_slice(string_split(${h}, '.'), i, len(string_split(${h}, '.'))), '.'))`;

async function open(threads) {
  const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
  const connection = await instance.connect();
  const all = async sql => (await connection.runAndReadAll(sql)).getRowObjectsJS();
  return { instance, connection, all };
}

async function loadRefusals(db, urls, domains) {
  await db.all(`CREATE OR REPLACE TEMP TABLE refused_urls AS SELECT url FROM read_parquet(${quote(resolve(urls))})`);
  await db.all(`CREATE OR REPLACE TEMP TABLE refused_domains AS SELECT domain FROM read_parquet(${quote(resolve(domains))})`);
}

// The refused hosts of a relation: its distinct hosts, each expanded to itself and its parent
// domains, semi-joined with the refused domains. A first scan of the URL column; the per-row
// check then joins each row's host against this (small) table.
async function prepareHosts(db, source) {
  await db.all(`CREATE OR REPLACE TEMP TABLE refused_hosts AS
    SELECT DISTINCT host FROM (SELECT host, unnest(${SUFFIXES('host')}) AS domain FROM (SELECT DISTINCT ${HOST} AS host FROM ${source}))
    WHERE domain IN (SELECT domain FROM refused_domains)`);
}

// Per-row flags u (URL refused) and d (host or a parent refused) over a relation with URL.
// 'hosts' needs prepareHosts(db, source) first.
function flagged(source, domainJoin) {
  switch (domainJoin) {
    case 'hosts':
      return `
        SELECT *, ${HOST} AS host, URL IN (SELECT url FROM refused_urls) AS u, ${HOST} IN (SELECT host FROM refused_hosts) AS d FROM ${source}`;
    case 'rows':
      // Every row's suffixes unnested and semi-joined, then folded back per row.
      return `
        WITH r AS (SELECT *, ${HOST} AS host FROM ${source}),
        s AS (SELECT file_row_number AS n, filename AS f, unnest(${SUFFIXES('host')}) AS domain FROM r),
        dr AS (SELECT DISTINCT f, n FROM s WHERE domain IN (SELECT domain FROM refused_domains))
        SELECT r.*, r.URL IN (SELECT url FROM refused_urls) AS u, (dr.n IS NOT NULL) AS d
        FROM r LEFT JOIN dr ON dr.f = r.filename AND dr.n = r.file_row_number`;
    default:
      // A correlated EXISTS over the row's suffixes.
      return `
        SELECT *, ${HOST} AS host, URL IN (SELECT url FROM refused_urls) AS u,
          EXISTS (SELECT 1 FROM unnest(${SUFFIXES(HOST)}) AS t(domain) WHERE t.domain IN (SELECT domain FROM refused_domains)) AS d
        FROM ${source}`;
  }
}

const COUNTS = `count(*) AS rows, count(*) FILTER (WHERE u) AS url_rows, count(*) FILTER (WHERE d) AS domain_rows,
  count(*) FILTER (WHERE u AND d) AS both_rows, count(*) FILTER (WHERE u OR d) AS either_rows`;

// This process's CPU time (all DuckDB threads) and peak resident memory.
const cpuSeconds = () => { const u = process.resourceUsage(); return (u.userCPUTime + u.systemCPUTime) / 1e6; };
const maxRssMiB = () => process.resourceUsage().maxRSS / 1024;

const num = v => (typeof v === 'bigint' ? Number(v) : v);
const numbers = row => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, num(v)]));

async function gate(o) {
  const threads = Number(o.threads ?? 2);
  const files = parquetFiles(o.data);
  const domainJoin = o['domain-join'] ?? 'hosts';
  const t0 = performance.now();
  const db = await open(threads);
  const version = (await db.all('SELECT version() AS v'))[0].v;
  const t1 = performance.now();
  await loadRefusals(db, o.urls, o.domains);
  const t2 = performance.now();
  const needsRowIds = domainJoin === 'rows' ? ', filename = true, file_row_number = true' : '';
  const source = `read_parquet(${fileList(files)}${needsRowIds})`;
  if (domainJoin === 'hosts') await prepareHosts(db, source);
  const [counts] = await db.all(`SELECT ${COUNTS} FROM (${flagged(source, domainJoin)})`);
  const t3 = performance.now();
  db.connection.closeSync?.();
  return {
    tool: 'duckdb', duckdb_version: version, threads, domain_join: domainJoin, shards: files.length,
    ...numbers(counts),
    open_s: (t1 - t0) / 1000, load_refusals_s: (t2 - t1) / 1000, query_s: (t3 - t2) / 1000, total_s: (t3 - t0) / 1000,
    cpu_s: cpuSeconds(), max_rss_mib: maxRssMiB(),
  };
}

// The baseline for Export-CleanTrainingSet: each shard written again without its violating rows, in
// its own row order, as parquet with row groups of 100,000 rows. The ORDER BY file_row_number is
// needed: without it DuckDB's parallel semi-joins reorder rows (gate.mjs check catches that).
async function clean(o) {
  const threads = Number(o.threads ?? 2);
  const files = parquetFiles(o.data);
  const destination = resolve(o.destination);
  mkdirSync(destination, { recursive: true });
  const t0 = performance.now();
  const db = await open(threads);
  await loadRefusals(db, o.urls, o.domains);
  let rows = 0, kept = 0;
  for (const file of files) {
    const target = join(destination, basename(file));
    await prepareHosts(db, `read_parquet(${quote(file)})`);
    const [counts] = await db.all(`SELECT ${COUNTS} FROM (${flagged(`read_parquet(${quote(file)})`, 'hosts')})`);
    await db.all(`COPY (SELECT * EXCLUDE (file_row_number, host, u, d) FROM (${flagged(`read_parquet(${quote(file)}, file_row_number = true)`, 'hosts')})
      WHERE NOT (u OR d) ORDER BY file_row_number) TO ${quote(target)} (FORMAT parquet, ROW_GROUP_SIZE 100000)`);
    rows += num(counts.rows); kept += num(counts.rows) - num(counts.either_rows);
  }
  const t1 = performance.now();
  return { tool: 'duckdb', mode: 'clean', threads, shards: files.length, rows, kept, removed: rows - kept, total_s: (t1 - t0) / 1000, cpu_s: cpuSeconds(), max_rss_mib: maxRssMiB() };
}

async function check(o) {
  const threads = Number(o.threads ?? 2);
  const originals = parquetFiles(o.original);
  const cleaned = parquetFiles(o.cleaned);
  const db = await open(threads);
  await loadRefusals(db, o.urls, o.domains);
  const problems = [];
  const files = [];
  const byName = new Map(cleaned.map(f => [basename(f), f]));
  if (cleaned.length !== originals.length) problems.push(`cleaned copy has ${cleaned.length} parquet files, the original ${originals.length}`);
  let totals = { original_rows: 0, cleaned_rows: 0, removed_by_duckdb: 0 };
  for (const original of originals) {
    const copy = byName.get(basename(original));
    if (!copy) { problems.push(`no cleaned file for ${basename(original)}`); continue; }
    const describe = async f => (await db.all(`DESCRIBE SELECT * FROM read_parquet(${quote(f)})`)).map(r => `${r.column_name} ${r.column_type}`);
    const a = await describe(original), b = await describe(copy);
    const sameSchema = JSON.stringify(a) === JSON.stringify(b);
    if (!sameSchema) problems.push(`${basename(copy)}: columns differ: original [${a.join(', ')}], cleaned [${b.join(', ')}]`);
    const columns = a.map(c => c.split(' ')[0]);
    const cols = prefix => columns.map(c => `${prefix}.${ident(c)}`).join(', ');

    await prepareHosts(db, `read_parquet(${quote(copy)})`);
    const [left] = await db.all(`SELECT ${COUNTS} FROM (${flagged(`read_parquet(${quote(copy)})`, 'hosts')})`);
    await prepareHosts(db, `read_parquet(${quote(original)})`);
    const [orig] = await db.all(`SELECT ${COUNTS} FROM (${flagged(`read_parquet(${quote(original)})`, 'hosts')})`);
    const origRows = num(orig.rows), removed = num(orig.either_rows), cleanedRows = num(left.rows);
    if (cleanedRows !== origRows - removed) problems.push(`${basename(copy)}: ${cleanedRows} rows, expected ${origRows} - ${removed} = ${origRows - removed}`);
    if (num(left.url_rows) !== 0) problems.push(`${basename(copy)}: ${num(left.url_rows)} rows with a refused URL left`);
    if (num(left.domain_rows) !== 0) problems.push(`${basename(copy)}: ${num(left.domain_rows)} rows under a refused domain left`);

    // Row order and content: the original's kept rows, numbered in file order, against the copy's rows in file order.
    let mismatches = null, firstMismatch = null;
    if (sameSchema) {
      await db.all(`CREATE OR REPLACE TEMP TABLE kept AS
        SELECT row_number() OVER (ORDER BY file_row_number) AS k, ${columns.map(ident).join(', ')}
        FROM (${flagged(`read_parquet(${quote(original)}, file_row_number = true)`, 'hosts')}) WHERE NOT (u OR d)`);
      await db.all(`CREATE OR REPLACE TEMP TABLE copy AS
        SELECT row_number() OVER (ORDER BY file_row_number) AS k, ${columns.map(ident).join(', ')}
        FROM read_parquet(${quote(copy)}, file_row_number = true)`);
      const diff = `FROM kept a FULL OUTER JOIN copy b ON a.k = b.k WHERE a.k IS NULL OR b.k IS NULL OR row(${cols('a')}) IS DISTINCT FROM row(${cols('b')})`;
      mismatches = num((await db.all(`SELECT count(*) AS n ${diff}`))[0].n);
      if (mismatches > 0) {
        const [first] = await db.all(`SELECT coalesce(a.k, b.k) AS k, a.${ident(columns[0])} AS original_${columns[0]}, b.${ident(columns[0])} AS cleaned_${columns[0]} ${diff} ORDER BY 1 LIMIT 1`);
        firstMismatch = numbers(first);
        problems.push(`${basename(copy)}: ${mismatches} rows differ from the original's kept rows in order or content (first at kept row ${firstMismatch.k})`);
      }
    }
    // Physical schema (physical type, repetition, converted type): reported, not failed, since DuckDB
    // reads OPTIONAL and REQUIRED columns of one type alike.
    const physical = async f => (await db.all(`SELECT name, type, repetition_type, converted_type FROM parquet_schema(${quote(f)}) WHERE num_children IS NULL OR num_children = 0`))
      .map(r => [r.name, r.type, r.repetition_type, r.converted_type].map(v => v ?? '').join(' ').trim());
    const pa = await physical(original), pb = await physical(copy);
    const physicalNotes = [];
    for (let i = 0; i < Math.max(pa.length, pb.length); i++)
      if (pa[i] !== pb[i]) physicalNotes.push(`original '${pa[i] ?? 'none'}' vs cleaned '${pb[i] ?? 'none'}'`);
    const groups = num((await db.all(`SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata(${quote(copy)})`))[0].n);
    files.push({ file: basename(copy), columns: b, same_schema: sameSchema, original_rows: origRows, removed_by_duckdb: removed, cleaned_rows: cleanedRows,
      row_mismatches: mismatches, first_mismatch: firstMismatch, cleaned_row_groups: groups,
      physical_schema_same: physicalNotes.length === 0 && pa.length === pb.length, physical_schema_notes: physicalNotes });
    totals.original_rows += origRows; totals.cleaned_rows += cleanedRows; totals.removed_by_duckdb += removed;
  }
  if (o.removed !== undefined && Number(o.removed) !== totals.removed_by_duckdb)
    problems.push(`the module reported ${o.removed} rows removed, DuckDB finds ${totals.removed_by_duckdb} violating rows`);
  if (o.kept !== undefined && Number(o.kept) !== totals.cleaned_rows)
    problems.push(`the module reported ${o.kept} rows kept, the cleaned files hold ${totals.cleaned_rows}`);
  return { tool: 'duckdb', check: 'cleaned-copy', ok: problems.length === 0, ...totals, problems, files };
}

const o = parseArgs(process.argv.slice(2));
const mode = o._[0];
try {
  let result;
  if (mode === 'gate') result = await gate(o);
  else if (mode === 'check') result = await check(o);
  else if (mode === 'clean') result = await clean(o);
  else { console.error('usage: node gate.mjs gate|clean|check --option value ...; see the comment at the top'); process.exit(2); }
  console.log(JSON.stringify(result, null, 2));
  if (mode === 'check' && !result.ok) process.exitCode = 1;
} catch (e) {
  console.error(e?.stack ?? String(e));
  process.exit(3);
}
