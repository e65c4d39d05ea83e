import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scheduleRetentionSweeps } from './retention-schedule.ts';

const empty = { events: 0, counters: 0, decisions: 0, rightsRequests: 0, tombstones: 0, tenants: [] };

test('the scheduled sweep runs soon after start, then at each interval, never overlapping, and stops', async () => {
  let runs = 0;
  let active = 0;
  let overlapped = false;
  const lines: string[] = [];
  const sweeps = scheduleRetentionSweeps(
    async () => {
      runs++;
      active++;
      if (active > 1) overlapped = true;
      await new Promise((r) => setTimeout(r, 15));
      active--;
      if (runs === 2) throw new Error('database away');
      return empty;
    },
    10,
    { info: (_o, msg) => lines.push(msg), error: (_o, msg) => lines.push(msg) },
  );
  // Timers slip on a loaded machine: wait for three runs (or give up after 5 s).
  const deadline = Date.now() + 5000;
  while (runs < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  await sweeps.stop();
  const after = runs;
  await new Promise((r) => setTimeout(r, 40));
  assert.ok(after >= 3, `ran ${after} times`);
  assert.equal(runs, after, 'nothing runs after stop');
  assert.equal(overlapped, false);
  assert.ok(lines.includes('retention sweep'));
  assert.ok(
    lines.some((l) => l.startsWith('retention sweep failed')),
    'a failure is logged and the schedule goes on',
  );
});
