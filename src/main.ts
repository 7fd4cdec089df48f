import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { ShutdownState } from './health/shutdown-state.js';
import { configureApp, fastifyOptions } from './app.setup.js';
import { EnvironmentError, validateEnvironment } from './config/environment.js';
import { publicUrlOf } from './config/app.config.js';

async function bootstrap(): Promise<void> {
  let env;
  try {
    env = validateEnvironment(process.env);
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(env),
    new FastifyAdapter(fastifyOptions(env.TRUST_PROXY, publicUrlOf(env))),
    { bufferLogs: true },
  );
  const logger = app.get(Logger);
  app.useLogger(logger);
  await configureApp(app);
  // Our own signal handling rather than enableShutdownHooks, which re-raises the signal after
  // closing and so exits 143: an orderly stop exits 0, a stop that outlasts 10 s exits 1.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => process.exit(1), 10_000).unref();
      app
        .get(ShutdownState)
        .drain(signal)
        .then(() => app.close())
        .then(
          () => process.exit(0),
          () => process.exit(1),
        );
    });
  }
  await app.listen(env.PORT, env.HOST);
  logger.log(`phone-auth listening on ${env.HOST} port ${env.PORT}`, 'Bootstrap');
}

await bootstrap();
