import { createHmac, randomInt, randomUUID } from 'node:crypto';
import { createServer, IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import { validateAuthenticationHeader } from '@sinch/verification';
import { verifyWebhookSignature } from '../../src/providers/adapters/webhook.sms-provider.js';
import { ProviderError } from '../../src/providers/sms-provider.js';

/**
 * One local HTTP server playing Sinch Verification, Sinch SMS (OAuth2 + batches),
 * StartMessaging, an SMS webhook gateway, the WhatsApp Cloud API (authentication template
 * messages) and the siteverify endpoints of Turnstile, hCaptcha and reCAPTCHA v3, for adapter
 * specs and e2e suites.
 *
 *   const fake = await startFakeProviders();
 *   // point an adapter's baseUrl (and Sinch SMS's authBaseUrl) at fake.baseUrl
 *   fake.sinchVerification.lastCode   // the code "Sinch sent"; likewise startMessaging.lastCode,
 *                                     // webhook.lastCode, sinchSms.lastCode (first 4-8 digits of the text),
 *                                     // whatsAppCloud.lastCode (the template's body parameter)
 *   fake.sinchVerification.report.enqueue(reply.json(404, {...}))   // the next answer(s) of one route
 *   fake.startMessaging.send.enqueue(reply.delay(3_000))            // or reply.hang(), html502(), empty500()
 *   fake.sinchSms.send.always(reply.html502())                      // until .reset()
 *   fake.whatsAppCloud.route.enqueue(fake.whatsAppCloud.error(400, 131026, 'Message Undeliverable.'))
 *   await fake.refuse(); await fake.resume()                         // connections refused, then back
 *   await fake.close()
 *
 * Without queued replies each route behaves like a working provider (and checks credentials).
 * Every request lands in `fake.requests` and in its route's `requests`.
 */

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** JSON or form-urlencoded body, parsed; undefined when empty or unparseable. */
  body: unknown;
}

/** A canned answer, or a handler computing one; a handler may return the route's default. */
export type FakeReply =
  | { kind: 'answer'; status: number; body: string; headers: Record<string, string> }
  | { kind: 'delay'; ms: number; then?: FakeReply }
  | { kind: 'hang' }
  | { kind: 'destroy' }
  | { kind: 'default' };

export const reply = {
  json: (status: number, body: unknown, headers: Record<string, string> = {}): FakeReply => ({
    kind: 'answer',
    status,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  }),
  text: (status: number, body: string, contentType = 'text/plain'): FakeReply => ({
    kind: 'answer',
    status,
    body,
    headers: { 'content-type': contentType },
  }),
  /** What a load balancer says when the provider behind it is down. */
  html502: (): FakeReply => reply.text(502, '<html><body><h1>502 Bad Gateway</h1></body></html>', 'text/html'),
  empty500: (): FakeReply => ({ kind: 'answer', status: 500, body: '', headers: {} }),
  /** Waits `ms`, then answers `then` (default: the route's working behaviour). */
  delay: (ms: number, then?: FakeReply): FakeReply => ({ kind: 'delay', ms, then }),
  /** Never answers (until close()). */
  hang: (): FakeReply => ({ kind: 'hang' }),
  /** Resets the connection without answering. */
  destroy: (): FakeReply => ({ kind: 'destroy' }),
  /** The route's working behaviour, for a queue that fails only later. */
  normal: (): FakeReply => ({ kind: 'default' }),
};

export class FakeRoute {
  readonly requests: RecordedRequest[] = [];
  private readonly queue: FakeReply[] = [];
  private fixed?: FakeReply;

  constructor(
    readonly method: string,
    readonly pattern: RegExp,
    readonly handle: (request: RecordedRequest, params: string[]) => FakeReply,
  ) {}

  /** Answers the next calls with these replies, in order; then back to the default. */
  enqueue(...replies: FakeReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** Answers every call with `answer` until reset(). */
  always(answer: FakeReply): this {
    this.fixed = answer;
    return this;
  }

  reset(): void {
    this.queue.length = 0;
    this.fixed = undefined;
  }

  get lastRequest(): RecordedRequest | undefined {
    return this.requests[this.requests.length - 1];
  }

  /** @internal */
  next(): FakeReply {
    return this.queue.shift() ?? this.fixed ?? reply.normal();
  }
}

const json = (status: number, body: unknown) => reply.json(status, body);
const newCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');
const firstCode = (text: string) => /\b\d{4,8}\b/.exec(text)?.[0];

function hmsToMs(value: unknown, fallbackMs: number): number {
  const match = typeof value === 'string' ? /^(\d+):(\d{2}):(\d{2})$/.exec(value) : null;
  return match ? ((Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3])) * 1000 : fallbackMs;
}

function parseBody(headers: IncomingHttpHeaders, raw: string): unknown {
  if (raw.length === 0) return undefined;
  if ((headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
    return Object.fromEntries(new URLSearchParams(raw));
  }
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

// Loose access to parsed bodies: the fake must answer whatever arrives, typed or not.
type Loose = Record<string, any>;
const loose = (body: unknown): Loose => (typeof body === 'object' && body !== null ? (body as Loose) : {});

// What each Sinch verification method calls its options on start and its code on report
// (Sinch Verification OpenAPI 2.0.1: VerificationStartRequest*, VerificationReportRequest*).
const SINCH_VERIFICATION_METHODS = {
  sms: { options: 'smsOptions', report: 'sms' },
  callout: { options: 'calloutOptions', report: 'callout' },
  whatsapp: { options: 'whatsappOptions', report: 'whatsapp' },
} as const;
type SinchVerificationMethod = keyof typeof SINCH_VERIFICATION_METHODS;
const isSinchVerificationMethod = (method: unknown): method is SinchVerificationMethod =>
  typeof method === 'string' && Object.hasOwn(SINCH_VERIFICATION_METHODS, method);
const SINCH_CODE_TYPES = ['Numeric', 'Alpha', 'Alphanumeric'];

/** Why a start body does not fit Sinch's schema for its method, or undefined when it does. */
function sinchStartProblem(body: Loose, method: SinchVerificationMethod): string | undefined {
  const allowed = new Set(['identity', 'method', 'reference', 'custom', SINCH_VERIFICATION_METHODS[method].options]);
  const extra = Object.keys(body).find((key) => !allowed.has(key));
  if (extra) return `Unexpected field ${extra} for method ${method}`;
  const speechLocale = body.calloutOptions?.speech?.locale;
  if (method === 'callout' && speechLocale !== undefined && !/^[a-z]{2,3}-[A-Z]{2}$/.test(String(speechLocale))) {
    return 'calloutOptions.speech.locale must be a language-region identifier';
  }
  const codeType = body[SINCH_VERIFICATION_METHODS[method].options]?.codeType;
  if (method !== 'callout' && codeType !== undefined && !SINCH_CODE_TYPES.includes(codeType)) return 'Invalid codeType';
  return undefined;
}

function sinchVerificationFake(applicationKey: string, applicationSecret: string) {
  const verifications = new Map<
    string,
    { method: SinchVerificationMethod; endpoint: string; reference?: string; code: string; expiresAtMs: number; status: string }
  >();
  const fake = {
    applicationKey,
    applicationSecret,
    /** Every verification started, by Sinch id. */
    verifications,
    /** The code of the last started verification, whatever its method: what the person "received" or "heard". */
    lastCode: undefined as string | undefined,
    lastId: undefined as string | undefined,
    /** The method of the last started verification: 'sms', 'callout' (a phone call speaking the code) or 'whatsapp'. */
    lastMethod: undefined as SinchVerificationMethod | undefined,
    /** Makes a verification's code expire now. */
    expire(id: string) {
      const verification = verifications.get(id);
      if (verification) verification.expiresAtMs = 0;
    },
    start: undefined as unknown as FakeRoute,
    report: undefined as unknown as FakeRoute,
  };
  const signed = (request: RecordedRequest) =>
    validateAuthenticationHeader(applicationKey, applicationSecret, request.headers, request.rawBody, request.url, request.method);
  const unauthorized = () => json(401, { errorCode: 40100, message: 'Invalid Application signature', reference: randomUUID() });
  const invalid = (message: string) => json(400, { errorCode: 40001, message, reference: randomUUID() });

  // One endpoint for every method; `method` in the body picks SMS, callout or WhatsApp.
  fake.start = new FakeRoute('POST', /^\/verification\/v1\/verifications$/, (request) => {
    if (!signed(request)) return unauthorized();
    const body = loose(request.body);
    const endpoint = body.identity?.endpoint;
    if (body.identity?.type !== 'number' || typeof endpoint !== 'string' || !/^\+\d{8,15}$/.test(endpoint)) return invalid('Invalid identity');
    const method = body.method;
    if (!isSinchVerificationMethod(method)) return invalid('Invalid method');
    const problem = sinchStartProblem(body, method);
    if (problem) return invalid(problem);
    const id = String(randomInt(1, 2 ** 47)).padStart(15, '0');
    const code = newCode();
    verifications.set(id, {
      method,
      endpoint,
      reference: body.reference,
      code,
      // Only SMS takes an expiry; the other methods keep Sinch's default (the fake's: 10 minutes).
      expiresAtMs: Date.now() + hmsToMs(body.smsOptions?.expiry, 10 * 60_000),
      status: 'PENDING',
    });
    fake.lastCode = code;
    fake.lastId = id;
    fake.lastMethod = method;
    const links = [{ rel: 'status', href: `/verification/v1/verifications/id/${id}`, method: 'GET' }];
    if (method === 'callout') return json(200, { id, method, _links: links });
    if (method === 'whatsapp') return json(200, { id, method, whatsapp: { codeType: body.whatsappOptions?.codeType ?? 'Numeric' }, _links: links });
    return json(200, { id, method, sms: { template: 'Your verification code is {{CODE}}.', interceptionTimeout: 298 }, _links: links });
  });

  fake.report = new FakeRoute('PUT', /^\/verification\/v1\/verifications\/id\/([^/]+)$/, (request, [id]) => {
    if (!signed(request)) return unauthorized();
    const verification = verifications.get(id);
    if (!verification) return json(404, { errorCode: 40400, message: 'Verification not found', reference: randomUUID() });
    const body = loose(request.body);
    const key = SINCH_VERIFICATION_METHODS[verification.method].report;
    // Sinch's answer to a report by another method is undocumented; the fake refuses it, so a
    // report by the wrong method can never pass.
    if (body.method !== verification.method || Object.keys(body).some((field) => field !== 'method' && field !== key)) {
      return invalid(`Report does not match method ${verification.method}`);
    }
    const answer = (status: string, reason?: string) =>
      json(200, { id, method: verification.method, status, ...(reason ? { reason } : {}), ...(verification.method === 'callout' ? { callComplete: true } : {}) });
    if (verification.status === 'SUCCESSFUL') return answer('SUCCESSFUL');
    if (Date.now() >= verification.expiresAtMs) return answer('FAIL', 'Expired');
    if (body[key]?.code !== verification.code) return answer('FAIL', 'Invalid code');
    verification.status = 'SUCCESSFUL';
    return answer('SUCCESSFUL');
  });
  return fake;
}

function sinchSmsFake(projectId: string, keyId: string, keySecret: string) {
  const fake = {
    projectId,
    keyId,
    keySecret,
    /** Tokens issued by /oauth2/token; batches accept only these. */
    issuedTokens: [] as string[],
    /** Every batch accepted, as sent. */
    batches: [] as Loose[],
    /** The first 4-8 digit run of the last SMS text: the code we generated. */
    lastCode: undefined as string | undefined,
    lastText: undefined as string | undefined,
    /** The id of the last accepted batch: what its delivery report names. */
    lastBatchId: undefined as string | undefined,
    /** The delivery report Sinch posts to a batch's callback_url for its one recipient (status Delivered, Failed…). */
    deliveryReport: (batchId: string, status: string, code = status === 'Delivered' ? 0 : 402): Loose => ({
      type: 'recipient_delivery_report_sms',
      batch_id: batchId,
      recipient: '+919876543210',
      code,
      status,
      at: new Date().toISOString(),
    }),
    token: undefined as unknown as FakeRoute,
    send: undefined as unknown as FakeRoute,
  };
  const basic = `Basic ${Buffer.from(`${keyId}:${keySecret}`).toString('base64')}`;

  fake.token = new FakeRoute('POST', /^\/oauth2\/token$/, (request) => {
    if (request.headers.authorization !== basic) return json(401, { error: 'invalid_client' });
    if (loose(request.body).grant_type !== 'client_credentials') return json(400, { error: 'unsupported_grant_type' });
    const token = `fake-token-${randomUUID()}`;
    fake.issuedTokens.push(token);
    return json(200, { access_token: token, expires_in: 3599, scope: '', token_type: 'bearer' });
  });

  fake.send = new FakeRoute('POST', /^\/xms\/v1\/([^/]+)\/batches$/, (request, [project]) => {
    const bearer = request.headers.authorization?.replace(/^Bearer /, '');
    if (!bearer || !fake.issuedTokens.includes(bearer)) return json(401, { code: 'unauthorized', text: 'Invalid token' });
    if (project !== projectId) return json(403, { code: 'forbidden', text: 'Unknown project' });
    const body = loose(request.body);
    if (!Array.isArray(body.to) || body.to.length === 0 || typeof body.body !== 'string') {
      return json(400, { code: 'syntax_invalid_parameter_format', text: 'to and body are required' });
    }
    fake.batches.push(body);
    fake.lastText = body.body;
    fake.lastCode = firstCode(body.body);
    const now = new Date().toISOString();
    fake.lastBatchId = `01${randomUUID().replace(/-/g, '').slice(0, 24).toUpperCase()}`;
    return json(201, {
      id: fake.lastBatchId,
      to: body.to,
      from: body.from ?? '',
      canceled: false,
      body: body.body,
      type: 'mt_text',
      created_at: now,
      modified_at: now,
      delivery_report: 'none',
      expire_at: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      flash_message: false,
      ...(body.client_reference ? { client_reference: body.client_reference } : {}),
    });
  });
  return fake;
}

function startMessagingFake(apiKey: string) {
  const otps = new Map<string, { phoneNumber: string; code: string; expiresAtMs: number; attemptsLeft: number; verified: boolean }>();
  const byIdempotencyKey = new Map<string, string>();
  const fake = {
    apiKey,
    otps,
    /** The code of the last OTP sent. */
    lastCode: undefined as string | undefined,
    lastRequestId: undefined as string | undefined,
    /**
     * 'data': `{ data: { requestId, expiresAt, attemptsLeft } }` (StartMessaging's tutorials);
     * 'envelope': `{ success, statusCode, requestId: <trace id>, data: { otpRequestId, ... } }` (its API page).
     */
    sendFormat: 'data' as 'data' | 'envelope',
    ttlMs: 10 * 60_000,
    expire(requestId: string) {
      const otp = otps.get(requestId);
      if (otp) otp.expiresAtMs = 0;
    },
    send: undefined as unknown as FakeRoute,
    verify: undefined as unknown as FakeRoute,
  };
  const error = (status: number, message: string) =>
    json(status, { success: false, statusCode: status, message, requestId: `req_${randomUUID()}`, timestamp: new Date().toISOString() });

  fake.send = new FakeRoute('POST', /^\/otp\/send$/, (request) => {
    if (request.headers['x-api-key'] !== apiKey) return error(401, 'Invalid API key');
    const body = loose(request.body);
    if (typeof body.phoneNumber !== 'string' || !/^\+\d{8,15}$/.test(body.phoneNumber)) return error(400, 'Invalid phoneNumber');
    let requestId = typeof body.idempotencyKey === 'string' ? byIdempotencyKey.get(body.idempotencyKey) : undefined;
    if (!requestId) {
      requestId = `otp_${randomUUID()}`;
      const code = newCode();
      otps.set(requestId, { phoneNumber: body.phoneNumber, code, expiresAtMs: Date.now() + fake.ttlMs, attemptsLeft: 3, verified: false });
      if (typeof body.idempotencyKey === 'string') byIdempotencyKey.set(body.idempotencyKey, requestId);
      fake.lastCode = code;
      fake.lastRequestId = requestId;
    }
    const otp = otps.get(requestId)!;
    if (fake.sendFormat === 'envelope') {
      return json(201, {
        success: true,
        statusCode: 201,
        requestId: `req_${randomUUID()}`,
        timestamp: new Date().toISOString(),
        data: { otpRequestId: requestId, messageId: `msg_${randomUUID()}`, status: 'queued' },
      });
    }
    return json(200, { data: { requestId, expiresAt: new Date(otp.expiresAtMs).toISOString(), attemptsLeft: otp.attemptsLeft } });
  });

  fake.verify = new FakeRoute('POST', /^\/otp\/verify$/, (request) => {
    if (request.headers['x-api-key'] !== apiKey) return error(401, 'Invalid API key');
    const body = loose(request.body);
    const otp = typeof body.requestId === 'string' ? otps.get(body.requestId) : undefined;
    if (!otp) return error(404, 'OTP request not found');
    if (otp.verified) return error(410, 'OTP already used');
    if (Date.now() >= otp.expiresAtMs) return error(410, 'OTP expired');
    if (otp.attemptsLeft <= 0) return error(400, 'Max attempts exceeded for this OTP');
    if (body.otpCode !== otp.code) {
      otp.attemptsLeft -= 1;
      return json(200, { data: { verified: false, attemptsLeft: otp.attemptsLeft } });
    }
    otp.verified = true;
    return json(200, { data: { verified: true } });
  });
  return fake;
}

function webhookFake(secret: string) {
  const fake = {
    secret,
    path: '/webhook/sms',
    /** Every delivery accepted, as sent: `{ phone, code, message, locale?, verificationId }`. */
    deliveries: [] as Loose[],
    lastCode: undefined as string | undefined,
    route: undefined as unknown as FakeRoute,
  };
  fake.route = new FakeRoute('POST', /^\/webhook\/sms$/, (request) => {
    const valid = verifyWebhookSignature(
      secret,
      { timestamp: request.headers['x-phone-auth-timestamp'], signature: request.headers['x-phone-auth-signature'] },
      request.rawBody,
      Date.now(),
    );
    if (!valid) return json(401, { error: 'bad signature' });
    const body = loose(request.body);
    fake.deliveries.push(body);
    fake.lastCode = body.code;
    return json(202, { id: `wh_${randomUUID()}` });
  });
  return fake;
}

function whatsAppCloudFake(accessToken: string, phoneNumberId: string, templateName: string) {
  const fake = {
    accessToken,
    phoneNumberId,
    templateName,
    /** The languages the template is approved in; any other answers 132001, as Meta does. */
    languages: new Set(['en_US', 'en', 'es', 'hi', 'pt_BR']),
    /** Every template message accepted, as sent. */
    messages: [] as Loose[],
    /** The code in the last accepted message's body parameter. */
    lastCode: undefined as string | undefined,
    lastMessageId: undefined as string | undefined,
    /** Meta's Graph API error answer (`{ error: { message, type, code, error_subcode?, fbtrace_id } }`), for enqueue(). */
    error: (status: number, code: number, title: string, subcode?: number): FakeReply =>
      json(status, {
        error: {
          message: `(#${code}) ${title}`,
          type: 'OAuthException',
          code,
          ...(subcode === undefined ? {} : { error_subcode: subcode }),
          error_data: { messaging_product: 'whatsapp', details: title },
          fbtrace_id: `A${randomUUID().replace(/-/g, '').slice(0, 22)}`,
        },
      }),
    /** Meta's status webhook for one message (status sent, delivered, read or failed; a failure's error code). */
    statusWebhook: (messageId: string, status: string, errorCode?: number): Loose => ({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
                statuses: [
                  {
                    id: messageId,
                    status,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    recipient_id: '919876543210',
                    ...(errorCode === undefined ? {} : { errors: [{ code: errorCode, title: 'Message undeliverable.' }] }),
                  },
                ],
              },
            },
          ],
        },
      ],
    }),
    /** `X-Hub-Signature-256` of a raw body under the app secret, as Meta signs its webhooks. */
    sign: (rawBody: string, appSecret: string): string => `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`,
    route: undefined as unknown as FakeRoute,
  };
  const textParameter = (component: Loose | undefined) =>
    Array.isArray(component?.parameters) && component.parameters.length === 1 && component.parameters[0]?.type === 'text'
      ? component.parameters[0].text
      : undefined;

  fake.route = new FakeRoute('POST', /^\/(v\d+\.\d+)\/([^/]+)\/messages$/, (request, [, id]) => {
    if (request.headers.authorization !== `Bearer ${accessToken}`) {
      return fake.error(401, 190, 'Invalid OAuth access token - Cannot parse access token');
    }
    if (id !== phoneNumberId) {
      return fake.error(400, 100, `Unsupported post request. Object with ID '${id}' does not exist`, 33);
    }
    const body = loose(request.body);
    const template = loose(body.template);
    if (body.messaging_product !== 'whatsapp' || body.type !== 'template' || typeof body.to !== 'string') {
      return fake.error(400, 100, 'Invalid parameter');
    }
    if (template.name !== templateName || !fake.languages.has(template.language?.code)) {
      return fake.error(404, 132001, 'Template name does not exist in the translation');
    }
    const components: Loose[] = Array.isArray(template.components) ? template.components : [];
    const code = textParameter(components.find((component) => component.type === 'body'));
    const button = components.find((component) => component.type === 'button' && component.sub_type === 'url' && String(component.index) === '0');
    if (components.length !== 2 || typeof code !== 'string' || textParameter(button) !== code) {
      return fake.error(400, 132000, 'Number of parameters does not match the expected number of params');
    }
    const messageId = `wamid.${Buffer.from(randomUUID()).toString('base64url')}`;
    fake.messages.push(body);
    fake.lastCode = code;
    fake.lastMessageId = messageId;
    return json(200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: body.to, wa_id: body.to.replace(/\D/g, '') }],
      messages: [{ id: messageId }],
    });
  });
  return fake;
}

export type FakeCaptchaProvider = 'turnstile' | 'hcaptcha' | 'recaptcha';

/** What the person's browser "solved": where, for which action, how human it looked (reCAPTCHA). */
export interface FakeCaptchaSolve {
  hostname?: string;
  action?: string;
  score?: number;
  /** The site key the widget ran with (hCaptcha checks it against `sitekey`). */
  siteKey?: string;
}

const CAPTCHA_PATHS: { [provider in FakeCaptchaProvider]: string } = {
  turnstile: '/turnstile/v0/siteverify',
  hcaptcha: '/siteverify',
  recaptcha: '/recaptcha/api/siteverify',
};

// What each provider answers a token seen before (their siteverify documentation).
const DUPLICATE_CODE: { [provider in FakeCaptchaProvider]: string } = {
  turnstile: 'timeout-or-duplicate',
  hcaptcha: 'invalid-or-already-seen-response',
  recaptcha: 'timeout-or-duplicate',
};

/**
 * The siteverify endpoints of Cloudflare Turnstile, hCaptcha and reCAPTCHA v3: form bodies in,
 * each provider's JSON out. Tokens are "solved" with issue(); each validates once (a second
 * validation is the provider's duplicate error, unless acceptReplays: a provider that forgot),
 * except a Turnstile retry with the same idempotency_key, which gets the first answer again.
 */
function captchaFake() {
  const secrets: { [provider in FakeCaptchaProvider]: string } = {
    turnstile: 'test-turnstile-secret',
    hcaptcha: '0xTestHCaptchaSecret',
    recaptcha: 'test-recaptcha-secret',
  };
  const siteKeys: { [provider in FakeCaptchaProvider]: string } = {
    turnstile: '0x4AAAAAAATestSiteKey',
    hcaptcha: '10000000-ffff-ffff-ffff-000000000001',
    recaptcha: '6LeTestSiteKey_recaptcha',
  };
  const tokens = new Map<string, { provider: FakeCaptchaProvider; solve: FakeCaptchaSolve; validations: number; idempotencyKey?: string; first?: FakeReply }>();
  const fake = {
    secrets,
    siteKeys,
    /** Answer success to a token's second validation too (to test that the service remembers tokens itself). */
    acceptReplays: false,
    /** A token the provider will accept once, as if a person solved the widget. */
    issue(provider: FakeCaptchaProvider, solve: FakeCaptchaSolve = {}): string {
      const token = `${provider}.${randomUUID()}.${'x'.repeat(40)}`;
      tokens.set(token, { provider, solve: { hostname: 'localhost', action: 'login', score: 0.9, siteKey: siteKeys[provider], ...solve }, validations: 0 });
      return token;
    },
    /** The service's settings for a provider pointed at this fake. */
    env(provider: FakeCaptchaProvider, baseUrl: string): Record<string, string> {
      return {
        CAPTCHA_PROVIDER: provider,
        CAPTCHA_SECRET: secrets[provider],
        CAPTCHA_SITE_KEY: siteKeys[provider],
        CAPTCHA_VERIFY_URL: `${baseUrl}${CAPTCHA_PATHS[provider]}`,
      };
    },
    turnstile: undefined as unknown as FakeRoute,
    hcaptcha: undefined as unknown as FakeRoute,
    recaptcha: undefined as unknown as FakeRoute,
  };
  const failure = (provider: FakeCaptchaProvider, code: string) =>
    json(200, provider === 'recaptcha' || provider === 'hcaptcha' ? { success: false, 'error-codes': [code] } : { success: false, 'error-codes': [code], messages: [] });
  const success = (provider: FakeCaptchaProvider, solve: FakeCaptchaSolve) => {
    const challenge_ts = new Date().toISOString();
    switch (provider) {
      case 'turnstile':
        return json(200, { success: true, 'error-codes': [], challenge_ts, hostname: solve.hostname, action: solve.action ?? '', cdata: '', metadata: { interactive: false } });
      case 'hcaptcha':
        return json(200, { success: true, challenge_ts, hostname: solve.hostname, credit: false });
      case 'recaptcha':
        return json(200, { success: true, challenge_ts, hostname: solve.hostname, score: solve.score, action: solve.action });
    }
  };
  const route = (provider: FakeCaptchaProvider) =>
    new FakeRoute('POST', new RegExp(`^${CAPTCHA_PATHS[provider].replaceAll('/', '\\/')}$`), (request) => {
      if (!(request.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) return failure(provider, 'bad-request');
      const body = loose(request.body);
      if (!body.secret) return failure(provider, 'missing-input-secret');
      if (body.secret !== secrets[provider]) return failure(provider, 'invalid-input-secret');
      if (!body.response) return failure(provider, 'missing-input-response');
      const entry = tokens.get(body.response);
      if (entry === undefined || entry.provider !== provider) return failure(provider, 'invalid-input-response');
      if (provider === 'turnstile' && entry.first && body.idempotency_key && body.idempotency_key === entry.idempotencyKey) return entry.first;
      entry.validations += 1;
      if (entry.validations > 1 && !fake.acceptReplays) return failure(provider, DUPLICATE_CODE[provider]);
      const answer =
        provider === 'hcaptcha' && body.sitekey !== undefined && body.sitekey !== entry.solve.siteKey
          ? failure(provider, 'sitekey-secret-mismatch')
          : success(provider, entry.solve);
      Object.assign(entry, { idempotencyKey: body.idempotency_key, first: answer });
      return answer;
    });
  fake.turnstile = route('turnstile');
  fake.hcaptcha = route('hcaptcha');
  fake.recaptcha = route('recaptcha');
  return fake;
}

export interface FakeProviderCredentials {
  sinchApplicationKey?: string;
  /** Base64, as Sinch issues them. */
  sinchApplicationSecret?: string;
  sinchProjectId?: string;
  sinchKeyId?: string;
  sinchKeySecret?: string;
  startMessagingApiKey?: string;
  webhookSecret?: string;
  whatsAppAccessToken?: string;
  whatsAppPhoneNumberId?: string;
  whatsAppTemplateName?: string;
}

export type FakeProviders = Awaited<ReturnType<typeof startFakeProviders>>;

export async function startFakeProviders(credentials: FakeProviderCredentials = {}) {
  const sinchApplicationKey = credentials.sinchApplicationKey ?? 'test-app-key';
  const sinchApplicationSecret = credentials.sinchApplicationSecret ?? Buffer.from('test-app-secret').toString('base64');
  const sinchProjectId = credentials.sinchProjectId ?? 'test-project';
  const sinchKeyId = credentials.sinchKeyId ?? 'test-key-id';
  const sinchKeySecret = credentials.sinchKeySecret ?? 'test-key-secret';
  const startMessagingApiKey = credentials.startMessagingApiKey ?? 'sm_test_key';
  const sinchVerification = sinchVerificationFake(sinchApplicationKey, sinchApplicationSecret);
  const sinchSms = sinchSmsFake(sinchProjectId, sinchKeyId, sinchKeySecret);
  const startMessaging = startMessagingFake(startMessagingApiKey);
  const webhook = webhookFake(credentials.webhookSecret ?? 'test-webhook-secret');
  const whatsAppCloud = whatsAppCloudFake(
    credentials.whatsAppAccessToken ?? 'test-whatsapp-token',
    credentials.whatsAppPhoneNumberId ?? '106540352242922',
    credentials.whatsAppTemplateName ?? 'verification_code',
  );
  const captcha = captchaFake();
  const routes = [
    captcha.turnstile,
    captcha.hcaptcha,
    captcha.recaptcha,
    sinchVerification.start,
    sinchVerification.report,
    sinchSms.token,
    sinchSms.send,
    startMessaging.send,
    startMessaging.verify,
    webhook.route,
    whatsAppCloud.route,
  ];

  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();

  const answer = (res: ServerResponse, route: FakeRoute, recorded: RecordedRequest, params: string[], planned: FakeReply): void => {
    switch (planned.kind) {
      case 'default':
        return answer(res, route, recorded, params, route.handle(recorded, params));
      case 'answer':
        res.writeHead(planned.status, planned.headers);
        res.end(planned.body);
        return;
      case 'delay': {
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (!res.destroyed) answer(res, route, recorded, params, planned.then ?? reply.normal());
        }, planned.ms);
        timers.add(timer);
        return;
      }
      case 'hang':
        return;
      case 'destroy':
        res.socket?.destroy();
        return;
    }
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const url = req.url ?? '/';
      const recorded: RecordedRequest = { method: req.method ?? 'GET', url, headers: req.headers, rawBody, body: parseBody(req.headers, rawBody) };
      requests.push(recorded);
      const path = url.split('?')[0];
      for (const route of routes) {
        const match = route.method === recorded.method ? route.pattern.exec(path) : null;
        if (!match) continue;
        route.requests.push(recorded);
        return answer(res, route, recorded, match.slice(1).map(decodeURIComponent), route.next());
      }
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'no such route in the fake', method: recorded.method, path }));
    });
  };

  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    const next = createServer(onRequest);
    next.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as AddressInfo).port;
    server = next;
  };
  const stop = async () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const current = server;
    server = undefined;
    if (!current) return;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => current.close(() => resolve()));
  };
  await listen();

  return {
    /** `http://127.0.0.1:<port>`, no trailing slash: every provider's base URL (and Sinch's auth URL). */
    baseUrl: `http://127.0.0.1:${port}`,
    /** The webhook adapter's `url`. */
    webhookUrl: `http://127.0.0.1:${port}${webhook.path}`,
    /** The service's settings for every provider pointed at these fakes (the webhook's only when its secret was given). */
    serviceEnv: (): Record<string, string> => ({
      SINCH_APPLICATION_KEY: sinchApplicationKey,
      SINCH_APPLICATION_SECRET: sinchApplicationSecret,
      SINCH_VERIFICATION_BASE_URL: `http://127.0.0.1:${port}`,
      SINCH_PROJECT_ID: sinchProjectId,
      SINCH_KEY_ID: sinchKeyId,
      SINCH_KEY_SECRET: sinchKeySecret,
      SINCH_SMS_BASE_URL: `http://127.0.0.1:${port}`,
      SINCH_AUTH_BASE_URL: `http://127.0.0.1:${port}`,
      STARTMESSAGING_API_KEY: startMessagingApiKey,
      STARTMESSAGING_BASE_URL: `http://127.0.0.1:${port}`,
      WHATSAPP_ACCESS_TOKEN: whatsAppCloud.accessToken,
      WHATSAPP_PHONE_NUMBER_ID: whatsAppCloud.phoneNumberId,
      WHATSAPP_TEMPLATE_NAME: whatsAppCloud.templateName,
      WHATSAPP_BASE_URL: `http://127.0.0.1:${port}`,
      ...(credentials.webhookSecret === undefined
        ? {}
        : { SMS_WEBHOOK_URL: `http://127.0.0.1:${port}${webhook.path}`, SMS_WEBHOOK_SECRET: credentials.webhookSecret }),
    }),
    requests,
    sinchVerification,
    sinchSms,
    startMessaging,
    webhook,
    whatsAppCloud,
    /** Turnstile, hCaptcha and reCAPTCHA siteverify: `captcha.issue('turnstile')`, `captcha.env('turnstile', baseUrl)`. */
    captcha,
    /** Stops listening (connections are refused) but keeps state and port; resume() listens again. */
    refuse: stop,
    resume: listen,
    close: stop,
  };
}

/** A base URL on which nothing listens: every call is refused. */
export async function refusedBaseUrl(): Promise<string> {
  const probe = createNetServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** The ProviderError a provider call rejects with; fails the test if it resolves or throws anything else. */
export async function providerFailure(call: Promise<unknown>): Promise<ProviderError> {
  const outcome = await call.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!('error' in outcome)) throw new Error(`expected a ProviderError, got ${JSON.stringify(outcome.value)}`);
  if (!(outcome.error instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(outcome.error)}`);
  return outcome.error;
}
