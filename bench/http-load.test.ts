import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { httpRequest, loadHttp, ResponseReader } from './http-load.ts';

test('the response reader frames responses split anywhere, with Content-Length or chunked bodies', () => {
  const bytes = Buffer.from(
    'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello' +
      'HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' +
      'HTTP/1.1 204 No Content\r\n\r\n',
  );
  for (let cut = 1; cut < bytes.length; cut++) {
    const reader = new ResponseReader();
    const statuses = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
    assert.deepEqual(statuses, [200, 404, 204], `cut at byte ${cut}`);
  }
});

test('closed and open loops answer every request they send, and count what was due but never sent', async (t) => {
  let received = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received++;
      // Every other answer chunked, so both framings are exercised over real sockets.
      if (received % 2 === 0) res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      else res.writeHead(201, { 'content-length': '2' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const body = httpRequest('POST', '/x', { 'content-type': 'application/json' }, '{"a":1}');

  const closed = await loadHttp({ port, connections: 3, seconds: 1, next: () => body });
  const answered = closed.latencies.length;
  assert.ok(answered > 0);
  assert.equal(answered, received, 'every request the server received was answered and counted');
  assert.equal((closed.statuses.get(200) ?? 0) + (closed.statuses.get(201) ?? 0), answered);
  assert.equal(closed.unsent, 0);

  received = 0;
  const rate = 200;
  const open = await loadHttp({ port, connections: 2, seconds: 1, rate, next: () => body });
  // Due at start, then every 1/rate s up to the end: each is answered or left unsent.
  assert.equal(open.latencies.length + open.unsent, rate + 1);
  assert.equal(open.unsentWaits.length, open.unsent);
  for (const wait of open.unsentWaits) assert.ok(wait >= 0);
  assert.equal(open.latencies.length, received);
});

test('the open loop spreads its requests over every connection, as many clients would', async (t) => {
  // Requests per client port: the server processes behind a port each get a share of the connections.
  const perConnection = new Map<number, number>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const port = req.socket.remotePort ?? 0;
      perConnection.set(port, (perConnection.get(port) ?? 0) + 1);
      res.writeHead(200, { 'content-length': '2' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const body = httpRequest('GET', '/x', {}, undefined);
  // A slow rate: every answer is back long before the next request is due.
  await loadHttp({ port, connections: 4, seconds: 1, rate: 100, next: () => body });
  const counts = [...perConnection.values()];
  assert.equal(counts.length, 4, 'every connection carried requests');
  // The connection idle the longest goes next: 101 requests over 4 connections, about 25 each
  // (taking the last freed connection put nearly all of them on one).
  for (const n of counts) assert.ok(n >= 15 && n <= 35, `requests per connection: ${counts.join(', ')}`);
});
