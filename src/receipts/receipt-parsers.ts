import type { DeliveryReceipt } from '../otp/verification.service.js';
import type { DeliveryStatus } from '../otp/verification.js';

/** The providers whose delivery receipts the service reads (the `:provider` of the route). */
export const RECEIPT_PROVIDERS = ['sinch-sms', 'whatsapp-cloud'] as const;
export type ReceiptProvider = (typeof RECEIPT_PROVIDERS)[number];

/** A body that is not a receipt of its provider's documented shape. */
export class MalformedReceiptError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'MalformedReceiptError';
  }
}

type Loose = Record<string, unknown>;
const isObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);
const nonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= 256;

// Sinch SMS batch statuses: Delivered is the handset's receipt; these are final failures; the
// rest (Queued, Dispatched, Unknown) say nothing yet.
const SINCH_FAILED = new Set(['Aborted', 'Cancelled', 'Failed', 'Expired', 'Rejected', 'Deleted']);

function sinchStatus(status: string): DeliveryStatus {
  if (status === 'Delivered') return 'delivered';
  return SINCH_FAILED.has(status) ? 'failed' : 'unknown';
}

/**
 * A Sinch SMS delivery report (the callback of a batch sent with `delivery_report`): one
 * recipient's (`recipient_delivery_report_sms`: batch_id, status, code) or the batch summary
 * (`delivery_report_sms`: batch_id, statuses[] of { status, code, count }). Our batches have one
 * recipient, so a summary with any failed count is a failure.
 */
export function parseSinchDeliveryReport(body: unknown): DeliveryReceipt[] {
  if (!isObject(body) || !nonEmptyString(body.batch_id)) throw new MalformedReceiptError('a Sinch delivery report names its batch_id');
  const providerRef = body.batch_id;
  if (body.type === 'recipient_delivery_report_sms') {
    if (!nonEmptyString(body.status)) throw new MalformedReceiptError('a recipient delivery report has a status');
    return [receipt('sinch-sms', providerRef, sinchStatus(body.status), body.code)];
  }
  if (body.type === 'delivery_report_sms') {
    if (!Array.isArray(body.statuses) || body.statuses.some((entry) => !isObject(entry) || !nonEmptyString(entry.status))) {
      throw new MalformedReceiptError('a batch delivery report has statuses[] with a status each');
    }
    const statuses = (body.statuses as Loose[]).filter((entry) => entry.count === undefined || Number(entry.count) > 0);
    const failed = statuses.find((entry) => sinchStatus(String(entry.status)) === 'failed');
    if (failed) return [receipt('sinch-sms', providerRef, 'failed', failed.code)];
    const delivered = statuses.some((entry) => entry.status === 'Delivered');
    return [receipt('sinch-sms', providerRef, delivered ? 'delivered' : 'unknown', undefined)];
  }
  throw new MalformedReceiptError('a Sinch delivery report is of type recipient_delivery_report_sms or delivery_report_sms');
}

// WhatsApp statuses: read implies delivered; sent is only Meta's acceptance.
function whatsAppStatus(status: string): DeliveryStatus {
  if (status === 'delivered' || status === 'read') return 'delivered';
  return status === 'failed' ? 'failed' : 'unknown';
}

/**
 * A WhatsApp Cloud API webhook: `entry[].changes[].value.statuses[]`, each { id (the wamid),
 * status: sent | delivered | read | failed, errors[]: { code } }. Changes without statuses
 * (incoming messages, other fields) carry no receipt.
 */
export function parseWhatsAppStatuses(body: unknown): DeliveryReceipt[] {
  if (!isObject(body) || !Array.isArray(body.entry)) throw new MalformedReceiptError('a WhatsApp webhook has entry[]');
  const receipts: DeliveryReceipt[] = [];
  for (const entry of body.entry) {
    if (!isObject(entry) || !Array.isArray(entry.changes)) throw new MalformedReceiptError('each entry has changes[]');
    for (const change of entry.changes) {
      if (!isObject(change) || !isObject(change.value)) throw new MalformedReceiptError('each change has a value');
      const statuses = change.value.statuses;
      if (statuses === undefined) continue;
      if (!Array.isArray(statuses)) throw new MalformedReceiptError('value.statuses is an array');
      for (const status of statuses) {
        if (!isObject(status) || !nonEmptyString(status.id) || !nonEmptyString(status.status)) {
          throw new MalformedReceiptError('each status has an id and a status');
        }
        const errors = Array.isArray(status.errors) ? status.errors : [];
        const code = isObject(errors[0]) ? errors[0].code : undefined;
        receipts.push(receipt('whatsapp-cloud', status.id, whatsAppStatus(status.status), code));
      }
    }
  }
  return receipts;
}

function receipt(provider: ReceiptProvider, providerRef: string, status: DeliveryStatus, code: unknown): DeliveryReceipt {
  const errorCode = status === 'failed' && (typeof code === 'number' || (typeof code === 'string' && /^[\w.-]{1,32}$/.test(code))) ? String(code) : undefined;
  return { provider, providerRef, status, ...(errorCode === undefined ? {} : { errorCode }) };
}
