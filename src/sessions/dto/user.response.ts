import { ApiProperty } from '@nestjs/swagger';
import { EXAMPLE_USER_ID } from '../../openapi/examples.js';

export class UserResponse {
  @ApiProperty({ example: EXAMPLE_USER_ID, description: 'Stable for a phone number.' })
  id!: string;

  @ApiProperty({ example: '+919876543210' })
  phone!: string;

  static of(user: { id: string; phone: string }): UserResponse {
    return Object.assign(new UserResponse(), { id: user.id, phone: user.phone } satisfies UserResponse);
  }
}
