import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Controller, Get, Header, Inject, Param, Res } from '@nestjs/common';
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

const SDK_PACKAGE = '@phone-auth/client';
const SDK_TYPE = 'text/javascript; charset=utf-8';

/**
 * The client SDK's browser build, which the page imports as ES modules from /demo/sdk/: every
 * module of packages/client/dist (its build, made by `npm start`, `npm test` and `npm run build`),
 * by file name. Read at boot; a missing build fails the start and names the command.
 */
function readSdkModules(): Map<string, string> {
  try {
    // The package's entry point, found as Node finds it (the workspace link in node_modules).
    const dir = dirname(createRequire(import.meta.url).resolve(SDK_PACKAGE));
    const names = readdirSync(dir).filter((name) => name.endsWith('.js'));
    if (!names.includes('index.js')) throw new Error('no index.js');
    return new Map(names.map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
  } catch (error) {
    throw new Error(
      `The demo page needs the client SDK's build (${SDK_PACKAGE}, packages/client/dist), which is missing (${error instanceof Error ? error.message : String(error)}). ` +
        'Run `npm run build -w @phone-auth/client` (npm start, npm test and npm run build do), or set DEMO_PAGE=false.',
    );
  }
}

/** A page and its assets, not an API: left out of the OpenAPI document (test/e2e/openapi lists them). */
@ApiExcludeController()
@Controller()
export class DemoController {
  private readonly contents: Map<AssetName, string> | undefined;
  private readonly sdk: Map<string, string> | undefined;
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
    this.sdk = app.demoPage ? readSdkModules() : undefined;
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

  /** The client SDK's modules (app.js imports /demo/sdk/index.js): looked up by name, never a path. */
  @Get('demo/sdk/:module')
  sdkModule(@Param('module') name: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    return this.reply(this.sdk?.get(name), SDK_TYPE, reply);
  }

  @Get('demo/app.css')
  style(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.serve('style', reply);
  }

  private serve(name: AssetName, reply: FastifyReply): string {
    return this.reply(this.contents?.get(name), ASSETS[name].type, reply);
  }

  private reply(content: string | undefined, type: string, reply: FastifyReply): string {
    if (content === undefined) throw new DomainError('not_found', 'No such resource.');
    void reply.header('Content-Type', type).header('X-Content-Type-Options', 'nosniff').header('Cache-Control', 'no-cache');
    return content;
  }
}
