#!/usr/bin/env python3
"""What the registry's schema lets SQLite itself do, without the module: bulk inserts of URL claims,
each with its audit row, into the real schema (every migration's SQL, read from
src/OptOut.Core/Registry/RegistryMigrations.cs) through Python's sqlite3 (SQLite's C API,
executemany), with the module's pragmas (WAL, synchronous NORMAL, 256 MiB cache). The first
variant writes the way Add-OptOut writes a bulk batch; the others leave out, or put back, one part
of that design each, to show what each costs. Only the SQL is timed (the rows are made before).

    python3 bench/registry_schema_ceiling.py [rows] [--first]

--first runs only the first variant and prints its rate alone (bench/Registry.Bench.ps1 uses it as
the baseline beside Add-OptOut). URLs are those of the registry benchmark: 20,000 hosts.
"""
import os, re, sqlite3, sys, tempfile, time

args = [a for a in sys.argv[1:] if not a.startswith('--')]
ROWS = int(args[0]) if args else 300_000
FIRST_ONLY = '--first' in sys.argv
here = os.path.dirname(os.path.abspath(__file__))
source = open(os.path.join(here, '..', 'src', 'OptOut.Core', 'Registry', 'RegistryMigrations.cs')).read()
steps = re.findall(r'"""\n(.*?)"""', source, re.S)  # one SQL text per schema version
schema = "\n".join(steps)
GUARDS = ('claims_no_replace', 'audit_no_replace')


def uuid7(milliseconds):
    r = os.urandom(10).hex()
    t = f'{milliseconds:012x}'
    return f'{t[:8]}-{t[8:]}-7{r[1:4]}-{r[4:8]}-{r[8:20]}'


def make_batch(start, count):
    rows = []
    for i in range(start, start + count):
        rows.append((uuid7(1764000000000 + start), f'https://img{i % 20000}.example-art.com/works/{i}/full.jpg',
                     f'com.example-art.img{i % 20000}', '2026-11-25T18:00:00.%07dZ' % (i % 10_000_000)))
    return rows


def run(name, batch=50_000, sort=True, lift_guards=True, schema_sql=schema, audit=True, index=True):
    folder = tempfile.mkdtemp(prefix='optout-ceiling-')
    c = sqlite3.connect(os.path.join(folder, 'registry.db'), isolation_level=None)
    for pragma in ('journal_mode=WAL', 'synchronous=NORMAL', 'cache_size=-262144', 'foreign_keys=ON'):
        c.execute('PRAGMA ' + pragma)
    c.executescript(schema_sql)
    if not index:
        for (idx,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'claims' AND sql IS NOT NULL").fetchall():
            c.execute(f'DROP INDEX {idx}')
    spent = 0.0
    for start in range(0, ROWS, batch):
        rows = make_batch(start, min(batch, ROWS - start))
        if sort:
            rows.sort(key=lambda r: (r[2], r[1]))
        began = time.perf_counter()
        c.execute('BEGIN IMMEDIATE')
        guards = []
        if lift_guards:
            guards = c.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN {GUARDS}").fetchall()
            for guard, _ in guards:
                c.execute(f'DROP TRIGGER {guard}')
        c.executemany("INSERT INTO claims(id, decision, kind, target, host_rev, claimant, created_at) "
                      "VALUES (?1, 'Refuse', 'Url', ?2, ?3, 'bench', ?4)", rows)
        if audit:
            c.executemany("INSERT INTO audit(at, user, action, record_id, detail) VALUES (?4, 'bench', 'AddOptOut', ?1, 'Url ' || ?2)",
                          [(r[0], r[1], r[2], r[3]) for r in rows])
        for _, sql in guards:
            c.execute(sql)
        c.execute('COMMIT')
        spent += time.perf_counter() - began
    c.close()
    rate = ROWS / spent
    if FIRST_ONLY:
        print(f'{rate:.0f}')
    else:
        print(f'| {name} | {rate:,.0f} rows/s |', flush=True)


# Schema 2 as it was: two text indexes on claims instead of schema 3's one.
schema_2 = "\n".join(steps[:2])

if not FIRST_ONLY:
    print(f'{ROWS:,} URL claims over 20,000 hosts, load average {os.getloadavg()[0]:.2f}')
    print('| variant | rate |')
    print('| --- | ---: |')
run('as Add-OptOut writes a bulk batch: schema 3, batches of 50,000 sorted by the claims index, REPLACE guards lifted inside the transaction')
if not FIRST_ONLY:
    run('... with the REPLACE guards left in place', lift_guards=False)
    run('... in input order instead of index order', sort=False)
    run('... in batches of 10,000', batch=10_000)
    run('as Add-OptOut wrote before schema 3: schema 2 (two indexes), batches of 10,000 in input order, guards in place',
        batch=10_000, sort=False, lift_guards=False, schema_sql=schema_2)
    run('floor: no audit rows, no index on claims but the id', audit=False, index=False)
