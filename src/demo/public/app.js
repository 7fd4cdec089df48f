// phone-auth demo: plain browser JavaScript, no framework, no build step of its own. It calls the
// API through the client SDK (@phone-auth/client), whose ES modules the service serves at /demo/sdk/.
// Tokens live only in the SDK's memory storage: never in Web Storage, never logged.
import { PhoneAuthClient } from '/demo/sdk/index.js';

{
  const $ = (id) => document.getElementById(id);
  const el = {
    error: $('error'), status: $('status'),
    phoneStep: $('phone-step'), phoneForm: $('phone-form'), country: $('country'), phone: $('phone'), send: $('send'),
    channelField: $('channel-field'), channel: $('channel'),
    codeStep: $('code-step'), codeForm: $('code-form'), code: $('code'), verify: $('verify'), resend: $('resend'),
    changePhone: $('change-phone'), sentTo: $('sent-to'), attempts: $('attempts'), otherChannels: $('other-channels'),
    signedIn: $('signed-in'), signedInHeading: $('signed-in-heading'), userId: $('user-id'), sessionId: $('session-id'),
    tokenExpiry: $('token-expiry'), claims: $('claims'), refresh: $('refresh'), signOut: $('sign-out'),
    captchaField: $('captcha-field'), captcha: $('captcha'),
  };

  let verification = null; // { verificationId, phone, attemptsRemaining, channel, channels, choice }
  let session = null; // what the page shows of the SDK's tokens: { expiresIn, sessionId, user, accessToken }
  let resendTimer = 0;
  let resendAtMs = 0;
  let sending = false; // one send at a time, whichever button asked for it
  let channelsAsked = 0; // the latest GET /v1/otp/channels, so a slower earlier answer is ignored
  let webOtp = null; // AbortController of a pending WebOTP request

  // The channels the API names, as the page speaks of them.
  const CHANNEL_NAMES = { sms: 'SMS', whatsapp: 'WhatsApp', voice: 'a phone call' };
  const SWITCH_LABELS = { sms: 'Send by SMS instead', whatsapp: 'Send by WhatsApp instead', voice: 'Call me instead' };
  const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);
  const known = (channels) => (Array.isArray(channels) ? channels.filter((channel) => channel in CHANNEL_NAMES) : []);

  // ---- API -------------------------------------------------------------------------------

  // The service's clock as of its last answer (the Date header has whole seconds: trusted only over
  // a clock that is clearly off), so countdowns follow the server's time.
  let serverNowMs = Date.now();
  const fetchKeepingDate = async (input, init) => {
    const response = await fetch(input, { ...init, credentials: 'omit' });
    const now = Date.now();
    const date = Date.parse(response.headers.get('date') || '');
    serverNowMs = Number.isNaN(date) || Math.abs(date - now) < 2000 ? now : date;
    return response;
  };
  // Same origin: the page is served by the service it calls. Tokens in memory (the default storage).
  const client = new PhoneAuthClient({ baseUrl: '', fetch: fetchKeepingDate });

  /**
   * Runs one SDK call: resolves to { ok: true, body } or, for a PhoneAuthError (its problem+json,
   * or network_error when the service cannot be reached), { ok: false, status, body: problem }.
   */
  async function api(call) {
    try {
      return { ok: true, body: await call() };
    } catch (error) {
      if (error && error.name === 'PhoneAuthError') return { ok: false, status: error.status, body: error.problem };
      throw error;
    }
  }

  // ---- Bot check (CAPTCHA) ------------------------------------------------------------------
  // The service names the provider, its public site key and widget script (GET /demo/config.json);
  // the page loads that script, renders the widget and sends one fresh token with each request.

  let captcha = null; // { provider, siteKey, action, scriptUrl, onVerify, widgetId, token }

  async function setUpCaptcha() {
    // The page's own settings, not the API: a plain fetch.
    const result = await api(async () => {
      const response = await fetch('/demo/config.json', { credentials: 'omit', cache: 'no-store' });
      if (!response.ok) throw new Error('no config');
      return response.json();
    }).catch(() => ({ ok: false }));
    if (!result.ok || !result.body.captcha) return;
    captcha = { ...result.body.captcha, widgetId: undefined, token: null };
    try {
      await loadScript(captcha.scriptUrl);
      renderCaptcha();
    } catch {
      showError("The robot check couldn't load. Check your connection and reload the page.");
    }
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const script = document.createElement('script');
      script.src = src;
      script.async = true;
      script.addEventListener('load', resolve);
      script.addEventListener('error', reject);
      document.head.append(script);
    });
  }

  function renderCaptcha() {
    const keep = (token) => { captcha.token = token; showError(''); };
    const drop = () => { captcha.token = null; };
    const options = { sitekey: captcha.siteKey, callback: keep, 'expired-callback': drop, 'error-callback': drop };
    if (captcha.provider === 'turnstile') {
      captcha.widgetId = window.turnstile.render(el.captcha, { ...options, action: captcha.action });
    } else if (captcha.provider === 'hcaptcha') {
      captcha.widgetId = window.hcaptcha.render(el.captcha, options);
    }
    // reCAPTCHA v3 has no widget: it scores the visit when asked for a token (captchaToken).
    el.captchaField.hidden = captcha.provider === 'recaptcha';
  }

  /** A fresh token for one request (each works once), or null when the person has not passed the check yet. */
  async function captchaToken() {
    if (captcha.provider === 'recaptcha') {
      await new Promise((resolve) => window.grecaptcha.ready(resolve));
      return window.grecaptcha.execute(captcha.siteKey, { action: captcha.action });
    }
    const token = captcha.token;
    captcha.token = null;
    // The widget makes a new token for the next request.
    if (token) (captcha.provider === 'turnstile' ? window.turnstile : window.hcaptcha).reset(captcha.widgetId);
    return token;
  }

  /** Adds `captchaToken` to a send (or, with CAPTCHA_ON_VERIFY, a verify) body; false when the check is not passed yet. */
  async function withCaptcha(body, isVerify) {
    if (!captcha || (isVerify && !captcha.onVerify)) return true;
    const token = await captchaToken();
    if (!token) {
      showError("Please complete the robot check first.");
      el.captchaField.querySelector('button, iframe')?.focus();
      return false;
    }
    body.captchaToken = token;
    return true;
  }

  // ---- Messages ----------------------------------------------------------------------------

  const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;
  /** "SMS", "SMS or a phone call", "WhatsApp, SMS or a phone call". */
  const either = (channels) => {
    const names = channels.map((channel) => CHANNEL_NAMES[channel]);
    return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  };
  const wait = (seconds) => {
    if (!Number.isFinite(seconds) || seconds <= 0) return 'in a moment';
    if (seconds < 90) return `in ${plural(Math.ceil(seconds), 'second', 'seconds')}`;
    if (seconds < 5400) return `in ${plural(Math.ceil(seconds / 60), 'minute', 'minutes')}`;
    return `in ${plural(Math.ceil(seconds / 3600), 'hour', 'hours')}`;
  };

  /** Every problem code of the API as a sentence a person can act on. */
  function sentence(problem) {
    const retry = Number(problem.retryAfterSeconds);
    switch (problem.code) {
      case 'invalid_code': {
        const left = Number(problem.attemptsRemaining);
        if (!Number.isFinite(left)) return 'Wrong code. Check the message and try again.';
        if (left <= 0) return 'Wrong code, and no tries are left. Ask for a new code.';
        return `Wrong code, ${plural(left, 'try', 'tries')} left.`;
      }
      case 'invalid_phone': return "That doesn't look like a valid phone number. Check it, or pick the right country.";
      case 'validation_failed': return 'Please check what you typed: the phone number or the code is not in the expected form.';
      case 'verification_not_found': return 'That code is no longer valid. Ask for a new one.';
      case 'verification_expired': return 'That code has expired. Ask for a new one.';
      case 'max_attempts_reached': return `Too many wrong codes. Please try again ${wait(retry)}.`;
      case 'resend_too_soon': return `A code was sent moments ago. You can ask for another ${wait(retry)}.`;
      case 'rate_limited': return `Too many requests. Please try again ${wait(retry)}.`;
      case 'country_not_allowed': return "Phone numbers from this country can't be used here.";
      case 'number_type_not_allowed': return "This kind of number can't receive codes here. Please use a mobile number.";
      case 'channel_unavailable': {
        const offered = known(problem.channels);
        const how = CHANNEL_NAMES[problem.requested] ? ` by ${CHANNEL_NAMES[problem.requested]}` : '';
        if (offered.length === 0) return `Codes can't be sent to this number${how}.`;
        if (offered.length === 1) return `Codes can't be sent to this number${how}, only by ${either(offered)}.`;
        return `Codes can't be sent to this number${how}. You can choose ${either(offered)} instead.`;
      }
      case 'provider_unavailable': return `We couldn't send the code just now. Please try again ${wait(retry)}.`;
      case 'store_unavailable': return `The service is briefly unavailable. Please try again ${wait(retry)}.`;
      case 'invalid_refresh_token': return 'Your session has expired. Please sign in again.';
      case 'refresh_token_reused': return 'For your safety this session was ended. Please sign in again.';
      case 'unauthorized': return 'You are signed out. Please sign in again.';
      case 'forbidden': return 'You are not allowed to do that.';
      case 'idempotency_conflict':
      case 'idempotency_in_flight': return 'That request is already being handled. Please try again in a moment.';
      case 'payload_too_large': return 'What you typed is too long.';
      case 'not_found':
      case 'method_not_allowed':
      case 'unsupported_media_type': return "This page and the service don't agree on the request. Please reload the page.";
      case 'captcha_required': return 'Please complete the robot check first.';
      case 'captcha_failed': return "The robot check didn't pass. Please complete it again.";
      case 'captcha_unavailable': return `The robot check can't be verified just now. Please try again ${wait(retry)}.`;
      case 'internal_error': return 'Something went wrong on our side. Please try again.';
      case 'network_error': return "Can't reach the service. Check your connection and try again.";
      default: return problem.detail || problem.title || 'Something went wrong. Please try again.';
    }
  }

  function showError(text, field) {
    for (const input of [el.phone, el.channel, el.code]) input.removeAttribute('aria-invalid');
    el.error.textContent = text || '';
    if (field && text) field.setAttribute('aria-invalid', 'true');
  }
  const say = (text) => { el.status.textContent = text; };

  function busy(button, on) {
    button.disabled = on;
    button.setAttribute('aria-busy', String(on));
  }

  // ---- Views -------------------------------------------------------------------------------

  function show(step) {
    el.phoneStep.hidden = step !== 'phone';
    el.codeStep.hidden = step !== 'code';
    el.signedIn.hidden = step !== 'signed-in';
  }

  function toPhoneStep() {
    stopWebOtp();
    clearInterval(resendTimer);
    verification = null;
    el.code.value = '';
    show('phone');
    el.phone.focus();
  }

  function toCodeStep() {
    el.sentTo.textContent = verification.channel === 'voice'
      ? `We are calling ${verification.phone}: the call reads out the code.`
      : `We sent a code by ${CHANNEL_NAMES[verification.channel]} to ${verification.phone}.`;
    showAttempts();
    renderOtherChannels();
    el.code.value = '';
    show('code');
    el.code.focus();
    // Only an SMS carries the "@host #code" line that WebOTP reads.
    if (verification.channel === 'sms') startWebOtp();
    else stopWebOtp();
  }

  /** A button for every channel of the send's answer but the one that carried the code. */
  function renderOtherChannels() {
    const others = verification.channels.filter((channel) => channel !== verification.channel);
    el.otherChannels.replaceChildren(...others.map((channel) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary';
      button.dataset.channel = channel;
      button.textContent = SWITCH_LABELS[channel];
      return button;
    }));
    el.otherChannels.hidden = others.length === 0;
  }

  /** The channel picker of the phone step: shown when the country is offered more than one channel. */
  function renderChannelPicker(channels) {
    const options = channels.length > 1
      ? [['auto', `Automatic (${CHANNEL_NAMES[channels[0]]} first)`], ...channels.map((channel) => [channel, capitalised(CHANNEL_NAMES[channel])])]
      : [];
    el.channel.replaceChildren(...options.map(([value, text]) => new Option(text, value)));
    el.channelField.hidden = options.length === 0;
  }

  async function loadChannels() {
    const asked = ++channelsAsked;
    const result = await api(() => client.channels(el.country.value));
    if (asked !== channelsAsked) return;
    // Without an answer the picker stays hidden and a send lets the service choose (auto).
    renderChannelPicker(result.ok ? known(result.body.channels) : []);
  }

  function showAttempts() {
    const left = verification && verification.attemptsRemaining;
    el.attempts.textContent = Number.isFinite(left) ? `${plural(left, 'try', 'tries')} left.` : '';
  }

  // Counts down to resendAvailableAt, measured against the server's clock (its Date header):
  // "Resend code" and every other channel's button wait for it alike.
  function startResendCountdown(resendAvailableAt, serverNowMs) {
    const remainingMs = Date.parse(resendAvailableAt) - serverNowMs;
    resendAtMs = Date.now() + (Number.isNaN(remainingMs) ? 30_000 : Math.max(0, remainingMs));
    clearInterval(resendTimer);
    const tick = () => {
      const seconds = Math.ceil((resendAtMs - Date.now()) / 1000);
      const waiting = seconds > 0;
      el.resend.disabled = waiting;
      el.resend.textContent = waiting ? `Resend code in ${seconds} s` : 'Resend code';
      for (const button of el.otherChannels.querySelectorAll('button')) {
        const label = SWITCH_LABELS[button.dataset.channel];
        button.disabled = waiting;
        button.textContent = waiting ? `${label} (in ${seconds} s)` : label;
      }
      if (!waiting) clearInterval(resendTimer);
    };
    tick();
    resendTimer = setInterval(tick, 1000);
  }

  function toSignedIn(tokens, { moveFocus = true } = {}) {
    session = {
      accessToken: tokens.accessToken,
      expiresIn: tokens.expiresIn,
      sessionId: tokens.sessionId,
      user: tokens.user,
    };
    stopWebOtp();
    clearInterval(resendTimer);
    verification = null;
    el.code.value = '';
    renderSession();
    show('signed-in');
    if (moveFocus) el.signedInHeading.focus();
  }

  function renderSession() {
    el.signedInHeading.textContent = `Signed in as ${session.user.phone}`;
    el.userId.textContent = session.user.id;
    el.sessionId.textContent = session.sessionId;
    const claims = decodeJwtPayload(session.accessToken);
    el.claims.textContent = claims ? JSON.stringify(claims, null, 2) : '(could not decode the token)';
    el.tokenExpiry.textContent = claims && claims.exp
      ? `${new Date(claims.exp * 1000).toLocaleTimeString()} (in ${plural(session.expiresIn, 'second', 'seconds')})`
      : '';
  }

  function signedOut(message) {
    session = null;
    el.claims.textContent = '';
    toPhoneStep();
    say(message);
  }

  // Only the payload, only for display: the signature is checked by the services that trust it.
  function decodeJwtPayload(token) {
    try {
      const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
      const binary = atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '='));
      const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return null;
    }
  }

  // ---- WebOTP (Chrome on Android reads the SMS's "@host #code" line) -----------------------

  function startWebOtp() {
    stopWebOtp();
    if (!('OTPCredential' in window) || !navigator.credentials) return;
    const controller = new AbortController();
    webOtp = controller;
    navigator.credentials
      .get({ otp: { transport: ['sms'] }, signal: controller.signal })
      .then((credential) => {
        if (webOtp !== controller || !credential || !credential.code) return;
        webOtp = null;
        el.code.value = credential.code;
        el.codeForm.requestSubmit();
      })
      .catch(() => { /* aborted, denied or unsupported: the person types the code */ });
  }

  function stopWebOtp() {
    if (webOtp) webOtp.abort();
    webOtp = null;
  }

  // ---- Actions -----------------------------------------------------------------------------

  /**
   * Sends a code, or resends one to the open verification: `choice` is the channel asked for
   * (auto, sms, whatsapp, voice), `button` the one that asked. A resend keeps the verification
   * and makes a new code; the one sent before stops working.
   */
  async function sendCode({ choice, button, isResend }) {
    if (sending) return;
    const raw = el.phone.value.trim();
    if (!raw) {
      showError('Please enter your phone number.', el.phone);
      el.phone.focus();
      return;
    }
    // A number in full (+…) speaks for itself; national input needs the chosen country.
    const body = raw.startsWith('+') ? { phone: raw, channel: choice } : { phone: raw, country: el.country.value, channel: choice };
    sending = true;
    if (!(await withCaptcha(body, false))) {
      sending = false;
      return;
    }
    busy(button, true);
    showError('');
    say(isResend ? 'Sending a new code…' : 'Sending a code…');
    const result = await api(() => client.sendCode(body));
    sending = false;
    busy(button, false);
    if (!result.ok) {
      sendFailed({ ...result.body, requested: choice }, isResend);
      return;
    }
    verification = {
      verificationId: result.body.verificationId,
      phone: result.body.phone,
      attemptsRemaining: result.body.attemptsRemaining,
      channel: known([result.body.channel])[0] || 'sms',
      channels: known(result.body.channels),
      choice,
    };
    say(isResend ? `A new code is on its way to ${result.body.phone}. The code sent before no longer works.` : `Code sent to ${result.body.phone}.`);
    toCodeStep();
    startResendCountdown(result.body.resendAvailableAt, serverNowMs);
  }

  function sendFailed(problem, isResend) {
    say('');
    const offered = known(problem.channels);
    // The service names the channels this number may use: offer exactly those.
    if (problem.code === 'channel_unavailable' && isResend && verification) {
      verification.channels = offered;
      renderOtherChannels();
    } else if (problem.code === 'channel_unavailable') {
      renderChannelPicker(offered);
    }
    const field = isResend ? null : problem.code === 'channel_unavailable' && !el.channelField.hidden ? el.channel : el.phone;
    showError(sentence(problem), field);
    if (problem.code === 'resend_too_soon' && Number(problem.retryAfterSeconds) > 0) {
      startResendCountdown(new Date(Date.now() + problem.retryAfterSeconds * 1000).toISOString(), Date.now());
    }
    (isResend ? el.code : field).focus();
  }

  async function verifyCode() {
    stopWebOtp();
    const code = el.code.value.replace(/\s+/g, '');
    if (!/^[0-9]{4,10}$/.test(code)) {
      showError('Please enter the digits of the code.', el.code);
      el.code.focus();
      return;
    }
    const body = { verificationId: verification.verificationId, code };
    if (!(await withCaptcha(body, true))) return;
    busy(el.verify, true);
    showError('');
    say('Checking the code…');
    const result = await api(() => client.verifyCode(body));
    busy(el.verify, false);
    if (result.ok) {
      say('');
      toSignedIn(result.body);
      return;
    }
    say('');
    const problem = result.body;
    if (problem.code === 'invalid_code' && Number.isFinite(Number(problem.attemptsRemaining))) {
      verification.attemptsRemaining = Number(problem.attemptsRemaining);
      showAttempts();
    }
    showError(sentence(problem), el.code);
    el.code.select();
    el.code.focus();
  }

  async function refresh() {
    if (!session) return;
    busy(el.refresh, true);
    showError('');
    // One refresh per session at a time, however often this is clicked (the SDK's single-flight).
    const result = await api(() => client.refresh());
    busy(el.refresh, false);
    if (!result.ok) {
      const problem = result.body;
      if (['invalid_refresh_token', 'refresh_token_reused', 'unauthorized', 'not_signed_in'].includes(problem.code)) {
        signedOut('');
      }
      showError(sentence(problem));
      return;
    }
    toSignedIn({ ...result.body, user: result.body.user || session.user }, { moveFocus: false });
    say('Tokens refreshed: a new access token and a new refresh token.');
  }

  async function signOut() {
    if (!session) return;
    busy(el.signOut, true);
    // The SDK refreshes an expired access token first, and takes an ended session for signed out.
    const result = await api(() => client.logout());
    busy(el.signOut, false);
    if (result.ok) {
      showError('');
      signedOut('You are signed out.');
      return;
    }
    showError(sentence(result.body));
  }

  // ---- Wiring ------------------------------------------------------------------------------

  el.phoneForm.addEventListener('submit', (event) => {
    event.preventDefault();
    // Without a picker (one channel, or none known yet) the service picks: auto.
    void sendCode({ choice: el.channelField.hidden ? 'auto' : el.channel.value, button: el.send, isResend: false });
  });
  el.codeForm.addEventListener('submit', (event) => { event.preventDefault(); void verifyCode(); });
  el.resend.addEventListener('click', () => { void sendCode({ choice: verification.choice, button: el.resend, isResend: true }); });
  el.otherChannels.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-channel]');
    if (button) void sendCode({ choice: button.dataset.channel, button, isResend: true });
  });
  el.country.addEventListener('change', () => { void loadChannels(); });
  el.changePhone.addEventListener('click', () => { showError(''); say(''); toPhoneStep(); });
  el.refresh.addEventListener('click', () => { void refresh(); });
  el.signOut.addEventListener('click', () => { void signOut(); });
  void loadChannels();
  void setUpCaptcha();
  document.documentElement.dataset.ready = 'true';
}
