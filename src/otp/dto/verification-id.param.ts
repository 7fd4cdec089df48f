import { Matches } from 'class-validator';
import { VERIFICATION_ID_PATTERN } from '../verification-id.js';

export class VerificationIdParam {
  @Matches(VERIFICATION_ID_PATTERN, { message: 'id is not a verification id' })
  id!: string;
}
