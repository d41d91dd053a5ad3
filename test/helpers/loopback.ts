import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Starts a stub HTTP server on 127.0.0.1 (a free port): its URL, and how to close it with its connections. */
export async function listenOnLoopback(server: Server): Promise<{ url: string; close(): Promise<void> }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
