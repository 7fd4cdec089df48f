import { Module } from '@nestjs/common';
import { ProblemPagesController } from './problem-pages.controller.js';

/** The page behind each problem `type` URL (`<PUBLIC_URL>/problems/<code>`). */
@Module({ controllers: [ProblemPagesController] })
export class ProblemPagesModule {}
