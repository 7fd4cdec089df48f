import { ValidationError, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';
import { classToPlain, plainToInstance } from 'class-transformer';
import { DomainError } from '../errors/domain.error.js';

/**
 * The validation of every request body, query and path parameter: unknown fields refused, each
 * fault listed without echoing raw input. Global (app.setup.ts); a pipe that picks a body's class
 * itself (the OAuth token request) runs it too.
 */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: true,
    // class-transformer and class-validator recurse into nested values: a 16 KiB body of
    // `[[[[…]]]]` overflowed the stack (500). Too-deep values are refused before they recurse.
    transformerPackage: shallowTransformer,
    exceptionFactory: (errors) =>
      new DomainError('validation_failed', 'The request has invalid or unknown fields.', {
        errors: errors.flatMap((error) => describe(error)),
      }),
  });
}

/** Deeper than any request of the API (its bodies are flat), far below what overflows the stack. */
const MAX_NESTING = 32;

const shallowTransformer: NonNullable<ValidationPipeOptions['transformerPackage']> = {
  plainToInstance: (cls, plain, options) => {
    if (nestingOf(plain) > MAX_NESTING) {
      throw new DomainError('validation_failed', 'The request is nested too deeply.', {
        errors: [{ field: '', message: `values may be nested at most ${MAX_NESTING} levels deep` }],
      });
    }
    return plainToInstance(cls, plain, options);
  },
  classToPlain: (object, options) => classToPlain(object, options),
};

/** How deep objects and arrays nest in `value`, counted without recursion. */
function nestingOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (current === null || typeof current !== 'object') continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > MAX_NESTING) return deepest;
    for (const item of Object.values(current)) stack.push([item, depth + 1]);
  }
  return deepest;
}

/** A field name worth echoing; anything else (a token sent as a form key, 10 kB of junk) is not. */
const ECHOABLE_FIELD = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/;

function describe(error: ValidationError, parent = ''): { field: string; message: string }[] {
  const name = ECHOABLE_FIELD.test(error.property) ? error.property : '(unknown field)';
  const field = parent ? `${parent}.${name}` : name;
  // class-validator's whitelist message repeats the raw property name: ours does not.
  const own = Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({
    field,
    message: constraint === 'whitelistValidation' ? `${field} is not an allowed field` : message,
  }));
  return own.concat((error.children ?? []).flatMap((child) => describe(child, field)));
}
