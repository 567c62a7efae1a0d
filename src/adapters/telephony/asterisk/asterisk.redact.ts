import { fields, maskDigitRuns, maskNumber, redactBody } from '../redact';

/** The phone numbers in AMI events (their keys in any case). */
const NUMBER_FIELDS = fields('CallerIDNum', 'ConnectedLineNum');
const QUEUE_LOG_LINE = /^\d{9,11}\|/;

/**
 * queue_log lines with the caller id of ENTERQUEUE (`url|callerid|origposition`) masked; a line that
 * is not queue_log has its long digit runs masked.
 */
function redactQueueLog(body: string): string {
  return body
    .split('\n')
    .map((line) => {
      if (!QUEUE_LOG_LINE.test(line)) return maskDigitRuns(line);
      const parts = line.split('|');
      if (parts[4]?.toUpperCase() === 'ENTERQUEUE' && parts[6] !== undefined) parts[6] = maskNumber(parts[6]);
      return parts.join('|');
    })
    .join('\n');
}

/** The body as the delivery log keeps it: the same queue_log lines or AMI events with phone numbers masked. */
export function redactAsterisk(rawBody: string, contentType: string | null): string {
  return redactBody(rawBody, contentType, NUMBER_FIELDS, redactQueueLog);
}
