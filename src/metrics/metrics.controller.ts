import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Metrics } from './metrics.service.js';
import { ApiPublic } from '../openapi/api-public.decorator.js';

@ApiTags('operations')
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @ApiOperation({
    summary: 'Prometheus metrics',
    description:
      'Text exposition format 0.0.4: sends, verifications, sessions, throttling, provider calls and circuits, HTTP latency by route pattern, process metrics. No phone numbers, codes or tokens. Expose it to your scraper only.',
  })
  @ApiProduces('text/plain')
  @ApiResponse({ status: 200, description: 'The metrics.' })
  @ApiPublic()
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
