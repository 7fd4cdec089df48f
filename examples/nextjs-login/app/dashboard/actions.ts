'use server';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { endSession } from '../../lib/phone-auth';
import { clearSessionCookies, cookieNames } from '../../lib/session';

/** Ends the session at phone-auth (POST /v1/sessions/logout), then here. */
export async function signOut(): Promise<void> {
  const jar = await cookies();
  const names = cookieNames();
  const refreshToken = jar.get(names.refresh)?.value;
  if (refreshToken) {
    try {
      // With the access token when its cookie is still there; otherwise the client refreshes first.
      await endSession(refreshToken, jar.get(names.access)?.value);
    } catch (error) {
      // Already ended, or phone-auth is down: the cookies go anyway.
      console.warn(`logout at phone-auth failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  clearSessionCookies(jar);
  redirect('/login');
}
