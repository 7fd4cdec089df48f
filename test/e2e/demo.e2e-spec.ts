import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { DEMO_CONTENT_SECURITY_POLICY } from '../../src/demo/demo.controller.js';
import { json, JSON_HEADERS, startTestApp, TestApp } from '../support/e2e-kit.js';
import { type FakeProviders, startFakeProviders } from '../support/fake-providers.js';

const PHONE = '+919876543210';
const CHROMIUM = '/usr/bin/chromium';
// Headless, and kept off the network: no updates, sync, QUIC or first-run calls home.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts', 'demo');

describe('demo page', () => {
  let t: TestApp;
  afterEach(async () => t?.close());

  it('should serve the page, its script and stylesheet with a strict CSP when DEMO_PAGE is on by default', async () => {
    t = await startTestApp({});

    const page = await t.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toBe(DEMO_CONTENT_SECURITY_POLICY);
    expect(DEMO_CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(DEMO_CONTENT_SECURITY_POLICY).toContain("connect-src 'self'");
    expect(DEMO_CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.body).toContain('<input id="phone" name="phone" type="tel" autocomplete="tel"');
    expect(page.body).toContain('autocomplete="one-time-code" inputmode="numeric"');
    // The only script is the external one: the CSP would block anything inline.
    expect(page.body.match(/<script\b[^>]*>/g)).toEqual(['<script type="module" src="/demo/app.js">']);
    expect(page.body).not.toMatch(/\son[a-z]+=/i);
    expect(page.body).not.toMatch(/\sstyle=/i);

    const script = await t.inject({ method: 'GET', url: '/demo/app.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toContain("'OTPCredential' in window");
    expect(script.body).not.toMatch(/console\.|localStorage|sessionStorage/);
    // The page calls the API through the client SDK, whose build the service serves beside it.
    expect(script.body).toContain("import { PhoneAuthClient } from '/demo/sdk/index.js';");
    const sdk = await t.inject({ method: 'GET', url: '/demo/sdk/index.js' });
    expect([sdk.statusCode, sdk.headers['content-type'], sdk.headers['x-content-type-options']]).toEqual([200, 'text/javascript; charset=utf-8', 'nosniff']);
    expect(sdk.body).toContain("from './client.js'");
    expect((await t.inject({ method: 'GET', url: '/demo/sdk/client.js' })).body).toContain('class PhoneAuthClient');
    for (const url of ['/demo/sdk/index.d.ts', '/demo/sdk/..%2Fpackage.json', '/demo/sdk/generated']) {
      expect((await t.inject({ method: 'GET', url })).statusCode).toBe(404);
    }

    // No bot check configured: the page renders no widget.
    const config = await t.inject({ method: 'GET', url: '/demo/config.json' });
    expect([config.statusCode, json(config)]).toEqual([200, { captcha: null }]);

    const style = await t.inject({ method: 'GET', url: '/demo/app.css' });
    expect(style.statusCode).toBe(200);
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it.each([
    ['turnstile', 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit', ["script-src 'self' https://challenges.cloudflare.com", 'frame-src https://challenges.cloudflare.com']],
    [
      'hcaptcha',
      'https://js.hcaptcha.com/1/api.js?render=explicit',
      [
        "script-src 'self' https://hcaptcha.com https://*.hcaptcha.com",
        "style-src 'self' https://hcaptcha.com https://*.hcaptcha.com",
        "connect-src 'self' https://hcaptcha.com https://*.hcaptcha.com",
        'frame-src https://hcaptcha.com https://*.hcaptcha.com',
      ],
    ],
    [
      'recaptcha',
      'https://www.google.com/recaptcha/api.js?render=site-key-1',
      ["script-src 'self' https://www.google.com/recaptcha/ https://www.gstatic.com/recaptcha/", 'frame-src https://www.google.com/recaptcha/ https://recaptcha.google.com/recaptcha/'],
    ],
  ])('should publish the %s widget (site key, script) and allow only its origins in the CSP, never the secret', async (provider, scriptUrl, directives) => {
    t = await startTestApp({ CAPTCHA_PROVIDER: provider, CAPTCHA_SECRET: 'the-secret-value', CAPTCHA_SITE_KEY: 'site-key-1', CAPTCHA_MODE: 'audit' });
    const config = await t.inject({ method: 'GET', url: '/demo/config.json' });
    expect(json(config)).toEqual({ captcha: { provider, siteKey: 'site-key-1', action: 'login', scriptUrl, onVerify: false } });
    expect(config.body).not.toContain('the-secret-value');
    const csp = (await t.inject({ method: 'GET', url: '/' })).headers['content-security-policy'] as string;
    for (const directive of directives) expect(csp.split('; ')).toContain(directive);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
  });

  it('should answer 404 not_found for the page and its assets when DEMO_PAGE=false', async () => {
    t = await startTestApp({ DEMO_PAGE: 'false' });

    for (const url of ['/', '/demo/app.js', '/demo/app.css', '/demo/config.json', '/demo/sdk/index.js']) {
      const response = await t.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(json(response)).toMatchObject({ status: 404, code: 'not_found' });
    }
  });

  it('should not serve anything else under /demo when the page is on', async () => {
    t = await startTestApp({});

    const response = await t.inject({ method: 'GET', url: '/demo/../package.json' });
    expect(response.statusCode).toBe(404);
    expect(json(response).code).toBe('not_found');
  });
});

const browserAvailable = existsSync(CHROMIUM);
if (!browserAvailable && process.env.REQUIRE_BROWSER !== '1') {
  process.stderr.write(`\n\n*** ${CHROMIUM} is missing: the demo page's browser test is SKIPPED. Install it (apt-get install -y chromium) ***\n\n`);
}
// With REQUIRE_BROWSER=1 (CI) a missing browser fails the test at launch instead of skipping it.
const describeWithBrowser = browserAvailable || process.env.REQUIRE_BROWSER === '1' ? describe : describe.skip;

describeWithBrowser('demo page in headless Chromium', () => {
  let t: TestApp;
  let context: BrowserContext;
  let userDataDir: string;
  let page: Page;
  let baseUrl: string;
  const consoleLines: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    t = await startTestApp({ SMS_PROVIDERS: 'outbox' });
    await t.app.listen(0, '127.0.0.1');
    baseUrl = `http://127.0.0.1:${(t.app.getHttpServer().address() as AddressInfo).port}`;
    userDataDir = await mkdtemp(join(tmpdir(), 'phone-auth-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 800, height: 900 },
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (message) => consoleLines.push(`${message.type()}: ${message.text()}`));
    page.on('pageerror', (error) => pageErrors.push(error.message));
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    await t?.close();
  });

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  // Strings, not functions: the test compiles without the DOM lib.
  const activeId = () => page.evaluate<string | undefined>('document.activeElement?.id');

  async function codeFromOutbox(): Promise<string> {
    const response = await fetch(`${baseUrl}/v1/dev/outbox?phone=${encodeURIComponent(PHONE)}`);
    expect(response.status).toBe(200);
    const { messages } = (await response.json()) as { messages: { to: string; text: string }[] };
    expect(messages[0].to).toBe(PHONE);
    const code = /(\d{6}) is your/.exec(messages[0].text)?.[1];
    expect(code).toBe(t.codes.last);
    return code!;
  }

  it('should log a person in when they type the phone, a wrong code and then the right code, and sign them out', async () => {
    await page.goto(`${baseUrl}/`);
    await page.waitForSelector('html[data-ready="true"]');
    await expectVisibleText(page, 'h2', 'Sign in with your phone');
    await shot('01-phone');

    // Labels are wired: the fields are found by what a screen reader announces.
    await page.getByLabel('Phone number').fill(PHONE);
    await page.getByRole('button', { name: 'Send code' }).click();

    const codeField = page.getByLabel('6-digit code');
    await codeField.waitFor({ state: 'visible' });
    expect(await activeId()).toBe('code');
    expect(await page.locator('#sent-to').textContent()).toBe(`We sent a code by SMS to ${PHONE}.`);
    expect(await page.locator('#attempts').textContent()).toBe('5 tries left.');
    const resend = page.locator('#resend');
    expect(await resend.isDisabled()).toBe(true);
    expect(await resend.textContent()).toMatch(/^Resend code in (30|29|28) s$/);
    await shot('02-code');

    const code = await codeFromOutbox();
    const wrong = code === '000000' ? '111111' : '000000';
    await codeField.fill(wrong);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const alert = page.getByRole('alert');
    await expectText(alert, 'Wrong code, 4 tries left.');
    expect(await alert.getAttribute('aria-live')).toBe('assertive');
    expect(await codeField.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#attempts').textContent()).toBe('4 tries left.');
    expect(await activeId()).toBe('code');
    await shot('03-wrong-code');

    await codeField.fill(code);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const heading = page.locator('#signed-in-heading');
    await expectText(heading, `Signed in as ${PHONE}`);
    expect(await activeId()).toBe('signed-in-heading');
    expect(await alert.textContent()).toBe('');
    const claims = JSON.parse((await page.locator('#claims').textContent())!) as Record<string, unknown>;
    expect(claims).toMatchObject({ phone_number: PHONE, phone_number_verified: true, amr: ['sms'], sub: expect.stringMatching(/^usr_/) });
    await shot('04-signed-in');

    const refreshResponse = page.waitForResponse((response) => response.url().endsWith('/v1/sessions/refresh'));
    await page.getByRole('button', { name: 'Refresh' }).click();
    const { refreshToken } = (await (await refreshResponse).json()) as { refreshToken: string };
    await expectText(page.getByRole('status'), 'Tokens refreshed: a new access token and a new refresh token.');
    const refreshed = JSON.parse((await page.locator('#claims').textContent())!) as Record<string, unknown>;
    expect(refreshed).toMatchObject({ sub: claims.sub, sid: claims.sid });
    expect(refreshed.jti).not.toBe(claims.jti);
    await expectText(heading, `Signed in as ${PHONE}`);
    await shot('05-refreshed');

    // Tokens live in the page's memory only, and nothing was logged or blocked by the CSP.
    const storage = await page.evaluate('({ local: localStorage.length, session: sessionStorage.length, cookies: document.cookie })');
    expect(storage).toEqual({ local: 0, session: 0, cookies: '' });

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expectText(page.getByRole('status'), 'You are signed out.');
    await page.getByLabel('Phone number').waitFor({ state: 'visible' });
    expect(await heading.isVisible()).toBe(false);
    expect(await activeId()).toBe('phone');
    await shot('06-signed-out');

    // Sign out ended the session on the server: the refresh token the page held is dead too.
    const reuse = await fetch(`${baseUrl}/v1/sessions/refresh`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ refreshToken }),
    });
    expect(reuse.status).toBe(401);
    expect(pageErrors).toEqual([]);
    // The browser itself logs each 4xx ("Failed to load resource"); the page logs nothing.
    const logged = consoleLines.filter((line) => !line.includes('Failed to load resource'));
    expect(logged).toEqual([]);
    expect(consoleLines.join('\n')).not.toMatch(/Content Security Policy|eyJ|ses_/);
  }, 60_000);

  it('should explain a bad phone number in the alert region and keep focus on the phone field', async () => {
    await page.goto(`${baseUrl}/`);
    await page.waitForSelector('html[data-ready="true"]');
    await page.getByLabel('Phone number').fill('12');
    await page.getByRole('button', { name: 'Send code' }).click();
    await expectText(page.getByRole('alert'), "That doesn't look like a valid phone number. Check it, or pick the right country.");
    expect(await page.getByLabel('Phone number').getAttribute('aria-invalid')).toBe('true');
    expect(await activeId()).toBe('phone');
    await shot('07-invalid-phone');
  }, 30_000);

  it('should refresh a session shared by two tabs once: the tab that waited on the Web Lock takes the rotated tokens', async () => {
    // The SDK as the service serves it to the page, in two tabs of one origin, each with its own
    // client on one localStorage key. Refreshes are held 300 ms on their way, so the tabs' calls
    // overlap for sure: without the lock (the control) both spend the same refresh token.
    const tabs = [page, await context.newPage()];
    const refreshes: string[] = [];
    context.on('request', (request) => {
      if (request.url().endsWith('/v1/sessions/refresh')) refreshes.push(request.url());
    });
    await context.route('**/v1/sessions/refresh', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      await route.continue();
    });
    const setUp = `(async () => {
      const { PhoneAuthClient, webStorageTokens } = await import('/demo/sdk/index.js');
      const client = (withLocks) => new PhoneAuthClient({ baseUrl: '', storage: webStorageTokens(localStorage, 'sdk-test'), ...(withLocks ? {} : { locks: null }) });
      window.sdkTest = {
        send: async (phone) => (await client(true).sendCode({ phone })).verificationId,
        verify: async (verificationId, code) => (await client(true).verifyCode({ verificationId, code })).refreshToken,
        // Each settles to the refresh token it ended with, or the error's code.
        refresh: (withLocks, times) => Promise.all(Array.from({ length: times }, () => client(withLocks).refresh().then((tokens) => tokens.refreshToken, (error) => error.code))),
      };
      return typeof navigator.locks?.request;
    })()`;
    for (const tab of tabs) {
      await tab.goto(`${baseUrl}/`);
      expect(await tab.evaluate<string>(setUp)).toBe('function');
    }
    const signIn = async (phone: string): Promise<string> => {
      const verificationId = await page.evaluate<string>(`window.sdkTest.send(${JSON.stringify(phone)})`);
      return page.evaluate<string>(`window.sdkTest.verify(${JSON.stringify(verificationId)}, ${JSON.stringify(t.codes.last)})`);
    };
    const refreshInBothTabs = (withLocks: boolean, times: number) =>
      Promise.all(tabs.map((tab) => tab.evaluate<string[]>(`window.sdkTest.refresh(${withLocks}, ${times})`)));

    try {
      const first = await signIn('+919876500071');
      // Five clients per tab, ten refresh() calls in all: one request.
      const locked = (await refreshInBothTabs(true, 5)).flat();
      expect(refreshes).toHaveLength(1);
      expect(new Set(locked).size).toBe(1);
      expect(locked[0]).toMatch(/^ses_/);
      expect(locked[0]).not.toBe(first);
      // The session lives on: its current refresh token still works.
      const again = await fetch(`${baseUrl}/v1/sessions/refresh`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify({ refreshToken: locked[0] }) });
      expect(again.status).toBe(200);

      refreshes.length = 0;
      await signIn('+919876500072');
      // The control: one refresh per tab, each tab's lock its own, both with the same token: the
      // service takes the second for a replay, and that tab's session is gone.
      const outcomes = (await refreshInBothTabs(false, 1)).flat();
      expect(refreshes).toHaveLength(2);
      expect(outcomes.filter((outcome) => outcome.startsWith('ses_'))).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === 'invalid_refresh_token' || outcome === 'refresh_token_reused')).toHaveLength(1);
    } finally {
      await context.unroute('**/v1/sessions/refresh');
      await page.evaluate('localStorage.clear()');
      await tabs[1].close();
    }
    expect(pageErrors).toEqual([]);
  }, 30_000);

  describe('with a bot check (Turnstile; its widget faked, served by page.route: no network)', () => {
    const TURNSTILE_PHONE = '+919876500042';
    let fake: FakeProviders;
    let guarded: TestApp;
    let guardedUrl: string;
    let tokens: string[];

    // Renders a button instead of Cloudflare's iframe; each click "solves" the check with the next token.
    const fakeTurnstile = (issued: string[]) => `
      'use strict';
      (() => {
        const tokens = ${JSON.stringify(issued)};
        window.turnstile = {
          render(container, options) {
            window.fakeTurnstileOptions = { sitekey: options.sitekey, action: options.action };
            const button = document.createElement('button');
            button.type = 'button';
            button.textContent = "I'm not a robot";
            button.addEventListener('click', () => options.callback(tokens.shift()));
            container.append(button);
            return 'widget-1';
          },
          reset(id) { window.fakeTurnstileResets = (window.fakeTurnstileResets || 0) + 1; },
        };
      })();`;

    beforeAll(async () => {
      fake = await startFakeProviders();
      guarded = await startTestApp({ SMS_PROVIDERS: 'outbox', CAPTCHA_MODE: 'enforce', ...fake.captcha.env('turnstile', fake.baseUrl) });
      await guarded.app.listen(0, '127.0.0.1');
      guardedUrl = `http://127.0.0.1:${(guarded.app.getHttpServer().address() as AddressInfo).port}`;
      tokens = ['forged-by-a-bot', fake.captcha.issue('turnstile', { hostname: '127.0.0.1' })];
      await page.route('https://challenges.cloudflare.com/**', (route) =>
        route.fulfill({ status: 200, contentType: 'text/javascript; charset=utf-8', body: fakeTurnstile(tokens) }),
      );
    });

    afterAll(async () => {
      // Off the app first: an open page keeps its connections, and the app waits for them to close.
      await page.goto('about:blank');
      await page.unroute('https://challenges.cloudflare.com/**');
      await guarded?.close();
      await fake?.close();
    }, 60_000);

    const outbox = async () => {
      const response = await fetch(`${guardedUrl}/v1/dev/outbox?phone=${encodeURIComponent(TURNSTILE_PHONE)}`);
      return ((await response.json()) as { messages: OutboxEntry[] }).messages;
    };

    it('should allow the widget\'s origin in the CSP, render it with the site key, and send its token with the code request', async () => {
      const served = await fetch(`${guardedUrl}/`);
      const csp = served.headers.get('content-security-policy')!;
      expect(csp).toContain("script-src 'self' https://challenges.cloudflare.com");
      expect(csp).toContain('frame-src https://challenges.cloudflare.com');
      expect(csp).not.toContain('unsafe-inline');

      await page.goto(`${guardedUrl}/`);
      await page.waitForSelector('html[data-ready="true"]');
      const robot = page.getByRole('button', { name: "I'm not a robot" });
      await robot.waitFor({ state: 'visible' });
      expect(await page.evaluate('window.fakeTurnstileOptions')).toEqual({ sitekey: fake.captcha.siteKeys.turnstile, action: 'login' });
      await shot('20-captcha');

      // Not solved yet: the page asks for it and sends nothing.
      await page.getByLabel('Phone number').fill(TURNSTILE_PHONE);
      await page.getByRole('button', { name: 'Send code' }).click();
      await expectText(page.getByRole('alert'), 'Please complete the robot check first.');
      expect(await outbox()).toEqual([]);

      // A token the provider refuses: 403 captcha_failed, explained; the widget is reset for another go.
      await robot.click();
      await page.getByRole('button', { name: 'Send code' }).click();
      await expectText(page.getByRole('alert'), "The robot check didn't pass. Please complete it again.");
      expect(await outbox()).toEqual([]);
      expect(await page.evaluate('window.fakeTurnstileResets')).toBe(1);

      await robot.click();
      await page.getByRole('button', { name: 'Send code' }).click();
      await expectText(page.locator('#sent-to'), `We sent a code by SMS to ${TURNSTILE_PHONE}.`);
      const checked = fake.captcha.turnstile.lastRequest!.body as Record<string, string>;
      expect(checked.response).toBe(tokens[1]);
      expect(checked).toMatchObject({ secret: fake.captcha.secrets.turnstile, remoteip: '127.0.0.1' });
      const [message] = await outbox();
      await page.getByLabel('6-digit code').fill(/(\d{6}) is your/.exec(message.text)![1]);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expectText(page.locator('#signed-in-heading'), `Signed in as ${TURNSTILE_PHONE}`);
      await shot('21-captcha-signed-in');
      expect(pageErrors).toEqual([]);
    });
  });

  describe('with WhatsApp and voice calls on offer', () => {
    const UK_PHONE = '+447400123456';
    let channels: TestApp;
    let channelsUrl: string;

    beforeAll(async () => {
      channels = await startTestApp({
        SMS_PROVIDERS: 'outbox',
        WHATSAPP_PROVIDERS: 'outbox',
        VOICE_PROVIDERS: 'outbox',
        CHANNEL_ORDER: 'IN:whatsapp+sms+voice,*:sms',
        // Long enough to see the buttons wait, short enough not to slow the test.
        OTP_RESEND_COOLDOWN_SECONDS: '2',
        OTP_VOICE_RESEND_COOLDOWN_SECONDS: '0',
      });
      await channels.app.listen(0, '127.0.0.1');
      channelsUrl = `http://127.0.0.1:${(channels.app.getHttpServer().address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await page.goto('about:blank');
      await channels?.close();
    }, 60_000);

    async function newestMessage(phone: string): Promise<OutboxEntry> {
      const response = await fetch(`${channelsUrl}/v1/dev/outbox?phone=${encodeURIComponent(phone)}`);
      expect(response.status).toBe(200);
      const { messages } = (await response.json()) as { messages: OutboxEntry[] };
      expect(messages[0].to).toBe(phone);
      return messages[0];
    }

    it('should send by WhatsApp, call on "Call me instead" once the cooldown passed, and sign in with the code the call spoke', async () => {
      await page.goto(`${channelsUrl}/`);
      await page.waitForSelector('html[data-ready="true"]');
      // The picker is fed by GET /v1/otp/channels for the chosen country, in CHANNEL_ORDER's order.
      const picker = page.getByLabel('Send the code by');
      await picker.waitFor({ state: 'visible' });
      expect(await picker.locator('option').allTextContents()).toEqual(['Automatic (WhatsApp first)', 'WhatsApp', 'SMS', 'A phone call']);
      expect(await picker.inputValue()).toBe('auto');
      await shot('08-channel-picker');

      await page.getByLabel('Phone number').fill(PHONE);
      await page.getByRole('button', { name: 'Send code' }).click();
      await expectText(page.locator('#sent-to'), `We sent a code by WhatsApp to ${PHONE}.`);
      const whatsapp = await newestMessage(PHONE);
      expect(whatsapp.channel).toBe('whatsapp');
      const whatsappCode = /^(\d{6}) is your phone-auth code\./.exec(whatsapp.text)?.[1];
      expect(whatsappCode).toBe(channels.codes.last);

      // Every other channel of the answer, in its order, waiting out the cooldown like "Resend code".
      const others = page.locator('#other-channels button');
      expect(await others.allTextContents()).toEqual([
        expect.stringMatching(/^Send by SMS instead \(in [12] s\)$/),
        expect.stringMatching(/^Call me instead \(in [12] s\)$/),
      ]);
      expect(await disabledStates(others)).toEqual([true, true]);
      expect(await page.locator('#resend').isDisabled()).toBe(true);
      await shot('09-sent-by-whatsapp');

      // Clicking waits for the button to be enabled, which happens once resendAvailableAt passed.
      const waitedFromMs = Date.now();
      await page.getByRole('button', { name: 'Call me instead', exact: true }).click();
      expect(Date.now() - waitedFromMs).toBeGreaterThan(500);
      await expectText(page.locator('#sent-to'), `We are calling ${PHONE}: the call reads out the code.`);
      await expectText(page.getByRole('status'), `A new code is on its way to ${PHONE}. The code sent before no longer works.`);
      expect(await activeId()).toBe('code');
      const call = await newestMessage(PHONE);
      expect(call.channel).toBe('voice');
      expect(call.verificationId).toBe(whatsapp.verificationId);
      const spoken = /^Your phone-auth code is ((?:\d, ){5}\d)\. Again: \1\.$/.exec(call.text)?.[1];
      const voiceCode = spoken?.replace(/, /g, '');
      expect(voiceCode).toBe(channels.codes.last);
      expect(voiceCode).not.toBe(whatsappCode);
      // After a call the cooldown is OTP_VOICE_RESEND_COOLDOWN_SECONDS (0 here): the others are ready.
      expect(await others.allTextContents()).toEqual(['Send by WhatsApp instead', 'Send by SMS instead']);
      expect(await disabledStates(others)).toEqual([false, false]);
      await shot('10-called');

      // The WhatsApp code stopped working when the call made a new one; it costs a try.
      const codeField = page.getByLabel('6-digit code');
      await codeField.fill(whatsappCode!);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expectText(page.getByRole('alert'), 'Wrong code, 4 tries left.');

      await codeField.fill(voiceCode!);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expectText(page.locator('#signed-in-heading'), `Signed in as ${PHONE}`);
      await shot('11-signed-in-after-call');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await expectText(page.getByRole('status'), 'You are signed out.');
      expect(pageErrors).toEqual([]);
    }, 60_000);

    it('should say which channels a number may use when the one picked is not offered, and send by the one left', async () => {
      await page.goto(`${channelsUrl}/`);
      await page.waitForSelector('html[data-ready="true"]');
      const picker = page.getByLabel('Send the code by');
      await picker.waitFor({ state: 'visible' });
      // Another country, another order: only SMS for the rest of the world, so no picker.
      await page.getByLabel('Country').selectOption('GB');
      await picker.waitFor({ state: 'hidden' });
      await page.getByLabel('Country').selectOption('IN');
      await picker.waitFor({ state: 'visible' });

      // The picker follows the chosen country; a number in full may be of another one.
      await picker.selectOption('whatsapp');
      await page.getByLabel('Phone number').fill(UK_PHONE);
      await page.getByRole('button', { name: 'Send code' }).click();
      await expectText(page.getByRole('alert'), "Codes can't be sent to this number by WhatsApp, only by SMS.");
      // The picker now offers what the problem named: SMS alone, so none is shown.
      expect(await picker.isVisible()).toBe(false);
      expect(await activeId()).toBe('phone');
      await shot('12-channel-unavailable');

      await page.getByRole('button', { name: 'Send code' }).click();
      await expectText(page.locator('#sent-to'), `We sent a code by SMS to ${UK_PHONE}.`);
      expect((await newestMessage(UK_PHONE)).channel).toBe('sms');
      expect(await page.locator('#other-channels').isVisible()).toBe(false);
      expect(await page.getByRole('alert').textContent()).toBe('');
      expect(pageErrors).toEqual([]);
    }, 30_000);
  });
});

interface OutboxEntry {
  to: string;
  channel: string;
  text: string;
  verificationId: string;
}

async function expectText(locator: ReturnType<Page['locator']>, text: string): Promise<void> {
  // Polls like a person waiting for the page, then asserts with a readable diff.
  await locator.filter({ hasText: text }).first().waitFor({ state: 'visible', timeout: 10_000 }).catch(() => undefined);
  expect((await locator.textContent())?.trim()).toBe(text);
}

async function disabledStates(buttons: ReturnType<Page['locator']>): Promise<boolean[]> {
  return Promise.all((await buttons.all()).map((button) => button.isDisabled()));
}

async function expectVisibleText(page: Page, selector: string, text: string): Promise<void> {
  await expectText(page.locator(selector).filter({ hasText: text }).first(), text);
}
