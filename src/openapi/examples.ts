/**
 * Example values of the OpenAPI document, consistent with each other (one login of +919876543210):
 * shared by the response DTOs and the controllers' example bodies.
 */

export const EXAMPLE_VERIFICATION_ID = 'Hk3q9VdQxJ2mT0aZ8bW1cE5fG7hK4nPpRrSsTt';
export const EXAMPLE_SESSION_ID = 'ses_Q2x8mVb3Kd9LpR4tYw7Zn1';
export const EXAMPLE_USER_ID = 'usr_7NcV2kLm9QpR3sTx5YzA1b';
export const EXAMPLE_ACCESS_TOKEN = 'eyJhbGciOiJFUzI1NiIsImtpZCI6Ik56YkxzWGg4dURDY2QiLCJ0eXAiOiJhdCtqd3QifQ.eyJzdWIiOiJ1c3JfN05jVjJrTG05UXBSM3NUeDVZekExYiJ9.c2lnbmF0dXJl';
export const EXAMPLE_REFRESH_TOKEN = `${EXAMPLE_SESSION_ID}.AAAAAFu2t0RoVuYnnQYKZJKcwaM7RFa_xFza3QwAAgJtoxD2lfp3BSTyT3VG6mGvJ4K2-w`;
