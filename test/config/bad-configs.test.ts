import { describe, expect, it } from 'vitest';
import { ConfigError, formatIssue, parseConfig } from '../../src/config/index.ts';
import { compileFlow } from '../../src/mapping/index.ts';
import { catalogs } from '../mapping/helpers.ts';

/**
 * Bad configurations and the exact messages an admin gets: file:line:column, flow and field,
 * every problem at once. The first table needs no field catalog (caught when the file is read);
 * the second is checked against the Salesforce describe and the QuickBooks catalog.
 */

function problems(yaml: string, compile = false): string[] {
  try {
    const config = parseConfig(yaml, 'ledgerbridge.yaml');
    if (compile) for (const flow of config.flows) compileFlow(flow, catalogs());
  } catch (e) {
    if (e instanceof ConfigError) {
      // The message lists the structured issues, one per line.
      expect(e.message).toBe(e.issues.map(formatIssue).join('\n'));
      return e.message.split('\n');
    }
    throw e;
  }
  return [];
}

/** A standalone flow around the given field lines (each at line 8 onwards, column 9). */
function flow(fields: string[], extra = ''): string {
  return `flows:
  - name: customers
    salesforce: { object: Account, externalIdField: QBO_Id__c, related: { contact: { object: Contact, parentField: AccountId } } }
    quickbooks: { entity: Customer }
    direction: both
${extra}    fields:
      - { sf: Name, qb: DisplayName }
${fields.map((f) => `      - ${f}`).join('\n')}
`;
}

describe('configuration errors found when the file is read', () => {
  it.each<[string, string, string[]]>([
    ['an empty file', '', ['ledgerbridge.yaml: the file is empty: it needs a list of flows (flows:)']],
    [
      'a YAML syntax error',
      'flows:\n  - { name: a\n',
      [
        'ledgerbridge.yaml:3:1: YAML: Flow map in block collection must be sufficiently indented and end with a }',
      ],
    ],
    [
      'a key given twice',
      'flows:\n  - name: a\n    name: b\n',
      ['ledgerbridge.yaml:3:5: YAML: this key is given twice'],
    ],
    [
      'a misspelled top-level key',
      'flow: []\n',
      [
        "ledgerbridge.yaml:1:1: 'flows' is required",
        "ledgerbridge.yaml:1:1: unknown key 'flow' (did you mean flows?)",
      ],
    ],
    [
      'flows that are not a list',
      'flows: customers\n',
      ["ledgerbridge.yaml:1:8: 'flows' must be a list, not 'customers'"],
    ],
    [
      'a flow with no objects or fields',
      'flows:\n  - name: customers\n',
      [
        "ledgerbridge.yaml:2:5: flow 'customers': 'salesforce' is required",
        "ledgerbridge.yaml:2:5: flow 'customers': 'quickbooks' is required",
        "ledgerbridge.yaml:2:5: flow 'customers': 'fields' is required",
      ],
    ],
    [
      'a misspelled policy and an unknown key',
      flow([], '    conflict: salesforce-win\n    creatMissing: { toQuickbooks: true }\n'),
      [
        "ledgerbridge.yaml:6:15: flow 'customers': 'conflict' must be one of salesforce-wins, quickbooks-wins, last-writer-wins, hold, not 'salesforce-win' (did you mean salesforce-wins?)",
        "ledgerbridge.yaml:7:5: flow 'customers': unknown key 'creatMissing' (did you mean createMissing?)",
      ],
    ],
    [
      'a misspelled field key and a bad direction',
      flow([
        '{ sf: Phone, qb: PrimaryPhone.FreeFormNumber, diretion: sf->qb }',
        '{ sf: Fax, qb: Fax.FreeFormNumber, direction: sf-qb }',
      ]),
      [
        "ledgerbridge.yaml:8:55: flow 'customers', field 'Phone': unknown key 'diretion' (did you mean direction?)",
        "ledgerbridge.yaml:9:55: flow 'customers', field 'Fax': 'direction' must be one of both, sf->qb, qb->sf, not 'sf-qb' (did you mean sf->qb?)",
      ],
    ],
    [
      'fields with nothing to write',
      flow([
        '{ direction: sf->qb }',
        "{ sf: Type, qb: Notes, constant: 'x' }",
        "{ sf: Site, toQuickbooks: 'upper(Name)' }",
      ]),
      [
        "ledgerbridge.yaml:8:9: flow 'customers', field '?': a field mapping needs sf, qb or both",
        "ledgerbridge.yaml:9:42: flow 'customers', field 'Type': a constant is written to one side: give either sf or qb, not both",
        "ledgerbridge.yaml:10:35: flow 'customers', field 'Site': toQuickbooks needs qb: the QuickBooks field it computes",
      ],
    ],
    [
      'a field direction the flow cannot take',
      flow([
        '{ sf: QB_Balance__c, qb: Balance, direction: qb->sf }',
        "{ sf: Type, constant: 'Customer - Direct' }",
      ]).replace('direction: both', 'direction: sf->qb'),
      [
        "ledgerbridge.yaml:8:54: flow 'customers', field 'QB_Balance__c': direction qb->sf is impossible: the flow's direction is sf->qb",
        "ledgerbridge.yaml:9:9: flow 'customers', field 'Type': a constant written qb->sf is impossible: the flow's direction is sf->qb",
      ],
    ],
    [
      'a direction a field has no source for',
      flow(["{ qb: Notes, toQuickbooks: 'Description', direction: both }"]),
      [
        "ledgerbridge.yaml:8:62: flow 'customers', field 'Notes': direction both is impossible: it has no sf field to write to",
      ],
    ],
    [
      'policies the flow direction rules out',
      flow([], '    createMissing: { toQuickbooks: true }\n    deletes: { toSalesforce: delete }\n').replace(
        'direction: both',
        'direction: qb->sf',
      ),
      [
        "ledgerbridge.yaml:6:36: flow 'customers': creating QuickBooks records (createMissing.toQuickbooks) is impossible: the flow's direction is qb->sf",
      ],
    ],
    [
      'broken expressions',
      flow([
        `{ qb: PrintOnCheckName, toQuickbooks: "concat(Name, ' '" }`,
        `{ qb: Notes, toQuickbooks: "concatt(Name)" }`,
      ]),
      [
        `ledgerbridge.yaml:8:47: flow 'customers', field 'PrintOnCheckName': expected ')' at column 17 in "concat(Name, ' '"`,
        `ledgerbridge.yaml:9:36: flow 'customers', field 'Notes': unknown function 'concatt' (did you mean concat?) at column 1 in "concatt(Name)"`,
      ],
    ],
    [
      'a value map that cannot be inverted',
      flow(['{ sf: Industry, qb: Notes, valueMap: { Retail: SHOP, Apparel: SHOP } }']),
      [
        "ledgerbridge.yaml:8:46: flow 'customers', field 'Industry': valueMap maps both 'Retail' and 'Apparel' to 'SHOP', so QuickBooks → Salesforce is ambiguous: add reverseMap, or set direction: sf->qb",
      ],
    ],
    [
      'the same pair twice and two writers of one field',
      flow([
        '{ sf: Phone, qb: PrimaryPhone.FreeFormNumber }',
        '{ sf: phone, qb: PrimaryPhone.FreeFormNumber }',
        '{ sf: Site, qb: DisplayName, direction: sf->qb }',
      ]),
      [
        "ledgerbridge.yaml:9:9: flow 'customers', field 'phone': this pair is mapped twice (first at line 8)",
        "ledgerbridge.yaml:10:9: flow 'customers', field 'Site': QuickBooks field DisplayName is written by two mappings (the other at line 7); keep one, or set direction",
      ],
    ],
    [
      'a lookup combined with a value map',
      flow(['{ sf: ParentId, qb: ParentRef, lookup: linked, valueMap: { a: b } }']),
      ["ledgerbridge.yaml:8:66: flow 'customers', field 'ParentId': lookup and valueMap cannot be combined"],
    ],
    [
      'match rules without the fields they need',
      flow([], '    match: [external-id, email, email]\n').replace(', externalIdField: QBO_Id__c', ''),
      [
        "ledgerbridge.yaml:6:12: flow 'customers': match: 'external-id' needs salesforce.externalIdField (the field that holds the QuickBooks id)",
        "ledgerbridge.yaml:6:12: flow 'customers': match: 'email' needs keys.email: { sf: <email field>, qb: <email field> }",
        "ledgerbridge.yaml:6:33: flow 'customers': match: 'email' is listed twice",
      ],
    ],
    [
      'an unknown pack and fields omitted without one',
      'flows:\n  - name: a\n    extends: baseline/customer-acount\n  - name: b\n    omitFields: [Fax]\n    salesforce: { object: Account }\n    quickbooks: { entity: Customer }\n    fields: [{ sf: Name, qb: DisplayName }]\n',
      [
        "ledgerbridge.yaml:3:14: flow 'a': extends: there is no pack 'baseline/customer-acount' (did you mean baseline/customer-account?)",
        "ledgerbridge.yaml:5:5: flow 'b': omitFields only applies to a flow that extends a pack",
      ],
    ],
    [
      'omitting a field the pack does not have',
      'flows:\n  - name: customers\n    extends: baseline/customer-account\n    omitFields: [Fax, Telex]\n',
      ["ledgerbridge.yaml:4:23: flow 'customers': omitFields: the pack has no field 'Telex'"],
    ],
    [
      'a field that is not a mapping',
      flow(['Phone']),
      [
        "ledgerbridge.yaml:8:9: flow 'customers', field '#2': this must be a mapping (key: value), not 'Phone'",
      ],
    ],
    [
      'a deactivation with nothing to deactivate',
      flow([], '    deletes: { toSalesforce: deactivate }\n'),
      [
        "ledgerbridge.yaml:6:30: flow 'customers': deletes.toSalesforce: deactivate needs deletes.salesforceActiveField, the checkbox that marks a Salesforce record active",
      ],
    ],
    [
      'a field that collides with the pack it extends',
      'flows:\n  - name: customers\n    extends: baseline/customer-account\n    fields:\n      - { sf: BillingStret, qb: BillAddr.Line1 }\n',
      [
        expect.stringMatching(
          /^ledgerbridge\.yaml:5:9: flow 'customers', field 'BillingStret': QuickBooks field BillAddr\.Line1 is also written by the pack's mapping 'BillingStreet' \(src\/mapping\/packs\/customer-account\.yaml:\d+\): drop it with omitFields: \[BillingStreet\], or map the same pair to replace it$/,
        ) as unknown as string,
      ],
    ],
    [
      'two flows with one name',
      'flows:\n  - { name: customers, extends: baseline/customer-account }\n  - { name: Customers, extends: baseline/customer-account }\n',
      [
        "ledgerbridge.yaml:3:13: flow 'Customers': another flow is already named 'Customers' (flow #1); flow names must be unique",
      ],
    ],
  ])('%s', (_name, yaml, expected) => {
    expect(problems(yaml)).toEqual(expected);
  });
});

describe('configuration errors found against the field catalogs', () => {
  it.each<[string, string, string[]]>([
    [
      'misspelled Salesforce and QuickBooks fields',
      flow([
        '{ sf: BillingStret, qb: BillAddr.Line1 }',
        '{ sf: contatc.Email, qb: PrimaryEmailAddr.Address }',
        '{ sf: Phone, qb: primaryphone.FreeFormNumber }',
      ]),
      [
        "ledgerbridge.yaml:8:15: flow 'customers', field 'BillingStret': Account has no field BillingStret (did you mean BillingStreet?)",
        "ledgerbridge.yaml:9:15: flow 'customers', field 'contatc.Email': contatc.Email: 'contatc' is not a related record of this flow (did you mean contact?)",
        "ledgerbridge.yaml:10:26: flow 'customers', field 'primaryphone.FreeFormNumber': QuickBooks Customer has no field primaryphone.FreeFormNumber (did you mean PrimaryPhone.FreeFormNumber?)",
      ],
    ],
    [
      'a group instead of a value',
      flow(['{ sf: BillingStreet, qb: BillAddr }']),
      [
        "ledgerbridge.yaml:8:34: flow 'customers', field 'BillAddr': QuickBooks Customer.BillAddr is a group of fields, not a value; use one of BillAddr.Id, BillAddr.Line1, BillAddr.Line2, BillAddr.Line3, BillAddr.Line4, BillAddr.Line5, ...",
      ],
    ],
    [
      'read-only targets',
      flow([
        '{ sf: QB_Balance__c, qb: BalanceWithJobs }',
        '{ sf: contact.Name, qb: PrintOnCheckName }',
        '{ sf: AnnualRevenue, qb: Balance, direction: sf->qb }',
      ]),
      [
        "ledgerbridge.yaml:8:34: flow 'customers', field 'QB_Balance__c': QuickBooks Customer.BalanceWithJobs is read-only, so it cannot be written (set direction: qb->sf)",
        "ledgerbridge.yaml:9:15: flow 'customers', field 'contact.Name': Contact.Name is read-only, so it cannot be written (set direction: sf->qb)",
        "ledgerbridge.yaml:10:34: flow 'customers', field 'AnnualRevenue': QuickBooks Customer.Balance can only be set when a record is created: add onCreateOnly: true",
      ],
    ],
    [
      'ids without a lookup, and a lookup to the wrong object',
      flow(['{ sf: ParentId, qb: ParentRef }', '{ sf: OwnerId, qb: SalesTermRef, lookup: linked }']),
      [
        "ledgerbridge.yaml:8:15: flow 'customers', field 'ParentId': ParentId and ParentRef hold record ids of different systems: add lookup: linked to translate them",
        "ledgerbridge.yaml:9:50: flow 'customers', field 'OwnerId': lookup: linked translates ids through this flow's links (Account ↔ Customer), so both fields must refer to those objects (OwnerId refers to User, SalesTermRef to Term)",
      ],
    ],
    [
      'values that cannot be copied into each other',
      flow([
        '{ sf: NumberOfEmployees, qb: Taxable }',
        '{ qb: PreferredDeliveryMethod, constant: Mail }',
        '{ sf: AnnualRevenue, toSalesforce: "eq(DisplayName, \'x\')" }',
      ]),
      [
        "ledgerbridge.yaml:8:38: flow 'customers', field 'NumberOfEmployees': NumberOfEmployees is a number but Taxable is true/false: they cannot be copied into each other",
        "ledgerbridge.yaml:9:50: flow 'customers', field 'PreferredDeliveryMethod': constant Mail: 'Mail' is not a value of the restricted picklist QuickBooks Customer.PreferredDeliveryMethod: Print, Email, None",
        "ledgerbridge.yaml:10:44: flow 'customers', field 'AnnualRevenue': the expression gives true/false, but Account.AnnualRevenue takes a number",
      ],
    ],
    [
      'an expression reading a field that does not exist',
      flow(['{ qb: Notes, toQuickbooks: "upper(Nmae)" }']),
      [
        `ledgerbridge.yaml:8:36: flow 'customers', field 'Notes': Account has no field Nmae (did you mean Name?) at column 7 in "upper(Nmae)"`,
      ],
    ],
    [
      'objects, keys and policies the catalogs rule out',
      `flows:
  - name: customers
    salesforce:
      object: Account
      externalIdField: Description
      related:
        contact: { object: Contacts, parentField: AccountId }
        boss: { object: Contact, parentField: ReportsToId }
    quickbooks: { entity: Customer }
    keys: { name: { sf: Name, qb: DisplayNam } }
    createMissing: { toSalesforce: true }
    deletes: { toQuickbooks: delete }
    fields:
      - { sf: Site, qb: DisplayName }
`,
      [
        "ledgerbridge.yaml:5:24: flow 'customers': Account.Description is not an External ID field, so it cannot be the upsert key",
        "ledgerbridge.yaml:7:28: flow 'customers': Salesforce has no object Contacts (did you mean Contact?)",
        "ledgerbridge.yaml:8:47: flow 'customers': Contact.ReportsToId is not a lookup to Account",
        "ledgerbridge.yaml:10:35: flow 'customers': QuickBooks Customer has no field DisplayNam (did you mean DisplayName?)",
        "ledgerbridge.yaml:11:36: flow 'customers': creating Account records needs Name, but no field writes it to Salesforce",
        "ledgerbridge.yaml:12:30: flow 'customers': QuickBooks Customer records cannot be deleted, only made inactive: use deletes.toQuickbooks: deactivate",
      ],
    ],
    [
      'criteria that are not conditions, and a condition on a field that does not exist',
      flow([], '    criteria: { salesforce: "upper(Name)" }\n').replace(
        'parentField: AccountId }',
        "parentField: AccountId, writeIf: 'not(empty(Emial))' }",
      ),
      [
        'ledgerbridge.yaml:3:136: flow \'customers\': QuickBooks Customer has no field Emial at column 11 in "not(empty(Emial))"',
        "ledgerbridge.yaml:6:29: flow 'customers': criteria.salesforce must be true/false, but the expression gives text",
      ],
    ],
    [
      'a related record written without its required fields',
      flow(['{ sf: contact.Email, qb: PrimaryEmailAddr.Address }']),
      [
        "ledgerbridge.yaml:3:84: flow 'customers': fields are written to the related Contact (contact), but creating one needs contact.LastName, which no field writes (or set create: false to only update existing ones)",
      ],
    ],
  ])('%s', (_name, yaml, expected) => {
    expect(problems(yaml, true)).toEqual(expected);
  });

  it('reports a field inherited from a pack at its line in the pack', () => {
    const yaml = 'flows:\n  - name: customers\n    extends: baseline/customer-account\n';
    const config = parseConfig(yaml, 'ledgerbridge.yaml');
    const noBalance = structuredClone(catalogs());
    noBalance.sf.Account!.fields.delete('QB_Balance__c');
    let message = '';
    try {
      compileFlow(config.flows[0]!, noBalance);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(
      /^src\/mapping\/packs\/customer-account\.yaml:\d+:11: flow 'customers', field 'QB_Balance__c': Account has no field QB_Balance__c$/,
    );
  });
});
