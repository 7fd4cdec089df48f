import { DomainError } from './domain.error.js';

/**
 * The one answer a banned user's number gets on send, verify and login, whoever asks: no reason,
 * no end, no user id (an anonymous caller learns that the number may not sign in now, nothing more).
 */
export function userBanned(): DomainError {
  return new DomainError('user_banned', 'This phone number cannot be used to sign in.');
}
