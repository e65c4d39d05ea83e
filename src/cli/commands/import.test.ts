import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../platform/config.ts';
import type { Services } from '../../platform/container.ts';
import { createServices } from '../../platform/container.ts';
import { describeEachStore } from '../../platform/db/testing.ts';
import { createTestTenant } from '../../platform/testing-app.ts';
import type { ImportIo } from './import.ts';
import { catalogKind, importCommand, LISTED_REJECTS, runImport } from './import.ts';

const dir = mkdtempSync(join(tmpdir(), 'pertinent-import-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};

const quietIo = (): ImportIo & { lines: string[]; progressText: string[] } => {
  const lines: string[] = [];
  const progressText: string[] = [];
  return { lines, progressText, out: (l) => lines.push(l), progress: (t) => progressText.push(t), isTTY: false };
};

const CSV = [
  'id,title,category,price,currency,available,attr.brand,attr.sizes:list,attr.wool:number',
  'c1,"Coat, wool",Clothing/Coats,189.5,eur,yes,Acme,S|M|L,80',
  'c2,Scarf,clothing/accessories,,,0,,,',
  'c3,Bad price,clothing,cheap,EUR,,,,',
  'c4,"Multi',
  'line title",clothing,10,EUR,true,,,',
  'c5,Too few fields',
  ',No id,clothing,,,,,,',
  'c6,Gloves,clothing/accessories,12,EUR,true,Acme,,wool',
  'c7,Hat,clothing/accessories,9.9,EUR,true,,,',
  '',
].join('\n');

describeEachStore('pertinent import catalog', (getDb) => {
  let services: Services;
  before(async () => {
    services = await createServices(loadConfig({ PERTINENT_LOG_LEVEL: 'silent' }), { db: getDb() });
  });

  test('a CSV file: good lines are imported, bad lines reported by line number', async () => {
    const tenant = await createTestTenant(services);
    const rejects = join(dir, `rejects-${tenant.id}.ndjson`);
    const io = quietIo();
    const summary = await runImport({
      services,
      kind: catalogKind,
      tenantId: tenant.id,
      file: write(`items-${tenant.id}.csv`, CSV),
      format: 'csv',
      rejectsFile: rejects,
      io,
    });
    assert.equal(summary.records, 8);
    assert.equal(summary.imported, 4);
    assert.deepEqual(
      summary.firstRejects.map((r) => r.line),
      [4, 7, 8, 9],
    );
    assert.match(summary.firstRejects[0]?.reason ?? '', /price "cheap" is not a number/);
    assert.match(summary.firstRejects[1]?.reason ?? '', /has 2 fields; the header has 9/);
    assert.equal(summary.firstRejects[2]?.reason, 'id is required');
    assert.match(summary.firstRejects[3]?.reason ?? '', /attr.wool "wool" is not a number/);
    const c1 = await services.catalog.getItem(tenant.id, 'c1');
    assert.deepEqual(
      { ...c1, updatedAt: 0 },
      {
        id: 'c1',
        title: 'Coat, wool',
        categoryPath: 'clothing/coats',
        attributes: { brand: 'Acme', sizes: ['S', 'M', 'L'], wool: 80 },
        price: 189.5,
        currency: 'EUR',
        available: true,
        sensitiveClass: null,
        updatedAt: 0,
      },
    );
    assert.equal((await services.catalog.getItem(tenant.id, 'c2')).available, false);
    assert.equal((await services.catalog.getItem(tenant.id, 'c4')).title, 'Multi\nline title');
    const written = readFileSync(rejects, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      written.map((r) => r.line),
      [4, 7, 8, 9],
    );
  });

  test('an NDJSON file, with a line that is not JSON and one that is not an item', async () => {
    const tenant = await createTestTenant(services);
    const file = write(
      `items-${tenant.id}.ndjson`,
      [
        JSON.stringify({ id: 'n1', title: 'One', category: 'x', attributes: { organic: true } }),
        '{"id": "n2", "title": ',
        '',
        JSON.stringify({ id: 'n3', title: 'Three', category: 'x', colour: 'red' }),
        JSON.stringify({ id: 'n4', title: 'Four', category: 'health/vitamins' }),
      ].join('\n'),
    );
    const summary = await runImport({
      services,
      kind: catalogKind,
      tenantId: tenant.id,
      file,
      format: 'ndjson',
      io: quietIo(),
    });
    assert.equal(summary.imported, 2);
    assert.deepEqual(
      summary.firstRejects.map((r) => r.line),
      [2, 4],
    );
    assert.match(summary.firstRejects[0]?.reason ?? '', /not valid JSON/);
    assert.match(summary.firstRejects[1]?.reason ?? '', /unknown field "colour"/);
    assert.equal(await services.catalog.sensitiveClassOf(tenant.id, 'n4'), 'health', 'defaults applied on import');
  });

  test('many lines go in batches; only the first rejects are listed', async () => {
    const tenant = await createTestTenant(services);
    const lines = ['id,title,category'];
    for (let i = 0; i < 1200; i++) lines.push(i % 40 === 0 ? `b${i},,x` : `b${i},Item ${i},x`);
    const summary = await runImport({
      services,
      kind: catalogKind,
      tenantId: tenant.id,
      file: write(`many-${tenant.id}.csv`, lines.join('\r\n')),
      format: 'csv',
      io: quietIo(),
    });
    assert.equal(summary.records, 1200);
    assert.equal(summary.rejected, 30);
    assert.equal(summary.imported, 1170);
    assert.equal(summary.firstRejects.length, LISTED_REJECTS);
    assert.equal(summary.firstRejects[0]?.line, 2);
    assert.equal((await services.catalog.listItems(tenant.id, { limit: 500 })).items.length, 500);
  });

  test('a missing file, a wrong header and an unknown tenant stop the import before anything is written', async () => {
    const tenant = await createTestTenant(services);
    const base = { services, kind: catalogKind, tenantId: tenant.id, format: 'csv' as const, io: quietIo() };
    await assert.rejects(runImport({ ...base, file: join(dir, 'nope.csv') }), { code: 'import_file_not_found' });
    await assert.rejects(runImport({ ...base, file: write('h1.csv', 'id,title,categroy\n1,a,b\n') }), (e: Error) => {
      assert.equal((e as { code?: string }).code, 'import_bad_header');
      assert.match(e.message, /unknown column "categroy"/);
      return true;
    });
    await assert.rejects(runImport({ ...base, file: write('h2.csv', 'id,title\n1,a\n') }), /lacks the column category/);
    await assert.rejects(runImport({ ...base, file: write('h3.csv', '') }), { code: 'import_bad_header' });
    await assert.rejects(
      runImport({ ...base, file: write('h5.csv', 'id,title,category,\n1,a,b,\n') }),
      /Column 4 of the header has no name/,
    );
    await assert.rejects(
      runImport({ ...base, file: write('h4.csv', 'id,title,category\n1,a,b\n'), tenantId: 'no-such' }),
      {
        code: 'tenant_not_found',
      },
    );
    assert.equal((await services.catalog.listItems(tenant.id)).items.length, 0);
  });
});

test('`pertinent import` end to end: exit code, summary on stdout, plain progress when stderr is not a terminal', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'pertinent-cli-'));
  try {
    const services = await createServices(loadConfig({ PERTINENT_DATA_DIR: dataDir, PERTINENT_LOG_LEVEL: 'silent' }));
    await services.tenants.createTenant('cli-shop', 'CLI shop');
    await services.close();
    const bin = fileURLToPath(new URL('../../../bin/pertinent.mjs', import.meta.url));
    const env: NodeJS.ProcessEnv = { ...process.env, PERTINENT_DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    const run = (...args: string[]) => spawnSync(process.execPath, [bin, 'import', ...args], { env, encoding: 'utf8' });

    const res = run('catalog', '--tenant', 'cli-shop', write('cli.csv', CSV));
    assert.equal(res.status, 1, res.stderr);
    assert.match(res.stdout, /4 imported, 4 rejected/);
    assert.match(res.stdout, /line 4: price "cheap" is not a number/);
    assert.doesNotMatch(res.stderr, /\x1b\[/, 'no terminal codes when stderr is not a TTY');

    const header = run('catalog', '--tenant', 'cli-shop', write('bad-header.csv', 'sku,name\n1,a\n'));
    assert.equal(header.status, 1);
    assert.match(header.stderr, /unknown column "sku"[\s\S]*How to fix/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('wrong usage is refused before any file is read or store opened', async () => {
  await assert.rejects(importCommand.run(['catalog', '--tenant', 'x', join(dir, 'what.txt')]), /--format csv/);
  await assert.rejects(importCommand.run(['products', '--tenant', 'x', 'a.csv']), /Unknown kind "products"/);
  await assert.rejects(importCommand.run(['catalog', 'a.csv']), /--tenant is required/);
  await assert.rejects(importCommand.run(['catalog', '--tenant', 'x', '--format', 'xml', 'a.csv']), /csv or ndjson/);
});
