// The names a caller may have in Kubernetes, and how they travel in Impersonate-User / Impersonate-Group.
//
// A name must reach the API server exactly as it was checked. HTTP does not carry every string as it is:
// fetch and HTTP/1.1 stacks (Go's net/textproto among them, so kube-apiserver itself over HTTP/1.1, and any
// proxy in front of it) drop white space around a header value, so " system:masters" arrives as
// "system:masters"; control characters end a header or are refused; and a header holds bytes, not characters.
// So a name is refused when it is empty, has white space or an invisible character at either end, holds a
// control character (C0, DEL, C1) or an unpaired UTF-16 surrogate, or is longer than MAX_NAME_BYTES. Every
// other character is sent as its UTF-8 bytes, as kubectl --as sends it, and read back as the same string by the
// API server (Go strings are bytes).
//
// Kubernetes keeps names that start with "system:" for itself (system:masters is every right there is,
// system:serviceaccount:... are service accounts,
// https://kubernetes.io/docs/reference/access-authn-authz/rbac/#referring-to-subjects). A name is reserved
// when it starts with "system:" once normalised (NFKC, invisible characters removed, lower case), so that look-
// alikes such as "SYSTEM:masters" or a full-width "ｓｙｓｔｅｍ:" are treated the same.

export const RESERVED_PREFIX = 'system:';
/** No Kubernetes user or group name needs more; a longer one could pass HTTP/1.1 header limits on the way. */
export const MAX_NAME_BYTES = 1024;

// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
/** White space of any Unicode class, and characters that show nothing (zero-width, BOM, bidi marks, fillers). */
const INVISIBLE = /[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zs}\p{Zl}\p{Zp}\s]/u;
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'gu');

/** U+0020 style, for messages: the value itself may not be printable. */
export function codePoint(ch: string): string {
  return `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The value for a message or a header: printable ASCII kept, everything else as \uXXXX, cut at 80 characters. */
export function shown(value: string): string {
  const cut = [...value].slice(0, 80).join('');
  const escaped = cut.replace(/[^\x20-\x7e]|["\\]/gu, (ch) =>
    ch === '"' || ch === '\\'
      ? `\\${ch}`
      : [...ch].map((c) => `\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}`).join(''),
  );
  return `"${escaped}"${cut.length < value.length ? '...' : ''}`;
}

/** Why `value` cannot be a Kubernetes user or group name sent in a header, or undefined when it can. */
export function nameProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (LONE_SURROGATE.test(value)) return 'holds an unpaired UTF-16 surrogate, which is not a character';
  const control = CONTROL.exec(value);
  if (control)
    return `holds the control character ${codePoint(control[0])}, which an HTTP header cannot carry as it is`;
  const chars = [...value];
  const first = chars[0]!;
  const last = chars[chars.length - 1]!;
  if (INVISIBLE.test(first))
    return `starts with ${codePoint(first)} (white space or an invisible character), which HTTP drops or hides before Kubernetes reads the name`;
  if (INVISIBLE.test(last))
    return `ends with ${codePoint(last)} (white space or an invisible character), which HTTP drops or hides before Kubernetes reads the name`;
  if (Buffer.byteLength(value, 'utf8') > MAX_NAME_BYTES) return `is longer than ${MAX_NAME_BYTES} bytes`;
  return undefined;
}

/** Whether Kubernetes keeps this name for itself (system:..., in any spelling that reads the same). */
export function isReserved(name: string): boolean {
  return name.normalize('NFKC').replace(INVISIBLE_ALL, '').toLowerCase().startsWith(RESERVED_PREFIX);
}

/**
 * A valid name as header bytes: its UTF-8 encoding, one byte per character of the string, which is how fetch
 * and undici write header values (ISO-8859-1, a byte per character) over HTTP/1.1 and HTTP/2.
 */
export function headerBytes(name: string): string {
  return Buffer.from(name, 'utf8').toString('latin1');
}
