import type { AdapterEvent, NormalizeResult } from '../types';

/** What one provider record became. */
export type RecordResult = NormalizeResult;

/** A record Callboard cannot read (no contact id, no agent ARN, a broken timestamp...). */
export class UnreadableRecord extends Error {
  constructor(
    message: string,
    readonly pointer = '',
  ) {
    super(message);
    this.name = 'UnreadableRecord';
  }
}

export const ignoredRecord = (what: string, reason: string): RecordResult => ({ events: [], ignored: [{ what, reason }] });

export const mapped = (events: AdapterEvent[]): RecordResult => ({ events, ignored: [] });
