import { MalformedReceiptError, parseSinchDeliveryReport, parseWhatsAppStatuses } from './receipt-parsers.js';

describe('parseSinchDeliveryReport', () => {
  const recipient = (status: string, code = 402) => ({ type: 'recipient_delivery_report_sms', batch_id: '01BATCH', recipient: '+919876543210', code, status });

  it('reads a recipient report: Delivered, a final failure with its code, or nothing yet', () => {
    expect(parseSinchDeliveryReport(recipient('Delivered', 0))).toEqual([{ provider: 'sinch-sms', providerRef: '01BATCH', status: 'delivered' }]);
    expect(parseSinchDeliveryReport(recipient('Failed'))).toEqual([{ provider: 'sinch-sms', providerRef: '01BATCH', status: 'failed', errorCode: '402' }]);
    for (const status of ['Rejected', 'Expired', 'Aborted', 'Cancelled', 'Deleted']) expect(parseSinchDeliveryReport(recipient(status))[0]!.status).toBe('failed');
    for (const status of ['Queued', 'Dispatched', 'Unknown']) expect(parseSinchDeliveryReport(recipient(status, 401))).toEqual([{ provider: 'sinch-sms', providerRef: '01BATCH', status: 'unknown' }]);
  });

  it('reads a batch summary: any failed count is a failure, else Delivered', () => {
    const summary = (statuses: object[]) => ({ type: 'delivery_report_sms', batch_id: '01BATCH', total_message_count: 1, statuses });
    expect(parseSinchDeliveryReport(summary([{ code: 0, status: 'Delivered', count: 1 }]))[0]!.status).toBe('delivered');
    expect(parseSinchDeliveryReport(summary([{ code: 0, status: 'Delivered', count: 0 }, { code: 406, status: 'Failed', count: 1 }]))[0]).toMatchObject({ status: 'failed', errorCode: '406' });
    expect(parseSinchDeliveryReport(summary([{ code: 401, status: 'Dispatched', count: 1 }]))[0]!.status).toBe('unknown');
  });

  it('refuses what is not a Sinch SMS delivery report', () => {
    for (const body of [null, [], 'Failed', { type: 'recipient_delivery_report_sms', status: 'Failed' }, recipient(''), { ...recipient('Failed'), type: 'recipient_delivery_report_mms' }, { type: 'delivery_report_sms', batch_id: 'b', statuses: [{}] }]) {
      expect(() => parseSinchDeliveryReport(body)).toThrow(MalformedReceiptError);
    }
  });
});

describe('parseWhatsAppStatuses', () => {
  const webhook = (...statuses: object[]) => ({ object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', statuses } }] }] });

  it('reads every status: delivered and read are delivered, failed with its error code, sent is nothing yet', () => {
    expect(
      parseWhatsAppStatuses(
        webhook(
          { id: 'wamid.A', status: 'delivered' },
          { id: 'wamid.B', status: 'read' },
          { id: 'wamid.C', status: 'failed', errors: [{ code: 131026, title: 'Message undeliverable' }] },
          { id: 'wamid.D', status: 'sent' },
        ),
      ),
    ).toEqual([
      { provider: 'whatsapp-cloud', providerRef: 'wamid.A', status: 'delivered' },
      { provider: 'whatsapp-cloud', providerRef: 'wamid.B', status: 'delivered' },
      { provider: 'whatsapp-cloud', providerRef: 'wamid.C', status: 'failed', errorCode: '131026' },
      { provider: 'whatsapp-cloud', providerRef: 'wamid.D', status: 'unknown' },
    ]);
  });

  it('finds no receipt in a change without statuses (an incoming message)', () => {
    expect(parseWhatsAppStatuses({ entry: [{ changes: [{ field: 'messages', value: { messages: [{ id: 'wamid.X' }] } }] }] })).toEqual([]);
  });

  it('refuses what is not a WhatsApp webhook', () => {
    for (const body of [null, {}, { entry: {} }, { entry: [{}] }, { entry: [{ changes: [{}] }] }, webhook({ status: 'failed' }), webhook({ id: 'wamid.A' }), { entry: [{ changes: [{ value: { statuses: {} } }] }] }]) {
      expect(() => parseWhatsAppStatuses(body)).toThrow(MalformedReceiptError);
    }
  });
});
