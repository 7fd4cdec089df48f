import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class RefreshDto {
  @ApiProperty({ maxLength: 200, example: 'ses_Q2x8mVb3Kd9LpR4tYw7Zn1.q3Xv8nB2kLw5RmT9yZa1cD4fG7hJ0pQsUe6iO8rNt2M', description: 'The refresh token of the last pair; it is spent by this call.' })
  @IsString()
  @MaxLength(200)
  refreshToken!: string;
}
