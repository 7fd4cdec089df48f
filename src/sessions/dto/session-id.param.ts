import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';

export class SessionIdParam {
  @ApiProperty({ pattern: '^ses_[A-Za-z0-9_-]{22}$', example: 'ses_Q2x8mVb3Kd9LpR4tYw7Zn1' })
  @Matches(/^ses_[A-Za-z0-9_-]{22}$/, { message: 'id is not a session id' })
  id!: string;
}

export class UserIdParam {
  @ApiProperty({ pattern: '^usr_[A-Za-z0-9_-]{22}$', example: 'usr_7NcV2kLm9QpR3sTx5YzA1b' })
  @Matches(/^usr_[A-Za-z0-9_-]{22}$/, { message: 'userId is not a user id' })
  userId!: string;
}
