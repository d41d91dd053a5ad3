import { businessValidation, type QboFault } from '../errors.ts';

/** The longest `requestid` QuickBooks accepts (in a batch: requestid + bId). */
export const MAX_REQUEST_ID = 50;

/** 6000 for a request id that is too long, worded as the service words it. */
export function requestIdTooLong(id: string): QboFault {
  return businessValidation(
    `You cannot enter more than ${MAX_REQUEST_ID} characters in the request_id field. You tried entering ${id.slice(0, 10)}..., which is ${id.length} characters.`,
  );
}
