import { ApiOperation, DECORATORS } from '@nestjs/swagger';
import { ApiPublic } from './api-public.decorator.js';

class Routes {
  @ApiPublic()
  @ApiOperation({ summary: 'Public, said above the operation' })
  above() {}

  @ApiOperation({ summary: 'Public, said below the operation' })
  @ApiPublic()
  below() {}
}

describe(ApiPublic.name, () => {
  it('gives the operation an empty security requirement, whichever side of @ApiOperation it is on', () => {
    expect(Reflect.getMetadata(DECORATORS.API_OPERATION, Routes.prototype.above)).toEqual({ summary: 'Public, said above the operation', security: [] });
    expect(Reflect.getMetadata(DECORATORS.API_OPERATION, Routes.prototype.below)).toEqual({ summary: 'Public, said below the operation', security: [] });
  });
});
