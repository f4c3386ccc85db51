/**
 * A network link of limited bandwidth in front of a registry on loopback: a TCP proxy whose two
 * directions each carry at most `mbit` megabits per second, shared by all connections (one link,
 * as between a CI runner and its registry). Loopback moves gigabytes per second, faster than any
 * real network; through a link, what a push costs over a real network can be measured.
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream';

export interface Link {
  hostPort: string;
  close(): Promise<void>;
}

/** One direction of the link: each chunk leaves when the link would have finished sending it. */
class Direction {
  private freeAt = 0;
  constructor(private readonly bytesPerMs: number) {}

  throttle(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) => {
        const now = performance.now();
        this.freeAt = Math.max(now, this.freeAt) + chunk.length / this.bytesPerMs;
        const wait = this.freeAt - now;
        // Timers are coarse: waits under a millisecond add up in freeAt and are paid together.
        if (wait < 1) cb(null, chunk);
        else setTimeout(() => cb(null, chunk), wait);
      },
    });
  }
}

export async function startLink(target: string, mbit: number): Promise<Link> {
  const [host, port] = [target.slice(0, target.lastIndexOf(':')), Number(target.slice(target.lastIndexOf(':') + 1))];
  const bytesPerMs = (mbit * 1e6) / 8 / 1000;
  const up = new Direction(bytesPerMs);
  const down = new Direction(bytesPerMs);
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection({ host, port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    const done = () => {
      client.destroy();
      upstream.destroy();
    };
    pipeline(client, up.throttle(), upstream, done);
    pipeline(upstream, down.throttle(), client, done);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('link did not bind');
  return {
    hostPort: `127.0.0.1:${address.port}`,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
