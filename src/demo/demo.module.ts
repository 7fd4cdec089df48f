import { Module } from '@nestjs/common';
import { DemoController } from './demo.controller.js';

/** The demo login page at `/` (DEMO_PAGE; on by default outside production). */
@Module({ controllers: [DemoController] })
export class DemoModule {}
