'use client';
import { useActionState } from 'react';
import { loginAction, type LoginState } from './actions';

export function LoginForm() {
  const [state, action, pending] = useActionState<LoginState, FormData>(loginAction, { step: 'phone' });

  const error = state.error ? (
    <p className="error" role="alert">
      {state.error}
    </p>
  ) : null;

  if (state.step === 'phone') {
    return (
      <form action={action}>
        <input type="hidden" name="intent" value="send" />
        <label htmlFor="phone">Phone number</label>
        <input
          id="phone"
          name="phone"
          type="tel"
          autoComplete="tel"
          placeholder="+91 98765 43210"
          defaultValue={state.phone}
          aria-describedby="phone-hint"
          required
        />
        <p id="phone-hint" className="hint">
          With + and the country code.
        </p>
        {error}
        <button type="submit" disabled={pending}>
          {pending ? 'Sending…' : 'Send code'}
        </button>
      </form>
    );
  }

  return (
    <>
      {state.notice ? (
        <p className="notice" role="status">
          {state.notice}
        </p>
      ) : null}
      <form action={action}>
        <input type="hidden" name="intent" value="verify" />
        <label htmlFor="code">Code</label>
        <input
          // a new element per answer, so focus and the typed code reset after an error
          key={state.error ?? 'code'}
          id="code"
          name="code"
          type="text"
          autoComplete="one-time-code"
          inputMode="numeric"
          pattern="[0-9]*"
          maxLength={10}
          autoFocus
          required
        />
        {error}
        <button type="submit" disabled={pending}>
          {pending ? 'Checking…' : 'Sign in'}
        </button>
      </form>
      <div className="row">
        <form action={action}>
          <input type="hidden" name="intent" value="send" />
          <input type="hidden" name="phone" value={state.phone ?? ''} />
          <button type="submit" className="link" disabled={pending}>
            Send a new code
          </button>
        </form>
        <form action={action}>
          <input type="hidden" name="intent" value="restart" />
          <button type="submit" className="link" disabled={pending}>
            Use another number
          </button>
        </form>
      </div>
    </>
  );
}
