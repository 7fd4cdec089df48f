// class-transformer helpers shared by the modules' environment classes: environment variables
// arrive as strings, and each setting says how it is read.

type Raw = { value: unknown };

export const toInt = ({ value }: Raw) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value);

export const toList = ({ value }: Raw) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter((item) => item !== '')
    : value;

export const toUpper = ({ value }: Raw) => (typeof value === 'string' ? value.toUpperCase() : value);

export const toUpperEach = ({ value }: Raw) => (Array.isArray(value) ? value.map((item) => String(item).toUpperCase()) : value);

export const toBoolean = ({ value }: Raw) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;

export const emptyToUndefined = ({ value }: Raw) => (value === '' ? undefined : value);

export const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };
