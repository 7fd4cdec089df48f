import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class RefreshDto {
  @ApiProperty({ maxLength: 200, example: 'ses_Q2x8mVb3Kd9LpR4tYw7Zn1.AAAAAFu2t0RoVuYnnQYKZJKcwaM7RFa_xFza3QwAAgJtoxD2lfp3BSTyT3VG6mGvJ4K2-w', description: 'The refresh token of the last pair; it is spent by this call.' })
  @IsString()
  @MaxLength(200)
  refreshToken!: string;
}
