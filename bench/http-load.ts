/**
 * A lean HTTP/1.1 load generator for the benchmarks: keep-alive connections
 * over raw sockets, requests serialized before the run, responses parsed only
 * as far as the status line and Content-Length (or chunked framing). Node's
 * http client spent 0.12-0.15 ms of CPU per request, on the same two cores as
 * the server it measures; this one spends a fraction of that.
 *
 * Two modes:
 * - closed loop (no `rate`): each connection sends its next request when the
 *   answer to the last one arrives, so the server runs saturated and latency
 *   is mostly queueing;
 * - open loop (`rate`): requests are due at a fixed rate whatever the server
 *   does, and each one's latency counts from when it was due (a request that
 *   waits for a free connection waits on the clock), so the percentiles say
 *   what latency that traffic gets (no coordinated omission).
 *
 * @example
 * const run = await loadHttp({ port, connections: 32, seconds: 10, rate: 3000, next: () => requestBuffer() });
 */
import { connect, type Socket } from 'node:net';

export interface LoadOptions {
  readonly host?: string;
  readonly port: number;
  readonly connections: number;
  readonly seconds: number;
  /** Requests per second for the open loop; omitted: closed loop. */
  readonly rate?: number;
  /** The next request, a whole HTTP/1.1 message (see {@link httpRequest}). */
  readonly next: () => Buffer;
}

export interface LoadResult {
  /** Latency of every answered request, ms. */
  readonly latencies: Float64Array;
  /** How many answers had each status code. */
  readonly statuses: ReadonlyMap<number, number>;
  /** Seconds from the first request to the last answer. */
  readonly elapsed: number;
  /** Open loop only: requests that were due but not yet sent when the run ended. */
  readonly unsent: number;
  /**
   * Open loop only: how long each unsent request had waited when the run
   * ended (ms) — a lower bound of its latency, for percentiles that do not
   * leave the slowest requests out.
   */
  readonly unsentWaits: Float64Array;
}

/** One HTTP/1.1 request as bytes, with Content-Length and keep-alive. */
export function httpRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body: string | undefined,
): Buffer {
  const payload = body === undefined ? undefined : Buffer.from(body);
  let head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n`;
  for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
  if (payload) head += `Content-Length: ${payload.length}\r\n`;
  head += '\r\n';
  return payload ? Buffer.concat([Buffer.from(head), payload]) : Buffer.from(head);
}

const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * Frames responses on one connection: returns the status of each complete
 * response as bytes arrive. Handles Content-Length and chunked bodies.
 */
export class ResponseReader {
  #buf: Buffer = Buffer.alloc(0);

  /** The statuses of the responses completed by `chunk`, in order. */
  push(chunk: Buffer): number[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const done: number[] = [];
    for (;;) {
      const end = this.#buf.indexOf(CRLFCRLF);
      if (end < 0) break;
      const head = this.#buf.toString('latin1', 0, end);
      const status = Number(head.slice(9, 12));
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      let total: number;
      if (length) total = end + 4 + Number(length[1]);
      else if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
        const last = this.#buf.indexOf('\r\n0\r\n\r\n', end + 4 - 2);
        if (last < 0) break;
        total = last + 7;
      } else total = end + 4;
      if (this.#buf.length < total) break;
      done.push(status);
      this.#buf = this.#buf.subarray(total);
    }
    return done;
  }
}

/** Runs the load; resolves when every sent request is answered after `seconds`. */
export function loadHttp(options: LoadOptions): Promise<LoadResult> {
  const host = options.host ?? '127.0.0.1';
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const durationMs = options.seconds * 1000;
  const start = performance.now();
  const stopAt = start + durationMs;
  const interval = options.rate === undefined ? 0 : 1000 / options.rate;
  /** Open loop: when the next request is due. */
  let nextDue = start;
  /** Open loop: due times of requests waiting for a free connection. */
  const backlog: number[] = [];
  const idle: Conn[] = [];
  let open = 0;
  let lastAnswer = start;
  let finish: (r: LoadResult) => void;
  let fail: (e: Error) => void;
  const result = new Promise<LoadResult>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });

  interface Conn {
    socket: Socket;
    reader: ResponseReader;
    /** When the request in flight was due (open loop) or sent (closed loop). */
    since: number;
    busy: boolean;
  }

  const send = (c: Conn, since: number) => {
    c.busy = true;
    c.since = since;
    c.socket.write(options.next());
  };
  const settle = () => {
    if (open === 0 && performance.now() >= stopAt) {
      if (timer) clearInterval(timer);
      finish({
        latencies: Float64Array.from(latencies),
        statuses,
        elapsed: (lastAnswer - start) / 1000,
        unsent: backlog.length,
        unsentWaits: Float64Array.from(backlog, (due) => stopAt - due),
      });
    }
  };
  const onAnswer = (c: Conn, status: number) => {
    const now = performance.now();
    latencies.push(now - c.since);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    lastAnswer = now;
    c.busy = false;
    if (now >= stopAt) {
      c.socket.end();
      return;
    }
    if (interval === 0) send(c, now);
    else if (backlog.length > 0) send(c, backlog.shift() as number);
    else idle.push(c);
  };
  /** Open loop: sends every request now due, on idle connections or into the backlog. */
  const tick = () => {
    const now = performance.now();
    const until = Math.min(now, stopAt);
    while (nextDue <= until) {
      // The connection idle the longest goes next, so that requests spread over every
      // connection (and the server processes they reach) as from many clients; taking
      // the last freed one put most of a moderate rate on a few connections, and on one
      // of two server processes about 60 % of the work.
      const c = idle.shift();
      if (c) send(c, nextDue);
      else backlog.push(nextDue);
      nextDue += interval;
    }
    if (now >= stopAt) for (const c of idle.splice(0)) c.socket.end();
  };
  // Only the open loop needs a clock; the closed loop sends from its answers.
  const timer = interval === 0 ? undefined : setInterval(tick, 1);

  for (let i = 0; i < options.connections; i++) {
    const socket = connect({ host, port: options.port, noDelay: true });
    const c: Conn = { socket, reader: new ResponseReader(), since: 0, busy: false };
    open++;
    socket.on('connect', () => {
      if (interval === 0) send(c, performance.now());
      else idle.push(c);
    });
    socket.on('data', (chunk: Buffer) => {
      for (const status of c.reader.push(chunk)) onAnswer(c, status);
    });
    socket.on('error', (error) => fail(error));
    socket.on('close', () => {
      open--;
      if (c.busy) fail(new Error('the server closed a connection with a request in flight'));
      settle();
    });
  }
  return result;
}
