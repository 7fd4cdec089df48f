import { readFileSync } from 'node:fs';

/** What a `*_FILE` setting names: the file's text, or the boot problem that keeps it from being read. */
export type SettingFile = { text: string; problem?: undefined } | { text?: undefined; problem: string };

/**
 * Reads the file named by a `*_FILE` setting at boot. A missing or unreadable file is a boot
 * problem that names the setting, the path and the reason; the text itself is never in a message.
 */
export function readSettingFile(name: string, path: string): SettingFile {
  try {
    return { text: readFileSync(path, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: `${name} names a file that cannot be read: ${path}${code ? ` (${code})` : ''}` };
  }
}

/** A secret kept in a file (a Docker or Kubernetes secret): its text without the trailing newline an editor or `echo` adds. */
export function readSecretFile(name: string, path: string): SettingFile {
  const file = readSettingFile(name, path);
  if (file.text === undefined) return file;
  const text = file.text.replace(/\r?\n$/, '');
  return text === '' ? { problem: `${name} names an empty file: ${path}` } : { text };
}
