import { DomainError } from './domain.error.js';

/** A phone change to a number another account holds: said without saying whose, nor anything about it. */
export function phoneInUse(): DomainError {
  return new DomainError('phone_in_use', 'This phone number is already used by another account.');
}
