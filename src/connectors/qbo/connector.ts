import { pino } from 'pino';
import { CallStats } from '../call-stats.ts';
import { ConnectorError } from '../errors.ts';
import { QboUsageError } from './errors.ts';
import { realmLimiter, resolveLimits, type RealmLimits } from './limiter.ts';
import { Reader } from './reads.ts';
import { ServerClock } from './time.ts';
import { TokenKeeper } from './tokens.ts';
import { Transport } from './transport.ts';
import type { QboConnector, QboConnectorOptions } from './types.ts';
import { Writer } from './writes.ts';

/** The minor version QuickBooks applies since August 2025 (1–74 are ignored). */
export const DEFAULT_MINOR_VERSION = 75;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function positive(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : undefined;
}

/** `{baseUrl}/v3/company/{realmId}`, whether or not baseUrl already ends in /v3/company. */
export function apiBaseUrl(baseUrl: string, realmId: string): string {
  const trimmed = baseUrl.replace(/\/+$/, '');
  const root = /\/v3\/company$/.test(trimmed) ? trimmed : `${trimmed}/v3/company`;
  return `${root}/${encodeURIComponent(realmId)}`;
}

/** Builds the QuickBooks Online connector of a stored connection. */
export async function createQboConnector(opts: QboConnectorOptions): Promise<QboConnector> {
  const { vault, connectionId } = opts;
  const creds = await vault.get(connectionId);
  if (creds.system !== 'qbo') {
    throw new QboUsageError(
      `connection "${connectionId}" is a ${creds.system} connection, not QuickBooks Online`,
    );
  }
  const baseUrl = str(creds.settings.baseUrl);
  const realmId = str(creds.settings.realmId);
  if (!baseUrl || !realmId) {
    throw new QboUsageError(`connection "${connectionId}" has no baseUrl or realmId setting: add it again`);
  }
  const logger = (opts.logger ?? pino({ level: 'silent' })).child({
    connector: 'qbo',
    connectionId,
    realmId,
  });
  const stats = new CallStats();
  const retries = Math.max(0, Math.floor(opts.retries ?? 5));
  const timeoutMs = positive(opts.timeoutMs) ?? 120_000;
  const backoffBaseMs = Math.max(0, opts.backoffBaseMs ?? 500);
  const backoffMaxMs = Math.max(backoffBaseMs, opts.backoffMaxMs ?? 60_000);
  const minorVersion =
    positive(opts.minorVersion) ?? positive(creds.settings.minorVersion) ?? DEFAULT_MINOR_VERSION;
  const apiBase = apiBaseUrl(baseUrl, realmId);
  const limits = resolveLimits(opts.limits, creds.settings.limits as Partial<RealmLimits> | undefined);
  const tokens = new TokenKeeper({
    vault,
    connectionId,
    logger,
    stats,
    timeoutMs,
    retries,
    backoffBaseMs,
    backoffMaxMs,
  });
  const clock = new ServerClock();
  const transport = new Transport({
    apiBase,
    minorVersion,
    timeoutMs,
    retries,
    backoffBaseMs,
    backoffMaxMs,
    limiter: realmLimiter(apiBase, limits),
    tokens,
    clock,
    stats,
    logger,
    connectionId,
    onAuthFailure: (message) => vault.setStatus(connectionId, 'needs-reauth', message).catch(() => {}),
  });
  const reader = new Reader(transport, clock, logger);
  const writer = new Writer(transport, reader);
  return {
    connectionId,
    realmId,
    stats,
    read: (entity, id) => reader.read(entity, id),
    query: (entity, o) => reader.query(entity, o),
    count: (entity, where) => reader.count(entity, where),
    readMany: (entity, ids) => reader.readMany(entity, ids),
    cdc: (entities, changedSince) => reader.cdc(entities, changedSince),
    readChanges: (spec) => reader.readChanges(spec),
    readChangesMany: (spec) => reader.readChangesMany(spec),
    batch: (items, requestId) => writer.batch(items, requestId),
    write: (entity, operation, body, requestId) => writer.write(entity, operation, body, requestId),
    reapplyStale: (entity, patches, prefix) => writer.reapplyStale(entity, patches, prefix),
  };
}

/** Checks that the connection works: reads the company's name. */
export async function testQboConnection(
  c: QboConnector,
): Promise<{ ok: true; companyName: string; realmId: string }> {
  const info = await c.read('CompanyInfo', c.realmId);
  const companyName = info && typeof info.CompanyName === 'string' ? info.CompanyName : undefined;
  if (!companyName) {
    throw new ConnectorError('qbo', `QuickBooks has no CompanyInfo for realm ${c.realmId}`, { code: '610' });
  }
  return { ok: true, companyName, realmId: c.realmId };
}
