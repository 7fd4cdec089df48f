import type { ApiBodyOptions } from '@nestjs/swagger';

type SchemaObject = NonNullable<Extract<ApiBodyOptions, { schema?: unknown }>['schema']>;

/** The receipts the route reads, as each provider documents them (other fields are ignored). */
export const RECEIPT_BODY_SCHEMA: SchemaObject = {
  oneOf: [
    {
      title: 'Sinch SMS delivery report (sinch-sms)',
      type: 'object',
      required: ['type', 'batch_id'],
      properties: {
        type: { type: 'string', enum: ['recipient_delivery_report_sms', 'delivery_report_sms'] },
        batch_id: { type: 'string', description: 'The batch id the send returned.' },
        recipient: { type: 'string', description: 'recipient report: the number' },
        at: { type: 'string', format: 'date-time', description: 'recipient report: when the status changed' },
        client_reference: { type: 'string', description: 'The verification id the batch was sent with.' },
        status: { type: 'string', description: 'recipient report: Delivered, or Failed, Rejected, Expired, Aborted, Cancelled, Deleted (failures); Queued, Dispatched, Unknown say nothing yet' },
        code: { type: 'integer', description: 'Sinch\'s status code, kept as the failure\'s errorCode.' },
        statuses: {
          type: 'array',
          description: 'batch report: one entry per status',
          items: { type: 'object', properties: { status: { type: 'string' }, code: { type: 'integer' }, count: { type: 'integer' } } },
        },
      },
      example: { type: 'recipient_delivery_report_sms', batch_id: '01FC66621XXXXX119Z8PMV1QPQ', recipient: '+919876543210', code: 402, status: 'Failed', at: '2026-05-04T10:00:04.000Z' },
    },
    {
      title: 'WhatsApp Cloud API webhook (whatsapp-cloud)',
      type: 'object',
      required: ['entry'],
      properties: {
        object: { type: 'string', example: 'whatsapp_business_account' },
        entry: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              changes: {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    field: { type: 'string', example: 'messages' },
                    value: {
                      type: 'object',
                      properties: {
                        statuses: {
                          type: 'array',
                          items: {
                            type: 'object',
                            required: ['id', 'status'],
                            properties: {
                              id: { type: 'string', description: 'The message id (wamid) the send returned.' },
                              status: { type: 'string', description: 'delivered or read (delivered), failed, sent (nothing yet)' },
                              errors: { type: 'array', items: { type: 'object', properties: { code: { type: 'integer' }, title: { type: 'string' } } } },
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  ],
};
