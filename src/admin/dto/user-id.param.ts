import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { EXAMPLE_USER_ID } from '../../openapi/examples.js';

export class AdminUserIdParam {
  @ApiProperty({ pattern: '^usr_[A-Za-z0-9_-]{22}$', example: EXAMPLE_USER_ID })
  @Matches(/^usr_[A-Za-z0-9_-]{22}$/, { message: 'id is not a user id' })
  id!: string;
}
