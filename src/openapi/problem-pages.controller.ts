import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import type { ConfigType } from '@nestjs/config';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { DomainError, ERROR_CODES } from '../common/errors/domain.error.js';
import { problemSlugOf, PROBLEMS_PATH } from '../common/errors/problem-details.js';
import { appConfig } from '../config/app.config.js';
import { PROBLEM_PAGE_CONTENT_SECURITY_POLICY, problemIndexPage, problemPage } from './problem-pages.js';

/**
 * The pages behind the problem `type` URLs, so that each one resolves: documentation for people,
 * not API operations, and so left out of the OpenAPI document (whose ProblemDetails schema says
 * that its `type` resolves; test/e2e/openapi lists these routes as undocumented).
 */
@ApiExcludeController()
@Controller(PROBLEMS_PATH.slice(1))
export class ProblemPagesController {
  private readonly pages: Map<string, string>;
  private readonly index = problemIndexPage();

  constructor(@Inject(appConfig.KEY) app: ConfigType<typeof appConfig>) {
    // Built once at boot: a request only looks a page up, and no path reaches anything else.
    this.pages = new Map(ERROR_CODES.map((code) => [problemSlugOf(code), problemPage(code, app.publicUrl)]));
  }

  @Get()
  list(@Res({ passthrough: true }) reply: FastifyReply): string {
    return this.serve(this.index, reply);
  }

  @Get(':slug')
  page(@Param('slug') slug: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    const page = this.pages.get(slug);
    if (page === undefined) throw new DomainError('not_found', 'No such problem type.');
    return this.serve(page, reply);
  }

  private serve(page: string, reply: FastifyReply): string {
    void reply
      .header('Content-Type', 'text/html; charset=utf-8')
      .header('Content-Security-Policy', PROBLEM_PAGE_CONTENT_SECURITY_POLICY)
      .header('Cache-Control', 'public, max-age=3600');
    return page;
  }
}
