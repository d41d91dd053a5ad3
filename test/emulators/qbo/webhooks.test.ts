/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON bodies of the API under test */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningQboEmulator } from '../../../emulators/qbo/index.ts';
import { api, start } from './helpers.ts';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver: answers each delivery with the next status of `statuses` (then 200). */
async function receiver(
  statuses: number[] = [],
): Promise<{ url: string; got: Received[]; hold: boolean; close(): Promise<void>; server: Server }> {
  const got: Received[] = [];
  const state = { hold: false };
  const pending: Array<() => void> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      const answer = (): void => {
        res.statusCode = statuses.shift() ?? 200;
        res.end('ok');
      };
      if (state.hold) pending.push(answer);
      else answer();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const addr = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${addr.port}/hooks`,
    got,
    server,
    get hold() {
      return state.hold;
    },
    set hold(v: boolean) {
      state.hold = v;
      if (!v) for (const p of pending.splice(0)) p();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const p of pending.splice(0)) p();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

async function until<T>(probe: () => T | undefined, what: string, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let emu: RunningQboEmulator | undefined;
let hooks: Awaited<ReturnType<typeof receiver>> | undefined;
afterEach(async () => {
  await emu?.close();
  await hooks?.close();
  emu = undefined;
  hooks = undefined;
});

function verify(r: Received, token: string): boolean {
  const expected = createHmac('sha256', token).update(r.body).digest('base64');
  return r.headers['intuit-signature'] === expected;
}

describe('webhooks', () => {
  it('posts signed CloudEvents for creates, updates, deletes and voids', async () => {
    hooks = await receiver();
    emu = await start({ records: 5, webhooks: { urls: [hooks.url], delayMs: 100 } });
    const qbo = api(emu);
    await new Promise((r) => setTimeout(r, 200));
    expect(hooks.got).toHaveLength(0);
    const c = (await qbo.post('/customer', { DisplayName: 'Hooked' })).json.Customer;
    await qbo.post('/customer', { Id: c.Id, SyncToken: c.SyncToken, sparse: true, Notes: 'x' });
    const eventsSoFar = (): Array<Record<string, string>> => hooks!.got.flatMap((g) => JSON.parse(g.body));
    await until(() => eventsSoFar().length >= 2 || undefined, 'two events');
    for (const g of hooks.got) expect(verify(g, emu.info.webhookVerifierToken)).toBe(true);
    const got = hooks.got[0]!;
    expect(verify({ ...got, body: got.body + ' ' }, emu.info.webhookVerifierToken)).toBe(false);
    const events = eventsSoFar();
    expect(events).toHaveLength(2);
    expect(events[0]).toMatchObject({
      specversion: '1.0',
      type: 'qbo.customer.created.v1',
      datacontenttype: 'application/json',
      intuitentityid: c.Id,
      intuitaccountid: emu.info.realmId,
    });
    expect(events[1]!.type).toBe('qbo.customer.updated.v1');
    const item = (await qbo.query("select * from Item where Name = 'Design'")).json.QueryResponse.Item[0];
    const line = {
      Amount: 75,
      DetailType: 'SalesItemLineDetail',
      SalesItemLineDetail: { ItemRef: { value: item.Id } },
    };
    const a = (await qbo.post('/invoice', { CustomerRef: { value: c.Id }, Line: [line] })).json.Invoice;
    const b = (await qbo.post('/invoice', { CustomerRef: { value: c.Id }, Line: [line] })).json.Invoice;
    await qbo.post('/invoice?operation=void', { Id: a.Id, SyncToken: a.SyncToken });
    await qbo.post('/invoice?operation=delete', { Id: b.Id, SyncToken: b.SyncToken });
    await until(() => eventsSoFar().length >= 6 || undefined, 'the invoice events');
    const types = eventsSoFar()
      .slice(2)
      .map((e) => e.type);
    expect(types).toEqual([
      'qbo.invoice.created.v1',
      'qbo.invoice.created.v1',
      'qbo.invoice.voided.v1',
      'qbo.invoice.deleted.v1',
    ]);
  });

  it('speaks the legacy eventNotifications format when asked', async () => {
    hooks = await receiver();
    emu = await start({ records: 5, webhooks: { urls: [hooks.url], format: 'legacy', delayMs: 20 } });
    const c = (await api(emu).post('/customer', { DisplayName: 'Legacy Hook' })).json.Customer;
    const got = await until(() => hooks!.got[0], 'a delivery');
    expect(verify(got, emu.info.webhookVerifierToken)).toBe(true);
    expect(JSON.parse(got.body)).toEqual({
      eventNotifications: [
        {
          realmId: emu.info.realmId,
          dataChangeEvent: {
            entities: [
              { id: c.Id, operation: 'Create', name: 'Customer', lastUpdated: expect.stringMatching(/Z$/) },
            ],
          },
        },
      ],
    });
  });

  it('retries a failed delivery, and never holds up the API while a receiver is slow', async () => {
    hooks = await receiver([500]);
    emu = await start({ records: 5, webhooks: { urls: [hooks.url], delayMs: 10, retryDelaysMs: [30, 30] } });
    const qbo = api(emu);
    await qbo.post('/customer', { DisplayName: 'Retry Me' });
    await until(() => hooks!.got.length >= 2 || undefined, 'a retry');
    expect(hooks.got[1]!.body).toBe(hooks.got[0]!.body);
    const deliveries = (await (await fetch(`${emu.url}/__emulator/webhooks/deliveries`)).json()) as any[];
    expect(
      deliveries.map((d: { attempt: number; ok: boolean; status: number }) => [d.attempt, d.ok, d.status]),
    ).toEqual([
      [1, false, 500],
      [2, true, 200],
    ]);
    hooks.hold = true;
    await qbo.post('/customer', { DisplayName: 'Slow Receiver' });
    await until(() => hooks!.got.length >= 3 || undefined, 'a held delivery');
    const r = await qbo.get('/customer/1');
    expect(r.status).toBe(200);
    hooks.hold = false;
  });

  it('registers, lists and clears URLs through /__emulator/webhooks', async () => {
    hooks = await receiver();
    emu = await start({ records: 5, webhooks: { delayMs: 10 } });
    const control = `${emu.url}/__emulator/webhooks`;
    const bad = await fetch(control, { method: 'POST', body: JSON.stringify({ url: 'ftp://x' }) });
    expect(bad.status).toBe(400);
    const added = await fetch(control, { method: 'POST', body: JSON.stringify({ url: hooks.url }) });
    expect(added.status).toBe(201);
    expect(((await (await fetch(control)).json()) as { urls: string[] }).urls).toEqual([hooks.url]);
    await api(emu).post('/customer', { DisplayName: 'Registered Later' });
    await until(() => hooks!.got[0], 'a delivery');
    await fetch(control, { method: 'DELETE' });
    expect(((await (await fetch(control)).json()) as { urls: string[] }).urls).toEqual([]);
    await api(emu).post('/customer', { DisplayName: 'Nobody Listens' });
    await new Promise((r) => setTimeout(r, 100));
    expect(hooks.got).toHaveLength(1);
  });
});
