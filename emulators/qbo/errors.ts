/**
 * QuickBooks Online faults: the error codes, messages and details the real service answers with
 * (sources in /work/shared/reference/notes, §1.6, and recorded traffic). Business logic throws
 * QboFault; the HTTP layer turns it into `{"Fault":{"Error":[…],"type":…},"time":…}`.
 */

export type FaultType = 'ValidationFault' | 'SystemFault' | 'AuthenticationFault' | 'SERVICE';

/** One QuickBooks fault (one Error element); `element` is omitted when the service omits it. */
export class QboFault extends Error {
  override name = 'QboFault';
  constructor(
    readonly code: string,
    message: string,
    readonly detail: string,
    readonly element?: string,
    readonly status = 400,
    readonly type: FaultType = 'ValidationFault',
  ) {
    super(message);
  }

  /** The Error element as QuickBooks writes it. */
  toError(): Record<string, string> {
    const e: Record<string, string> = { Message: this.message, Detail: this.detail, code: this.code };
    if (this.element !== undefined) e.element = this.element;
    return e;
  }

  /** The Fault object (without `time`), as it appears at top level or in a batch item. */
  toFault(): { Error: Array<Record<string, string>>; type: FaultType } {
    return { Error: [this.toError()], type: this.type };
  }
}

const BUSINESS = 'A business validation error has occurred while processing your request';
const REQUIRED = 'Required param missing, need to supply the required value for the API';
const INACTIVE_DETAIL =
  "Something you're trying to use has been made inactive. Check the fields with accounts, customers, items, vendors or employees.";

/** 610: the id does not exist (or was deleted), or a reference points at an inactive object. */
export function objectNotFound(entityPlural = 'customers'): QboFault {
  const detail = INACTIVE_DETAIL.replace('customers', entityPlural);
  return new QboFault('610', 'Object Not Found', `Object Not Found : ${detail}`, '');
}

/** 2500: a reference names an object that does not exist. */
export function invalidReference(
  list: 'Names' | 'Accounts' | 'Item' | string,
  id: string,
  element: string,
): QboFault {
  const noun = list === 'Item' ? 'Item elements' : `${list} element`;
  return new QboFault(
    '2500',
    'Invalid Reference Id',
    `Invalid Reference Id : ${noun} id ${id} not found`,
    element,
  );
}

/** 2020: a required parameter is missing. */
export function requiredParam(param: string, element = param): QboFault {
  return new QboFault('2020', REQUIRED, `Required parameter ${param} is missing in the request`, element);
}

/** 2030: an id that is not a QuickBooks id. */
export function invalidId(id: string): QboFault {
  return new QboFault('2030', 'Invalid ID', `Id should be a valid number. Supplied value:${id}`, 'Id');
}

/** 2010: the request body names an unknown property or a value of the wrong type (Jackson's text). */
export function unsupportedProperty(jacksonMessage: string): QboFault {
  return new QboFault(
    '2010',
    'Request has invalid or unsupported property',
    `Property Name:${jacksonMessage.slice(0, 205)} specified is unsupported or invalid`,
  );
}

/** 2010 for a body that is not JSON at all. */
export function unparsableBody(): QboFault {
  return new QboFault(
    '2010',
    'Request has invalid or unsupported property',
    'Property Name:failed to parse json object; a property specified is unsupported or invalid',
  );
}

/** 2050: a string longer than the field allows. */
export function stringLength(max: number, supplied: number, element: string): QboFault {
  return new QboFault(
    '2050',
    'String length is either shorter or longer than supported by specification',
    `String length specified does not match the supported length. Min:0 Max:${max} supported. Supplied length:${supplied}`,
    element,
  );
}

/** 6000: a business rule refused the request. */
export function businessValidation(detail: string, element = ''): QboFault {
  return new QboFault('6000', BUSINESS, `Business Validation Error: ${detail}`, element);
}

/** 6240: the name is taken (DisplayName across customers/vendors/employees, or an item/account name). */
export function duplicateName(
  kind: 'name' | 'item' | 'account' | 'term' | 'paymentmethod' = 'name',
  element = '',
): QboFault {
  const who = {
    name: 'Another customer, vendor or employee is already using this name.',
    item: 'Another product or service is already using this name.',
    account: 'Another account is already using this name.',
    term: 'Another term is already using this name.',
    paymentmethod: 'Another payment method is already using this name.',
  }[kind];
  return new QboFault(
    '6240',
    'Duplicate Name Exists Error',
    `The name supplied already exists. : ${who} Please use a different name.`,
    element,
  );
}

/** 5010: the SyncToken is not the current one. */
export function staleObject(): QboFault {
  return new QboFault(
    '5010',
    'Stale Object Error',
    'Stale Object Error : You and QuickBooks Online Emulator were working on this at the same time. QuickBooks Online Emulator finished before you did, so your work was not saved.',
    '',
  );
}

/** 500 (HTTP 400): an operation or resource the API does not have. */
export function unsupportedOperation(detail: string): QboFault {
  return new QboFault('500', 'Unsupported Operation', detail);
}

/** 4000: the query does not parse. */
export function queryParseError(detail: string): QboFault {
  return new QboFault('4000', 'Error parsing query', `QueryParserError: ${detail}`);
}

/** 4001: the query parses but names something that cannot be queried. */
export function queryValidationError(detail: string): QboFault {
  return new QboFault('4001', 'Invalid query', `QueryValidationError: ${detail}`);
}

/** 6140: the document number is already used by another transaction of the type. */
export function duplicateDocNumber(docNumber: string, txnType: string, txnId: string): QboFault {
  return new QboFault(
    '6140',
    'Duplicate Document Number Error',
    `Duplicate Document Number Error : You must specify a different number. This number has already been used. DocNumber=${docNumber} is assigned to TxnType=${txnType} with TxnId=${txnId}`,
    '',
  );
}

/** 6070: a line's Amount is not Qty × UnitPrice. */
export function amountCalculation(supplied: string): QboFault {
  return new QboFault(
    '6070',
    'Amount calculation incorrect in the request.',
    `Amount is not equal to UnitPrice * Qty. Supplied value:${supplied}`,
    'Line.Amount',
  );
}

/** 10000: an internal failure (HTTP 500, or HTTP 200 on the CDC endpoint as recorded). */
export function systemFault(detail: string, status = 500): QboFault {
  return new QboFault(
    '10000',
    'An application error has occurred while processing your request',
    `System Failure Error: ${detail}`,
    'SystemFailureError',
    status,
    'SystemFault',
  );
}
