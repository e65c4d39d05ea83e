import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { freshServerStore, seedItems, storedEventIds, withServices } from '../../modules/events/events.testing.ts';
import type { ChildServer } from '../../platform/child-server.ts';
import { childPids, startChildServer } from '../../platform/child-server.ts';
import { createTestTenant } from '../../platform/testing-app.ts';

/**
 * The server processes the primary `pid` started: its children that run
 * pertinent (tsx may also start an esbuild process when its cache is cold).
 */
const childrenOf = (pid: number) =>
  childPids(pid).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'utf8').includes('pertinent.mjs');
    } catch {
      return false;
    }
  });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, ok: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('serve --workers 2 runs two server processes on one port and one SQLite database, replaces a dead one and stops them all', {
  skip: process.platform !== 'linux' ? 'reads /proc' : false,
  timeout: 120_000,
}, async () => {
  const store = await freshServerStore('sqlite');
  let server: ChildServer | undefined;
  try {
    const tenant = await withServices(store.env, async (services) => {
      const t = await createTestTenant(services);
      await seedItems(
        services.db,
        t.id,
        Array.from({ length: 20 }, (_, i) => `i${i}`),
      );
      return t;
    });
    server = await startChildServer({ ...store.env, PERTINENT_WORKERS: '2' });
    const primary = server.process.pid as number;
    await until('two workers run', () => childrenOf(primary).length === 2);
    const workers = childrenOf(primary);

    // Both processes write to the one database at once; every acknowledged batch is stored.
    const post = (b: number) =>
      fetch(`${server?.url}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.server}`, 'content-type': 'application/json' },
        body: JSON.stringify(
          Array.from({ length: 50 }, (_, i) => ({
            eventId: `b${b}-${i}`,
            subjectId: `s${i % 7}`,
            type: 'view',
            itemId: `i${i % 20}`,
            occurredAt: new Date().toISOString(),
          })),
        ),
      });
    const statuses = await Promise.all(Array.from({ length: 40 }, (_, b) => post(b).then((r) => r.status)));
    assert.deepEqual(new Set(statuses), new Set([200]));
    assert.equal((await withServices(store.env, (s) => storedEventIds(s.db, tenant.id))).length, 40 * 50);

    // A worker that dies is replaced, and the port keeps answering meanwhile.
    process.kill(workers[0] as number, 'SIGKILL');
    // A keep-alive connection to the dead worker is reset; the client's retry reaches the other one.
    let health = 0;
    for (let attempt = 0; attempt < 5 && health !== 200; attempt++) {
      health = await fetch(`${server.url}/healthz`).then(
        (r) => r.status,
        () => 0,
      );
    }
    assert.equal(health, 200);
    await until('the dead worker is replaced', () => {
      const now = childrenOf(primary);
      return now.length === 2 && !now.includes(workers[0] as number);
    });

    // SIGTERM to the primary stops every process, cleanly.
    const all = childrenOf(primary);
    server.process.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => server?.process.once('exit', (c) => resolve(c)));
    assert.equal(code, 0);
    await until('no worker is left', () => all.every((pid) => !alive(pid)));
    server = undefined;
  } finally {
    await server?.stop('SIGKILL');
    await store.cleanup();
  }
});
