import { readFileSync } from 'node:fs';
import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { ConfigType } from '@nestjs/config';
import type { FastifyReply } from 'fastify';
import { captchaConfig } from '../captcha/captcha.config.js';
import { captchaWidgetOf, type CaptchaWidget } from '../captcha/captcha-widget.js';
import { DomainError } from '../common/errors/domain.error.js';
import { appConfig } from '../config/app.config.js';

const BASE_POLICY: [string, ...string[]][] = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  ['style-src', "'self'"],
  ['img-src', "'self'", 'data:'],
  ['connect-src', "'self'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
  ['frame-ancestors', "'none'"],
];

/**
 * No inline script or style, and the page talks to its own origin only; with a CAPTCHA
 * configured, also to that provider's widget origins (its script, frames and calls), no others.
 */
export function demoContentSecurityPolicy(widget?: CaptchaWidget): string {
  const directives = BASE_POLICY.map(([name, ...sources]) => [name, ...sources, ...(widget?.sources[name as keyof CaptchaWidget['sources']] ?? [])]);
  if (widget?.sources['frame-src']) directives.splice(5, 0, ['frame-src', ...widget.sources['frame-src']]);
  return directives.map((directive) => directive.join(' ')).join('; ');
}

export const DEMO_CONTENT_SECURITY_POLICY = demoContentSecurityPolicy();

// A fixed list, so no request path ever reaches the file system.
const ASSETS = {
  page: { file: 'index.html', type: 'text/html; charset=utf-8' },
  script: { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  style: { file: 'app.css', type: 'text/css; charset=utf-8' },
} as const;
type AssetName = keyof typeof ASSETS;

// src/demo/public under Jest and ts sources, dist/demo/public once built (nest-cli.json assets).
const PUBLIC_DIR = new URL('./public/', import.meta.url);

/** A page and its assets, not an API: left out of the OpenAPI document (test/e2e/openapi lists them). */
@ApiExcludeController()
@Controller()
export class DemoController {
  private readonly contents: Map<AssetName, string> | undefined;
  private readonly contentSecurityPolicy: string;
  /** What the page needs to render the bot check: null when CAPTCHA_MODE is off. */
  private readonly captcha: { provider: string; siteKey: string; action: string; scriptUrl: string; onVerify: boolean } | null;

  constructor(
    @Inject(appConfig.KEY) app: ConfigType<typeof appConfig>,
    @Inject(captchaConfig.KEY) captcha: ConfigType<typeof captchaConfig>,
  ) {
    const widget = captcha.provider ? captchaWidgetOf(captcha.provider, captcha.siteKey) : undefined;
    this.contentSecurityPolicy = demoContentSecurityPolicy(widget);
    this.captcha =
      captcha.provider && widget
        ? { provider: captcha.provider, siteKey: captcha.siteKey, action: captcha.expectedAction, scriptUrl: widget.scriptUrl, onVerify: captcha.onVerify }
        : null;
    // Read once at boot: a missing file fails the start, not the first visitor.
    this.contents = app.demoPage
      ? new Map((Object.keys(ASSETS) as AssetName[]).map((name) => [name, readFileSync(new URL(ASSETS[name].file, PUBLIC_DIR), 'utf8')]))
      : undefined;
  }

  @Get()
  @Header('Referrer-Policy', 'no-referrer')
  page(@Res({ passthrough: true }) reply: FastifyReply) {
    const page = this.serve('page', reply);
    void reply.header('Content-Security-Policy', this.contentSecurityPolicy);
    return page;
  }

  /** The page's settings: the bot check's provider, public site key, action and widget script. */
  @Get('demo/config.json')
  @Header('Cache-Control', 'no-cache')
  config() {
    if (this.contents === undefined) throw new DomainError('not_found', 'No such resource.');
    return { captcha: this.captcha };
  }

  @Get('demo/app.js')
  script(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.serve('script', reply);
  }

  @Get('demo/app.css')
  style(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.serve('style', reply);
  }

  private serve(name: AssetName, reply: FastifyReply): string {
    const content = this.contents?.get(name);
    if (content === undefined) throw new DomainError('not_found', 'No such resource.');
    void reply.header('Content-Type', ASSETS[name].type).header('X-Content-Type-Options', 'nosniff').header('Cache-Control', 'no-cache');
    return content;
  }
}
