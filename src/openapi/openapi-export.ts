import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module.js';
import { configureApp, fastifyOptions } from '../app.setup.js';
import { publicUrlOf } from '../config/app.config.js';
import { validateEnvironment } from '../config/environment.js';
import { OPENAPI_JSON_PATH } from './openapi.js';

/** Where `npm run openapi:export` writes the document, from the package root; a test checks it. */
export const EXPORTED_OPENAPI_FILE = 'docs/openapi.json';

/**
 * The OpenAPI document exactly as the service serves it at /docs/openapi.json on its embedded
 * defaults (nothing read from process.env), as the text of docs/openapi.json. The app boots as
 * main.ts boots it and answers one request; only its logging is silenced, which the document
 * does not depend on.
 */
export async function exportedOpenApiDocument(): Promise<string> {
  const env = validateEnvironment({ LOG_LEVEL: 'fatal' });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(env),
    new FastifyAdapter(fastifyOptions(env.TRUST_PROXY, publicUrlOf(env))),
    { logger: false, abortOnError: false },
  );
  try {
    await configureApp(app);
    await app.init();
    const response = await app.getHttpAdapter().getInstance().inject({ method: 'GET', url: OPENAPI_JSON_PATH });
    if (response.statusCode !== 200) throw new Error(`GET ${OPENAPI_JSON_PATH} answered ${response.statusCode}`);
    // Pretty-printed so that a change to the API reads as a small diff in review.
    return `${JSON.stringify(JSON.parse(response.body), null, 2)}\n`;
  } finally {
    await app.close();
  }
}
