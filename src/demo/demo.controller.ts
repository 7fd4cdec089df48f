import { readFileSync } from 'node:fs';
import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { ConfigType } from '@nestjs/config';
import type { FastifyReply } from 'fastify';
import { DomainError } from '../common/errors/domain.error.js';
import { appConfig } from '../config/app.config.js';

/** No inline script or style, and the page talks to its own origin only. */
export const DEMO_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

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

  constructor(@Inject(appConfig.KEY) app: ConfigType<typeof appConfig>) {
    // Read once at boot: a missing file fails the start, not the first visitor.
    this.contents = app.demoPage
      ? new Map((Object.keys(ASSETS) as AssetName[]).map((name) => [name, readFileSync(new URL(ASSETS[name].file, PUBLIC_DIR), 'utf8')]))
      : undefined;
  }

  @Get()
  @Header('Content-Security-Policy', DEMO_CONTENT_SECURITY_POLICY)
  @Header('Referrer-Policy', 'no-referrer')
  page(@Res({ passthrough: true }) reply: FastifyReply) {
    return this.serve('page', reply);
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
