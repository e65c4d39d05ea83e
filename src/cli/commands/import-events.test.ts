import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { seedItems } from '../../modules/events/events.testing.ts';
import { loadConfig } from '../../platform/config.ts';
import type { Services } from '../../platform/container.ts';
import { createServices } from '../../platform/container.ts';
import { describeEachStore } from '../../platform/db/testing.ts';
import { createTestTenant } from '../../platform/testing-app.ts';
import type { ImportIo } from './import.ts';
// Through import.ts, which lists the kind (see import-events.ts).
import { KINDS, runImport } from './import.ts';

const dir = mkdtempSync(join(tmpdir(), 'pertinent-import-events-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const io = (): ImportIo => ({ out: () => {}, progress: () => {}, isTTY: false });

const CSV = [
  'subject,type,item,occurred_at,event_id,quantity,price,source',
  'ada,view,coat,2026-11-01T10:00:00Z,ev1,,,',
  'ada,purchase,coat,2026-11-01T10:05:00Z,ev2,1,189.5,pos',
  'bob,view,no-such-item,2026-11-01T10:00:00Z,ev3,,,',
  'bob,cart,gloves,2026-11-01T10:00:00Z,ev4,two,,',
  'bob,view,gloves,2026-11-01T11:00:00Z,ev5',
  'bob,view,gloves,not a time,ev6,,,',
  'cy,click,gloves,2026-11-01T12:00:00+01:00,ev7,,,app',
  '',
].join('\n');

describeEachStore('pertinent import events', (getDb) => {
  let services: Services;
  before(async () => {
    services = await createServices(loadConfig({ PERTINENT_LOG_LEVEL: 'silent' }), { db: getDb() });
  });

  test('a CSV file: good events are imported once, bad lines reported by line number', async () => {
    const tenant = await createTestTenant(services);
    await seedItems(getDb(), tenant.id, ['coat', 'gloves']);
    const kind = KINDS.events;
    assert.ok(kind);
    const file = join(dir, `events-${tenant.id}.csv`);
    writeFileSync(file, CSV);
    const run = () => runImport({ services, kind, tenantId: tenant.id, file, format: 'csv', io: io() });
    const summary = await run();
    assert.equal(summary.records, 7);
    assert.equal(summary.imported, 3);
    assert.deepEqual(
      summary.firstRejects.map((r) => r.line),
      [4, 5, 6, 7],
    );
    assert.match(summary.firstRejects[0]?.reason ?? '', /not in the catalog/);
    assert.match(summary.firstRejects[1]?.reason ?? '', /quantity/);
    assert.match(summary.firstRejects[2]?.reason ?? '', /has 5 fields; the header has 8/);
    assert.match(summary.firstRejects[3]?.reason ?? '', /occurredAt/);

    const ada = await services.events.listEvents(tenant.id, 'ada');
    assert.deepEqual(
      ada.map((e) => [e.eventId, e.type, e.source, e.price, e.quantity]),
      [
        ['ev1', 'view', 'import', null, null],
        ['ev2', 'purchase', 'pos', 189.5, 1],
      ],
    );
    const again = await run();
    assert.equal(again.imported, 3, 'a repeated run reports the same events as imported');
    assert.equal((await services.events.listEvents(tenant.id, 'ada')).length, 2, 'and stores nothing twice');
  });

  test('NDJSON lines are events as the API takes them; a wrong header stops before writing', async () => {
    const tenant = await createTestTenant(services);
    await seedItems(getDb(), tenant.id, ['coat']);
    const kind = KINDS.events;
    assert.ok(kind);
    const file = join(dir, `events-${tenant.id}.ndjson`);
    writeFileSync(
      file,
      [
        JSON.stringify({
          eventId: 'n1',
          subjectId: 'dee',
          type: 'search',
          query: 'coat',
          occurredAt: '2026-11-01T10:00:00Z',
        }),
        '{"eventId": "n2",',
        JSON.stringify({ eventId: 'n3', type: 'view', itemId: 'coat', occurredAt: '2026-11-01T10:00:00Z' }),
      ].join('\n'),
    );
    const summary = await runImport({ services, kind, tenantId: tenant.id, file, format: 'ndjson', io: io() });
    assert.equal(summary.imported, 1);
    assert.deepEqual(
      summary.firstRejects.map((r) => r.line),
      [2, 3],
    );
    assert.match(summary.firstRejects[1]?.reason ?? '', /subjectId/);

    const bad = join(dir, `bad-${tenant.id}.csv`);
    writeFileSync(bad, 'subject,type,item,when,event_id\nx,view,coat,2026-11-01T10:00:00Z,b1\n');
    await assert.rejects(runImport({ services, kind, tenantId: tenant.id, file: bad, format: 'csv', io: io() }), {
      code: 'import_bad_header',
    });
    assert.equal((await services.events.listEvents(tenant.id, 'x')).length, 0);
  });
});
