import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  defaultConfig,
  loadConfig,
  packIds,
  parseConfig,
  type FlowConfig,
} from '../../src/config/index.ts';

const field = (flow: FlowConfig, sf?: string, qb?: string) =>
  flow.fields.find((f) => f.sf === sf && f.qb === qb);

describe('the embedded defaults', () => {
  it('run the baseline customer-account pack as shipped', () => {
    const config = defaultConfig();
    expect(config).toMatchObject({ version: 1, file: null });
    expect(config.flows).toHaveLength(1);
    const flow = config.flows[0]!;
    expect(flow).toMatchObject({
      name: 'customers',
      extends: 'baseline/customer-account',
      enabled: true,
      salesforce: { connection: 'salesforce', object: 'Account', externalIdField: 'QBO_Id__c' },
      quickbooks: { connection: 'qbo', entity: 'Customer' },
      direction: 'both',
      createMissing: { toQuickbooks: false, toSalesforce: true },
      match: ['external-id', 'name', 'email'],
      conflict: 'last-writer-wins',
      onFirstLink: 'quickbooks',
      deletes: { toQuickbooks: 'deactivate', toSalesforce: 'ignore' },
    });
    expect(flow.salesforce.related.contact).toMatchObject({
      object: 'Contact',
      parentField: 'AccountId',
      pick: 'first-created',
      create: true,
    });
    expect(packIds()).toContain('baseline/customer-account');
  });

  it('locate every pack field in the pack file', () => {
    const flow = defaultConfig().flows[0]!;
    const name = field(flow, 'Name', 'DisplayName')!;
    expect(name.origin).toBe('pack');
    expect(name.loc?.file).toBe('src/mapping/packs/customer-account.yaml');
    expect(name.loc?.keys.sf).toMatchObject({ line: name.loc!.line, column: name.loc!.column + 6 });
  });

  it('are what loadConfig() gives without a file', async () => {
    expect(await loadConfig()).toEqual(defaultConfig());
  });
});

describe('loadConfig', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ledgerbridge-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a file and reports problems under its path', async () => {
    const file = join(dir, 'ledgerbridge.yaml');
    await writeFile(
      file,
      'flows:\n  - name: customers\n    extends: baseline/customer-account\n    conflict: hold\n',
    );
    const config = await loadConfig(file);
    expect(config.file).toBe(file);
    expect(config.flows[0]!.conflict).toBe('hold');
    await writeFile(
      file,
      'flows:\n  - name: customers\n    extends: baseline/customer-account\n    conflict: never\n',
    );
    await expect(loadConfig(file)).rejects.toThrow(
      `${file}:4:15: flow 'customers': 'conflict' must be one of`,
    );
  });

  it('says so when the file cannot be read', async () => {
    const missing = join(dir, 'nope.yaml');
    const err = await loadConfig(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).issues).toEqual([
      { file: missing, message: 'cannot read the configuration: no such file' },
    ]);
    await expect(loadConfig(dir)).rejects.toThrow('cannot read the configuration: it is a folder');
  });
});

describe('a flow written from scratch', () => {
  const flow = parseConfig(
    `flows:
  - name: products
    salesforce: { object: Account }
    quickbooks: { entity: Customer }
    fields:
      - { sf: Name, qb: DisplayName }
      - { sf: QB_Balance__c, constant: 12.50, onCreateOnly: true }
      - { sf: AnnualRevenue, constant: 123456789012345678901234.10 }
      - { qb: Notes, toQuickbooks: "upper(Name)" }
      - { sf: Site, qb: PrintOnCheckName, direction: 'sf→qb' }
      - { sf: Industry, qb: CompanyName, valueMap: { Retail: 1.50 }, default: 0 }
`,
    'ledgerbridge.yaml',
  ).flows[0]!;

  it('gets safe defaults', () => {
    expect(flow).toMatchObject({
      extends: null,
      salesforce: { connection: 'salesforce', externalIdField: null, related: {} },
      quickbooks: { connection: 'qbo' },
      direction: 'both',
      createMissing: { toQuickbooks: false, toSalesforce: false },
      match: ['name'],
      keys: { name: { sf: 'Name', qb: 'DisplayName' }, email: null },
      criteria: { salesforce: null, quickbooks: null },
      conflict: 'hold',
      onFirstLink: 'none',
      deletes: { toQuickbooks: 'ignore', toSalesforce: 'ignore', salesforceActiveField: null },
    });
  });

  it('resolves each field’s direction from what it can write', () => {
    expect(field(flow, 'Name', 'DisplayName')?.direction).toBe('both');
    expect(field(flow, 'QB_Balance__c')?.direction).toBe('qb->sf');
    expect(field(flow, undefined, 'Notes')?.direction).toBe('sf->qb');
    expect(field(flow, 'Site', 'PrintOnCheckName')?.direction).toBe('sf->qb');
    expect(field(flow, 'Name', 'DisplayName')?.origin).toBe('file');
  });

  it('keeps numbers exactly as written', () => {
    expect(field(flow, 'QB_Balance__c')?.constant).toEqual({ decimal: '12.50' });
    expect(field(flow, 'AnnualRevenue')?.constant).toEqual({ decimal: '123456789012345678901234.10' });
    expect(field(flow, 'Industry', 'CompanyName')).toMatchObject({
      valueMap: { Retail: { decimal: '1.50' } },
      default: { toQuickbooks: { decimal: '0' }, toSalesforce: { decimal: '0' } },
    });
  });

  it('remembers where everything is written', () => {
    expect(flow.loc).toMatchObject({ file: 'ledgerbridge.yaml', line: 2, column: 5 });
    expect(flow.loc?.keys['salesforce.object']).toEqual({ file: 'ledgerbridge.yaml', line: 3, column: 27 });
    expect(field(flow, undefined, 'Notes')?.loc?.keys.toQuickbooks).toEqual({
      file: 'ledgerbridge.yaml',
      line: 9,
      column: 36,
    });
  });
});

describe('extends', () => {
  const base = defaultConfig().flows[0]!;
  const flow = parseConfig(
    `flows:
  - name: customers
    extends: baseline/customer-account
    conflict: salesforce-wins
    salesforce: { connection: sandbox }
    deletes: { toQuickbooks: ignore }
    fields:
      - { sf: Name, qb: DisplayName, direction: sf->qb }
      - { sf: Industry, qb: PrintOnCheckName, direction: sf->qb }
    omitFields: [Fax, 'qb:ShipAddr.Line3', sf:contact.MobilePhone]
`,
    'ledgerbridge.yaml',
  ).flows[0]!;

  it('overrides settings key by key and keeps the rest of the pack', () => {
    expect(flow.conflict).toBe('salesforce-wins');
    expect(flow.salesforce).toMatchObject({
      connection: 'sandbox',
      object: 'Account',
      externalIdField: 'QBO_Id__c',
    });
    expect(flow.salesforce.related.contact?.object).toBe('Contact');
    expect(flow.deletes).toMatchObject({ toQuickbooks: 'ignore', toSalesforce: 'ignore' });
    expect(flow.onFirstLink).toBe(base.onFirstLink);
  });

  it('replaces a pack pair in place, adds new pairs and omits the listed ones', () => {
    const names = flow.fields.map((f) => `${f.sf ?? ''}~${f.qb ?? ''}`);
    expect(names[0]).toBe('Name~DisplayName');
    expect(flow.fields[0]).toMatchObject({ direction: 'sf->qb', origin: 'file' });
    expect(flow.fields[0]!.loc?.file).toBe('ledgerbridge.yaml');
    expect(names[names.length - 1]).toBe('Industry~PrintOnCheckName');
    for (const gone of [
      'Fax~Fax.FreeFormNumber',
      '~ShipAddr.Line3',
      'contact.MobilePhone~Mobile.FreeFormNumber',
    ])
      expect(names).not.toContain(gone);
    expect(flow.fields).toHaveLength(base.fields.length - 3 + 1);
    expect(flow.fields[1]).toMatchObject({ origin: 'pack', sf: 'Name', qb: 'CompanyName' });
  });

  it('narrows the pack to a one-way flow without complaint', () => {
    const oneWay = parseConfig(
      'flows:\n  - name: customers\n    extends: baseline/customer-account\n    direction: sf->qb\n',
      'ledgerbridge.yaml',
    ).flows[0]!;
    expect(oneWay.fields.every((f) => f.direction === 'sf->qb')).toBe(true);
    expect(oneWay.fields.find((f) => f.sf === 'QB_Balance__c')).toBeUndefined();
    expect(oneWay.fields.find((f) => f.sf === 'Type')).toBeUndefined();
    expect(oneWay.createMissing).toEqual({ toQuickbooks: false, toSalesforce: false });
    expect(oneWay.deletes.toQuickbooks).toBe('deactivate');
  });
});

describe('ConfigError', () => {
  it('lists every problem, one per line, with structured issues', () => {
    const err = (() => {
      try {
        parseConfig(
          'flows:\n  - name: a\n    extends: baseline/customer-account\n    conflict: x\n    direction: y\n',
          'cfg.yaml',
        );
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('expected a ConfigError');
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues).toHaveLength(2);
    expect(err.issues[0]).toMatchObject({ file: 'cfg.yaml', line: 4, column: 15, flow: 'a' });
    expect(err.message.split('\n')).toHaveLength(2);
    expect(err.message.split('\n')[1]).toMatch(
      /^cfg\.yaml:5:16: flow 'a': 'direction' must be one of both, sf->qb, qb->sf, not 'y'$/,
    );
  });
});
