#!/bin/sh
# The image's entrypoint: starts as root only to make the secrets readable, then runs the command
# as the unprivileged user. Compose (and `docker run -v`) mount a file secret with the host file's
# owner and mode, so a key made as root by `openssl genpkey` or `npm run keys:generate` (mode 0600)
# cannot be read by that user. Changing the mounted file would change the host's file; instead
# every file under the secrets folder is copied, as root, into a folder only the user can read,
# and each *_FILE variable pointing into the secrets folder is pointed at the copy.
# OTP_HMAC_SECRET_FILE (read by this script, not by the service) fills OTP_HMAC_SECRET.
# Started as any other user (`docker run --user`, Kubernetes runAsUser), it changes nothing and
# runs the command as that user. Settings, for tests: PHONE_AUTH_SECRETS_SOURCE (/run/secrets),
# PHONE_AUTH_SECRETS_DIR (/run/phone-auth/secrets), PHONE_AUTH_USER (node).
set -eu

source_dir=${PHONE_AUTH_SECRETS_SOURCE:-/run/secrets}
copy_dir=${PHONE_AUTH_SECRETS_DIR:-/run/phone-auth/secrets}
run_as=${PHONE_AUTH_USER:-node}
unset PHONE_AUTH_SECRETS_SOURCE PHONE_AUTH_SECRETS_DIR PHONE_AUTH_USER

if [ "$(id -u)" = 0 ]; then
  if [ -d "$source_dir" ]; then
    rm -rf "$copy_dir"
    mkdir -p "$copy_dir"
    cp -RL "$source_dir/." "$copy_dir/"
    chown -R "$run_as:" "$copy_dir"
    chmod -R u=rX,go= "$copy_dir"
    # Variable names only ([A-Z0-9_]), so the eval below reads a variable and runs nothing else.
    for name in $(env | sed -n "s|^\([A-Za-z_][A-Za-z0-9_]*_FILE\)=$source_dir/.*|\1|p"); do
      eval "value=\${$name}"
      export "$name=$copy_dir/${value#"$source_dir"/}"
    done
  fi
  if [ -n "${OTP_HMAC_SECRET_FILE:-}" ]; then
    OTP_HMAC_SECRET=$(cat "$OTP_HMAC_SECRET_FILE")
    export OTP_HMAC_SECRET
    unset OTP_HMAC_SECRET_FILE
  fi
  exec setpriv --reuid="$run_as" --regid="$(id -g "$run_as")" --init-groups --no-new-privs -- "$@"
fi

if [ -n "${OTP_HMAC_SECRET_FILE:-}" ]; then
  OTP_HMAC_SECRET=$(cat "$OTP_HMAC_SECRET_FILE")
  export OTP_HMAC_SECRET
  unset OTP_HMAC_SECRET_FILE
fi
exec "$@"
