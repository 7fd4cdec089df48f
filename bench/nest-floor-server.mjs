// The `nest-floor` case of `npm run bench`, in a process of its own: the least a NestJS route of
// this stack costs. A minimal NestJS 12 app on @nestjs/platform-fastify: one controller, one
// POST route, a DTO of `phone` (string) and `code` (6 digits) checked by the global
// ValidationPipe (whitelist, forbidNonWhitelisted), answering 200 {"ok":true}. No guards,
// interceptors, filters, logging or I/O of its own: it is the yardstick, keep it that plain.
// Plain .mjs has no decorator syntax on Node 20, so the decorators are applied as functions.
// Usage: node bench/nest-floor-server.mjs PORT
import 'reflect-metadata';
import { Body, Controller, Get, HttpCode, Module, Post, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { IsString, Matches } from 'class-validator';

const port = Number(process.argv[2]);

class CheckDto {}
IsString()(CheckDto.prototype, 'phone');
Matches(/^[0-9]{6}$/)(CheckDto.prototype, 'code');

class FloorController {
  check() {
    return { ok: true };
  }
  health() {
    return { ok: true };
  }
}
const proto = FloorController.prototype;
/** What a TypeScript decorator on a method does: the decorator may replace the descriptor. */
function decorateMethod(name, ...decorators) {
  let descriptor = Object.getOwnPropertyDescriptor(proto, name);
  for (const decorator of decorators.reverse()) descriptor = decorator(proto, name, descriptor) ?? descriptor;
  Object.defineProperty(proto, name, descriptor);
}
// The parameter's type, as `emitDecoratorMetadata` would record it: the pipe validates by it.
Reflect.defineMetadata('design:paramtypes', [CheckDto], proto, 'check');
Body()(proto, 'check', 0);
decorateMethod('check', Post('check'), HttpCode(200));
// The readiness probe of the benchmark's process starter (not measured).
decorateMethod('health', Get('health'));
Controller('floor')(FloorController);

class FloorModule {}
Module({ controllers: [FloorController] })(FloorModule);

const app = await NestFactory.create(FloorModule, new FastifyAdapter({ bodyLimit: 16 * 1024 }), { logger: false });
app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }));
await app.listen(port, '127.0.0.1');
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => {
    app.close().finally(() => process.exit(0));
  });
}
