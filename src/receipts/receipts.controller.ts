import { Controller, Get, Header, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DomainError } from '../common/errors/domain.error.js';
import { ApiPublic } from '../openapi/api-public.decorator.js';
import { ApiProblems } from '../openapi/problem-details.schema.js';
import { providersConfig } from '../providers/providers.config.js';
import { DeliveryReceipts } from './delivery-receipts.service.js';
import { hubSignatureValid, sameSecret, sinchReceiptAuthorized } from './receipt-auth.js';
import { MalformedReceiptError, parseSinchDeliveryReport, parseWhatsAppStatuses, RECEIPT_PROVIDERS } from './receipt-parsers.js';
import { RECEIPT_BODY_SCHEMA } from './receipt-schemas.js';

/** The request as the JSON parser leaves it: the bytes as received beside the parsed body (app.setup.ts). */
type ReceiptRequest = FastifyRequest & { rawBody?: Buffer };

// Meta echoes this back as the subscription's proof; it is digits in practice.
const CHALLENGE = /^[A-Za-z0-9_.-]{1,128}$/;

const unknownProvider = () => new DomainError('not_found', 'This provider posts no delivery receipts here.');
const unauthorized = () => new DomainError('unauthorized', 'The receipt is not authenticated as its provider documents.');

/**
 * Delivery receipts posted by providers (provider-facing, no API key: each is authenticated as its
 * provider documents). Every authenticated, well-formed receipt is answered 200, whether or not it
 * matched a verification: providers retry errors, and the answer tells nothing about verifications.
 */
@ApiTags('providers')
@Controller('v1/providers')
export class ReceiptsController {
  constructor(
    private readonly receipts: DeliveryReceipts,
    @Inject(providersConfig.KEY) private readonly config: ConfigType<typeof providersConfig>,
  ) {}

  @ApiOperation({
    summary: 'Take delivery receipts',
    description: [
      'Called by providers, not by apps. `sinch-sms`: Sinch SMS delivery reports (`recipient_delivery_report_sms` or `delivery_report_sms`),',
      'authenticated by `?token=<SINCH_SMS_RECEIPT_TOKEN>` in the callback URL or HTTP Basic auth (`SINCH_SMS_RECEIPT_BASIC_AUTH`).',
      '`whatsapp-cloud`: WhatsApp Cloud API webhooks (`entry[].changes[].value.statuses[]`), authenticated by',
      '`X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body under WHATSAPP_APP_SECRET>`.',
      'A failure of an open verification resends its code once through the next provider.',
    ].join(' '),
  })
  @ApiParam({ name: 'provider', enum: RECEIPT_PROVIDERS })
  @ApiQuery({ name: 'token', required: false, description: 'sinch-sms: the callback URL\'s secret (SINCH_SMS_RECEIPT_TOKEN).' })
  @ApiBody({ schema: RECEIPT_BODY_SCHEMA })
  @ApiOkResponse({ description: 'Taken (also when it names no known verification). Empty body.' })
  @ApiProblems(['validation_failed', 'unauthorized', 'not_found', 'unsupported_media_type', 'payload_too_large', 'store_unavailable'])
  // No API key or token: each provider authenticates as it documents (the description says how).
  @ApiPublic()
  @Post(':provider/receipts')
  @HttpCode(200)
  async take(@Param('provider') provider: string, @Req() request: ReceiptRequest): Promise<void> {
    const parse = this.authenticated(provider, request);
    let receipts;
    try {
      receipts = parse(request.body);
    } catch (error) {
      if (!(error instanceof MalformedReceiptError)) throw error;
      throw new DomainError('validation_failed', `The receipt is malformed: ${error.message}.`);
    }
    await this.receipts.take(receipts);
  }

  @ApiOperation({
    summary: 'Confirm the WhatsApp webhook subscription',
    description: 'Meta\'s verification request when the webhook is registered: answers `hub.challenge` when `hub.verify_token` is WHATSAPP_WEBHOOK_VERIFY_TOKEN.',
  })
  @ApiParam({ name: 'provider', enum: ['whatsapp-cloud'] })
  @ApiQuery({ name: 'hub.mode', enum: ['subscribe'] })
  @ApiQuery({ name: 'hub.verify_token', type: 'string' })
  @ApiQuery({ name: 'hub.challenge', type: 'string' })
  @ApiOkResponse({ description: 'The challenge, as text/plain.', content: { 'text/plain': { schema: { type: 'string', example: '1158201444' } } } })
  @ApiProblems(['forbidden', 'not_found'])
  @ApiPublic()
  @Get(':provider/receipts')
  @Header('Cache-Control', 'no-store')
  @Header('Content-Type', 'text/plain; charset=utf-8')
  subscribe(@Param('provider') provider: string, @Req() request: FastifyRequest): string {
    const verifyToken = provider === 'whatsapp-cloud' ? this.config.receipts.whatsappCloud?.verifyToken : undefined;
    if (verifyToken === undefined) throw unknownProvider();
    const query = request.query as Record<string, unknown>;
    const challenge = query['hub.challenge'];
    const token = query['hub.verify_token'];
    if (query['hub.mode'] !== 'subscribe' || typeof token !== 'string' || !sameSecret(token, verifyToken)) {
      throw new DomainError('forbidden', 'The webhook verification request does not carry the configured verify token.');
    }
    if (typeof challenge !== 'string' || !CHALLENGE.test(challenge)) throw new DomainError('validation_failed', 'hub.challenge is missing or malformed.');
    return challenge;
  }

  /** The provider's parser once the request is authenticated as that provider (404 for a provider whose receipts are off). */
  private authenticated(provider: string, request: ReceiptRequest): (body: unknown) => ReturnType<typeof parseSinchDeliveryReport> {
    const { sinchSms, whatsappCloud } = this.config.receipts;
    if (provider === 'sinch-sms' && sinchSms !== undefined) {
      const token = (request.query as Record<string, unknown>).token;
      if (!sinchReceiptAuthorized(sinchSms, { token, authorization: request.headers.authorization })) throw unauthorized();
      return parseSinchDeliveryReport;
    }
    if (provider === 'whatsapp-cloud' && whatsappCloud !== undefined) {
      const signature = request.headers['x-hub-signature-256'];
      if (request.rawBody === undefined || !hubSignatureValid(whatsappCloud.appSecret, request.rawBody, signature)) throw unauthorized();
      return parseWhatsAppStatuses;
    }
    throw unknownProvider();
  }
}
