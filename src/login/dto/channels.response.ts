import { ApiProperty } from '@nestjs/swagger';
import { type Channel, CHANNELS } from '../../common/channel.js';

export class ChannelsResponse {
  @ApiProperty({ type: 'string', nullable: true, example: 'IN', description: 'The country asked about; null for any other country.' })
  country!: string | null;

  @ApiProperty({
    type: 'array',
    items: { type: 'string', enum: [...CHANNELS] },
    example: ['whatsapp', 'sms', 'voice'],
    description: 'The channels a send may name for this country, in the order `auto` tries them.',
  })
  channels!: Channel[];

  static of(country: string | undefined, channels: Channel[]): ChannelsResponse {
    return Object.assign(new ChannelsResponse(), { country: country ?? null, channels } satisfies ChannelsResponse);
  }
}
