import { DECORATORS } from '@nestjs/swagger';

/**
 * Documents an operation that takes no credentials at all: `security: []`. Said on purpose rather
 * than left out, so a route missing its security in the document is a lint error (Redocly's
 * `security-defined`), not silently public. Nest drops an empty @ApiSecurity list, so the empty
 * requirement goes into the operation's own metadata, before or after @ApiOperation alike.
 */
export function ApiPublic(): MethodDecorator {
  return (_target, _key, descriptor) => {
    const operation: object | undefined = Reflect.getMetadata(DECORATORS.API_OPERATION, descriptor.value as object);
    Reflect.defineMetadata(DECORATORS.API_OPERATION, { ...operation, security: [] }, descriptor.value as object);
    return descriptor;
  };
}
