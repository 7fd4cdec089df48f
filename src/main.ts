import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module.js';
import { ShutdownState } from './health/shutdown-state.js';
import { configureApp, fastifyOptions } from './app.setup.js';
import { EnvironmentError, validateEnvironment } from './config/environment.js';
import { publicUrlOf } from './config/app.config.js';
import { describeListenError, listenProblem } from './common/net/listen-problem.js';

/** A refusal to start: one line, no stack trace, exit 1. */
function refuse(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

async function bootstrap(): Promise<void> {
  let env;
  try {
    env = validateEnvironment(process.env);
  } catch (error) {
    if (!(error instanceof EnvironmentError)) throw error;
    refuse(error.message);
  }
  const addressProblem = await listenProblem(env.HOST, env.PORT);
  if (addressProblem !== undefined) refuse(addressProblem);
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
  // Taken in the instant since the probe above: the same line, after Nest's startup lines.
  await app.listen(env.PORT, env.HOST).catch((error: unknown) => refuse(describeListenError(error, env.HOST, env.PORT) ?? `cannot listen on ${env.HOST} port ${env.PORT}: ${String(error)}`));
  logger.log(`phone-auth listening on ${env.HOST} port ${env.PORT}`, 'Bootstrap');
}

await bootstrap();
