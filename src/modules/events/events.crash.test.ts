import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ChildServer } from '../../platform/child-server.ts';
import { startChildServer } from '../../platform/child-server.ts';
import { testDatabaseUrl } from '../../platform/db/testing.ts';
import type { TestTenant } from '../../platform/testing-app.ts';
import { createTestTenant } from '../../platform/testing-app.ts';
import { freshServerStore, seedItems, storedEventIds, withServices } from './events.testing.ts';

/**
 * "An acknowledged write is durable": the real server, SIGKILLed in the middle
 * of ingestion, must still have every batch it acknowledged, whole; a batch it
 * did not acknowledge is either whole or absent; and retrying every batch with
 * the same event ids leaves exactly one copy of each event.
 */
const BATCHES = 60;
const PER_BATCH = 250;
const SENDERS = 4;
const KILL_AFTER_ACKS = 12;

function makeBatches(): string[] {
  const at = new Date().toISOString();
  return Array.from({ length: BATCHES }, (_, b) =>
    JSON.stringify(
      Array.from({ length: PER_BATCH }, (_, i) => ({
        eventId: `b${b}-e${i}`,
        subjectId: `s${(b * 7 + i) % 50}`,
        type: i % 10 === 0 ? 'cart' : 'view',
        itemId: `i${(b * 31 + i) % 200}`,
        occurredAt: at,
      })),
    ),
  );
}

const send = (server: ChildServer, key: string, body: string) =>
  fetch(`${server.url}/v1/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body,
  });

const batchOf = (eventId: string) => Number(eventId.slice(1, eventId.indexOf('-')));

for (const kind of ['sqlite', 'postgres'] as const) {
  const skip = kind === 'postgres' && !testDatabaseUrl ? 'TEST_DATABASE_URL is not set' : false;
  test(`acknowledged batches survive SIGKILL and retries store each event once [${kind}]`, {
    skip,
    timeout: 120_000,
  }, async () => {
    const store = await freshServerStore(kind, testDatabaseUrl);
    let server: ChildServer | undefined;
    try {
      const tenant: TestTenant = await withServices(store.env, async (services) => {
        const t = await createTestTenant(services);
        await seedItems(
          services.db,
          t.id,
          Array.from({ length: 200 }, (_, i) => `i${i}`),
        );
        return t;
      });
      const batches = makeBatches();
      server = await startChildServer(store.env);
      const victim = server;

      // Several senders in parallel; the server is killed while batches are in flight.
      const acked = new Set<number>();
      let next = 0;
      let killed = false;
      const sender = async () => {
        while (next < BATCHES) {
          const b = next++;
          try {
            const res = await send(victim, tenant.server, batches[b] as string);
            if (res.status === 200) {
              const body = (await res.json()) as { stored: number };
              assert.equal(body.stored, PER_BATCH);
              acked.add(b);
            } else await res.arrayBuffer();
          } catch {
            // Connection refused or reset: the server is gone; this batch is not acknowledged.
          }
          if (!killed && acked.size >= KILL_AFTER_ACKS) {
            killed = true;
            victim.process.kill('SIGKILL');
          }
        }
      };
      await Promise.all(Array.from({ length: SENDERS }, sender));
      await victim.stop();
      assert.ok(killed, 'the server was killed during ingestion');
      assert.ok(acked.size >= KILL_AFTER_ACKS && acked.size < BATCHES, `acknowledged ${acked.size} batches`);

      // Restart on the same data; every acknowledged batch is there, whole.
      server = await startChildServer(store.env);
      const afterCrash = await withServices(store.env, (s) => storedEventIds(s.db, tenant.id));
      const perBatch = new Map<number, number>();
      for (const id of afterCrash) perBatch.set(batchOf(id), (perBatch.get(batchOf(id)) ?? 0) + 1);
      for (const b of acked) assert.equal(perBatch.get(b), PER_BATCH, `acknowledged batch ${b} is whole`);
      for (const [b, n] of perBatch) assert.equal(n, PER_BATCH, `batch ${b} is whole or absent, never partial`);

      // Retry everything: each event ends up stored exactly once.
      let stored = 0;
      let duplicates = 0;
      for (let b = 0; b < BATCHES; b++) {
        const res = await send(server, tenant.server, batches[b] as string);
        assert.equal(res.status, 200);
        const body = (await res.json()) as { stored: number; duplicates: number };
        if (acked.has(b)) assert.equal(body.duplicates, PER_BATCH, `batch ${b} was already there`);
        stored += body.stored;
        duplicates += body.duplicates;
      }
      assert.equal(duplicates, afterCrash.length);
      assert.equal(stored + duplicates, BATCHES * PER_BATCH);
      const finalIds = await withServices(store.env, (s) => storedEventIds(s.db, tenant.id));
      assert.equal(finalIds.length, BATCHES * PER_BATCH);
      assert.equal(new Set(finalIds).size, BATCHES * PER_BATCH);
    } finally {
      await server?.stop();
      await store.cleanup();
    }
  });
}
