#!/usr/bin/env python3
"""What the registry's schema lets SQLite itself do, without the module: bulk inserts of URL claims
into the real schema (taken from src/OptOut.Core/Registry/RegistryMigrations.cs) through Python's
sqlite3 (C, executemany, batches of 10,000 in one transaction, WAL, synchronous NORMAL, 64 MiB cache:
the module's settings), and the same with parts of the design left out. It is the ceiling for
`Add-OptOut` on this machine, and shows which part of the design costs what.

    python3 bench/registry_schema_ceiling.py [rows]
"""
import os, re, sqlite3, sys, tempfile, time, uuid

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
BATCH = 10_000
here = os.path.dirname(os.path.abspath(__file__))
source = open(os.path.join(here, '..', 'src', 'OptOut.Core', 'Registry', 'RegistryMigrations.cs')).read()
# Every migration's SQL, in order (the raw string literals between triple quotes).
schema = "\n".join(re.findall(r'"""\n(.*?)"""', source, re.S))


def run(name, changes=(), audit='row'):
    folder = tempfile.mkdtemp(prefix='optout-ceiling-')
    c = sqlite3.connect(os.path.join(folder, 'registry.db'), isolation_level=None)
    for pragma in ('journal_mode=WAL', 'synchronous=NORMAL', 'cache_size=-65536'):
        c.execute('PRAGMA ' + pragma)
    c.executescript(schema)
    c.execute('ALTER TABLE claims ADD COLUMN target_hash INTEGER')
    for change in changes:
        c.execute(change)
    start = time.time()
    for b in range(ROWS // BATCH):
        rows = []
        for i in range(b * BATCH, (b + 1) * BATCH):
            url = f'https://img{i % 977}.example.com/photos/2024/{i}/picture-{i * 7}.jpg'
            rows.append((str(uuid.uuid4()), url, f'com.example.img{i % 977}', hash(url)))
        c.execute('BEGIN IMMEDIATE')
        c.executemany("INSERT INTO claims(id, decision, kind, target, host_rev, claimant, reason, created_at, target_hash) "
                      "VALUES (?, 'Refuse', 'Url', ?, ?, 'bench', 'bulk', '2026-11-25T18:00:00.0000000Z', ?)", rows)
        if audit == 'row':
            c.executemany("INSERT INTO audit(at, user, action, record_id, reason, detail) "
                          "VALUES ('2026-11-25T18:00:00.0000000Z', 'bench', 'AddOptOut', ?, 'bulk', ?)", [(r[0], 'Url ' + r[1]) for r in rows])
        elif audit == 'batch':
            c.execute("INSERT INTO audit(at, user, action, record_id, reason, detail) "
                      "VALUES ('2026-11-25T18:00:00.0000000Z', 'bench', 'AddOptOut', NULL, 'bulk', '10,000 records')")
        c.execute('COMMIT')
    rate = ROWS / (time.time() - start)
    c.close()
    print(f'| {name} | {rate:,.0f} rows/s |', flush=True)


print(f'{ROWS:,} URL claims, batches of {BATCH:,}, load average {os.getloadavg()[0]:.2f}')
print('| variant | rate |')
print('| --- | ---: |')
run("the registry's schema, an audit row a claim (what Add-OptOut writes)")
run('without the append-only triggers that refuse REPLACE', changes=['DROP TRIGGER claims_no_replace', 'DROP TRIGGER audit_no_replace'])
run('one audit row a batch instead of a claim', audit='batch')
run('the (kind, target) text index replaced by an integer hash index',
    changes=['DROP INDEX claims_target', 'CREATE INDEX claims_target_hash ON claims(target_hash)'])
run('both: hash index and an audit row a batch', audit='batch',
    changes=['DROP INDEX claims_target', 'CREATE INDEX claims_target_hash ON claims(target_hash)'])
run('no audit, no (kind, target) index', audit='none', changes=['DROP INDEX claims_target'])
